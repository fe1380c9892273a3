// Something that wants to hear about every job's start and end (usage accounting, bus
// signals), without the job manager knowing who.
#pragma once

namespace ch {

class Job;
struct JobOutcome;

class JobWatcher {
  public:
    virtual ~JobWatcher() = default;
    // Called with the job manager's lock held: note what is needed and return; never call back
    // into the manager. A job moved to another provider starts again.
    virtual void job_started(const Job& job) = 0;
    // Exactly once per submitted job, whether it ran, was refused, expired or was cancelled,
    // just before `outcome` is published to the job's readers: what is recorded here is
    // recorded before any client sees the answer. Called without the manager's lock, from
    // any thread; may block briefly.
    virtual void job_finished(const Job& job, const JobOutcome& outcome) = 0;
};

}  // namespace ch
