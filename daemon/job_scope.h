// A transient systemd scope for an agent-mode job when systemd manages the daemon (see
// job_containment.h): the CLI, held before exec, is moved into
// "<daemon unit>-<daemon pid>-job-<job id>.scope" through the manager's StartTransientUnit,
// and ending the job kills the scope's whole cgroup through KillUnit. The daemon needs no
// write access to the cgroup tree for it (the packaged unit has ProtectControlGroups=yes).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "daemon/job_containment.h"

namespace ch {

// The daemon's own unit ("claude-harness.service") when systemd manages it: the system runs
// systemd, systemd started this process as a service (INVOCATION_ID), and it is in a system
// service's cgroup. Decided once.
const std::optional<std::string>& systemd_unit_of_daemon();

class JobScope : public JobContainment {
  public:
    static std::unique_ptr<JobScope> prepare(const std::string& daemon_unit,
                                             const std::string& job_id);
    ~JobScope() override;  // kill()

    PlaceChild placement() override;
    bool kill() override;
    std::string describe() const override { return "scope " + name_; }

  private:
    JobScope(std::string name, std::string job_id, std::string daemon_unit)
        : name_(std::move(name)),
          job_id_(std::move(job_id)),
          daemon_unit_(std::move(daemon_unit)) {}
    void start(pid_t pid);  // throws PlacementError

    std::string name_;
    std::string job_id_;
    std::string daemon_unit_;
    std::string cgroup_dir_;  // set once the scope holds the child
};

// SIGKILLs the job scopes of this unit whose daemon is no longer running (a crash); at start.
void remove_leftover_job_scopes(const std::string& daemon_unit);

}  // namespace ch
