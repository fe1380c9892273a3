// Drives one CLI process from spawn to reap: feeds the prompt on stdin, reads stdout as
// bytes, enforces the idle and job timeouts, honours cancellation (SIGINT, then SIGTERM, then
// SIGKILL to the group) and leaves no process or zombie behind.
#pragma once

#include <string>

#include "daemon/job.h"

namespace ch {

class ChildReaper;

struct RunnerContext {
    std::string jobs_dir;  // parent of the per-job working directories
    ChildReaper* reaper = nullptr;
};

// Runs the job to completion; always finishes it (job.finish) before returning.
void run_job(Job& job, const RunnerContext& ctx);

}  // namespace ch
