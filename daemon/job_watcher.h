// Something that wants to hear about every job's start and end (usage accounting, bus
// signals), without the job manager knowing who.
#pragma once

namespace ch {

class Job;

class JobWatcher {
  public:
    virtual ~JobWatcher() = default;
    // Both are called with the job manager's lock held: note what is needed and return; never
    // call back into the manager.
    virtual void job_started(const Job& job) = 0;
    // Exactly once per submitted job, whether it ran, was refused, expired or was cancelled.
    virtual void job_finished(const Job& job) = 0;
};

}  // namespace ch
