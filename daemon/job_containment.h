// What holds everything an agent-mode job starts. The CLI's Bash tool starts its commands in
// sessions of their own, out of reach of the CLI's process group; a cgroup holds them however
// they detach, so ending the job can kill all of it. Two kinds: a transient systemd scope when
// systemd manages the daemon (its cgroup tree is systemd's, and read-only under the packaged
// unit), a cgroup v2 of the daemon's own otherwise.
#pragma once

#include <memory>
#include <string>

#include "daemon/child_process.h"

namespace ch {

class JobContainment {
  public:
    virtual ~JobContainment() = default;  // kills what is left

    // Before the spawn: what the child must do itself (enter a cgroup before exec).
    virtual void prepare(ProcessSpec& process) { (void)process; }
    // During the spawn, while the child waits before exec: moves it in from outside.
    virtual PlaceChild placement() { return nullptr; }

    // SIGKILLs everything inside and waits (a few seconds at most) until nothing is; true then.
    virtual bool kill() = 0;
    // For the log: "cgroup /sys/fs/cgroup/…", "scope claude-harness-….scope".
    virtual std::string describe() const = 0;
};

// The containment for a new agent job: nullptr with *error saying why when none can be made
// (the job must then not run).
std::unique_ptr<JobContainment> contain_agent_job(const std::string& job_id, std::string* error);

// Kills and removes what a daemon that is no longer running (a crash) left; at start.
void remove_leftover_containment();

}  // namespace ch
