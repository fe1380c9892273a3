// Bounded concurrency in front of the job runner: a queue that is fair across clients, the
// per-client and per-model limits, and the provider pool's choice of login for each job,
// including moving a job to another login when its own reports a usage limit or refuses the
// login before anything was shown. Transports submit jobs and wait on them; they never touch
// processes. Testable without HTTP.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/config.h"
#include "daemon/fair_queue.h"
#include "daemon/job.h"
#include "daemon/job_runner.h"
#include "daemon/job_watcher.h"
#include "daemon/provider_pool.h"
#include "daemon/rate_limiter.h"

namespace ch {

class JobManager {
  public:
    // Without a pool (tests) every provider counts as ready. `warm_pool` (may be null) must
    // outlive the manager.
    JobManager(const LimitsConfig& limits, std::string jobs_dir, ChildReaper& reaper,
               ProviderPool* pool = nullptr, WarmPool* warm_pool = nullptr);
    ~JobManager();  // shutdown(0) if not done yet
    JobManager(const JobManager&) = delete;
    JobManager& operator=(const JobManager&) = delete;

    // Registers a watcher for every job submitted from now on; it must outlive the manager.
    void add_watcher(JobWatcher& watcher);

    // Applies reloaded limits to jobs submitted from now on; running jobs keep theirs.
    void set_limits(const LimitsConfig& limits);

    // Never null. A job that cannot be queued comes back finished (429 queue full, client
    // queue full or rate limited, 503 shutting down). The job runs under the limits in force
    // now.
    std::shared_ptr<Job> submit(JobSpec spec);

    // Cancels a job wherever it is: removed from the queue, or its CLI stopped.
    void cancel(const std::shared_ptr<Job>& job, const std::string& reason, int http_status,
                const std::string& code);

    // Refuses new jobs, fails queued ones, lets running ones finish for up to `grace`, then
    // cancels them; returns when every CLI process is gone.
    void shutdown(Duration grace);

    struct Counts {
        std::size_t running = 0;
        std::size_t queued = 0;
        std::uint64_t finished = 0;
        std::uint64_t failed = 0;
    };
    Counts counts() const;
    std::vector<std::shared_ptr<Job>> jobs() const;  // running and queued

  private:
    struct Running {
        std::shared_ptr<Job> job;
        std::vector<std::string> tried;
        bool move = false;  // to another provider once its run has ended
    };
    struct Refusal {
        FairQueue::Entry entry;
        JobOutcome outcome;
    };

    void worker();
    void expire_queue();
    void add_workers();  // up to max_concurrent_jobs; called with the lock held
    // The next queued job that can run now and where; jobs that can run nowhere are removed
    // into `refused`. Called with the lock held.
    FairQueue::Entry next_job(ProviderConfig& provider, std::vector<Refusal>& refused);
    // The runner's outcome: published, or the job marked to move to another provider.
    void conclude(Job& job, JobOutcome outcome);
    void count_finished(const JobOutcome& outcome);  // called with the lock held
    // Tells the watchers, then the job's readers; called without the lock.
    void publish(Job& job, JobOutcome outcome);
    Running* running_entry(const Job& job);

    const RunnerContext ctx_;
    ProviderPool fallback_pool_{nullptr};
    ProviderPool* const pool_;
    RateLimiter rates_;
    mutable std::mutex mutex_;
    LimitsConfig limits_;
    std::vector<JobWatcher*> watchers_;
    std::condition_variable work_;     // a job was queued or a provider freed, or stopping
    std::condition_variable changed_;  // queue or running set changed
    FairQueue queue_;
    std::vector<Running> running_;
    std::uint64_t served_ = 0;  // jobs a worker ran to the end
    std::uint64_t failed_ = 0;
    bool accepting_ = true;
    bool stopping_ = false;
    std::vector<std::thread> workers_;
    std::thread expiry_;
};

}  // namespace ch
