// A cgroup v2 of its own for an agent-mode job when systemd does not manage the daemon (see
// job_containment.h). The group is created under the daemon's own cgroup as claude-harness-<daemon
// pid>-job-<id>; the CLI enters it (writes its own pid to cgroup.procs) before exec, so nothing it
// starts can be outside.
#pragma once

#include <memory>
#include <string>

#include "daemon/job_containment.h"

namespace ch {

class JobCgroup : public JobContainment {
  public:
    // Nullptr with *error saying why when cgroup v2 is not usable (no cgroup2 mount, read-only,
    // no permission).
    static std::unique_ptr<JobCgroup> create(const std::string& job_id, std::string* error);
    ~JobCgroup() override;  // kill() and remove the group
    JobCgroup(const JobCgroup&) = delete;
    JobCgroup& operator=(const JobCgroup&) = delete;

    const std::string& path() const { return path_; }
    // Open for writing: a child writes "0" to it to enter the group.
    int procs_fd() const { return procs_fd_; }

    void prepare(ProcessSpec& process) override { process.cgroup_procs_fd = procs_fd_; }
    bool kill() override;
    std::string describe() const override { return "cgroup " + path_; }

  private:
    JobCgroup(std::string path, int procs_fd) : path_(std::move(path)), procs_fd_(procs_fd) {}

    std::string path_;
    int procs_fd_ = -1;
};

// Kills and removes job groups left by a daemon that is no longer running (a crash); returns
// how many.
int remove_leftover_job_cgroups();

}  // namespace ch
