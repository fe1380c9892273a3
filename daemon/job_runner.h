// Drives one CLI process from spawn to reap: feeds the prompt on stdin, reads stdout as
// bytes, enforces the idle and job timeouts, honours cancellation (SIGINT, then SIGTERM, then
// SIGKILL to the group) and leaves no process or zombie behind.
#pragma once

#include <functional>
#include <string>

#include "daemon/job.h"

namespace ch {

class ChildReaper;
class WarmPool;

struct RunnerContext {
    std::string jobs_dir;  // parent of the per-job working directories
    ChildReaper* reaper = nullptr;
    // Receives how the run ended, as soon as that is known (the CLI's exit may still be
    // awaited after). The job manager decides whether it is published (job.finish) or the job
    // is moved to another provider. Empty: the outcome is published as it is.
    std::function<void(Job&, JobOutcome)> conclude;
    // Pre-started CLI processes to take instead of starting one; null = always start one.
    WarmPool* warm_pool = nullptr;
};

// Runs the job on `provider` to completion; always concludes it exactly once before returning.
void run_job(Job& job, const ProviderConfig& provider, const RunnerContext& ctx);

}  // namespace ch
