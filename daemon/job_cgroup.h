// A cgroup v2 of its own for each agent-mode job. The CLI's Bash tool starts its commands in
// sessions of their own, out of reach of the CLI's process group; a cgroup holds everything
// the job starts however it detaches, so ending the job can kill all of it.
//
// The group is created under the daemon's own cgroup as claude-harness-<daemon pid>-job-<id>;
// the CLI enters it (writes its own pid to cgroup.procs) before exec, so nothing it starts can
// be outside.
#pragma once

#include <memory>
#include <string>

namespace ch {

class JobCgroup {
  public:
    // Nullptr with *error saying why when cgroup v2 is not usable (no cgroup2 mount, read-only
    // as under systemd's ProtectControlGroups=, no permission).
    static std::unique_ptr<JobCgroup> create(const std::string& job_id, std::string* error);
    ~JobCgroup();  // kill() and remove the group
    JobCgroup(const JobCgroup&) = delete;
    JobCgroup& operator=(const JobCgroup&) = delete;

    const std::string& path() const { return path_; }
    // Open for writing: a child writes "0" to it to enter the group.
    int procs_fd() const { return procs_fd_; }

    // SIGKILLs every process in the group and waits (up to a few seconds) until it is empty.
    // True when it is.
    bool kill();

  private:
    JobCgroup(std::string path, int procs_fd) : path_(std::move(path)), procs_fd_(procs_fd) {}

    std::string path_;
    int procs_fd_ = -1;
};

// The directory of this process's cgroup v2 ("" when there is none): the cgroup2 mount from
// /proc/self/mountinfo joined with the "0::" path of /proc/self/cgroup.
std::string own_cgroup_dir();

// Kills and removes job groups left by a daemon that is no longer running (a crash); returns
// how many.
int remove_leftover_job_cgroups();

}  // namespace ch
