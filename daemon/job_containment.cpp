#include "daemon/job_containment.h"

#include "daemon/job_cgroup.h"
#include "daemon/job_scope.h"

namespace ch {

std::unique_ptr<JobContainment> contain_agent_job(const std::string& job_id, std::string* error) {
    if (const auto unit = systemd_unit_of_daemon()) return JobScope::prepare(*unit, job_id);
    return JobCgroup::create(job_id, error);
}

void remove_leftover_containment() {
    if (const auto unit = systemd_unit_of_daemon())
        remove_leftover_job_scopes(*unit);
    else
        remove_leftover_job_cgroups();
}

}  // namespace ch
