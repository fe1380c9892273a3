#include "daemon/job_manager.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "daemon/job_outcome.h"

namespace ch {

using Clock = std::chrono::steady_clock;

JobManager::JobManager(const LimitsConfig& limits, std::string jobs_dir, ChildReaper& reaper,
                       WarmPool* warm_pool)
    : ctx_{std::move(jobs_dir), &reaper,
           [this](Job& job, JobOutcome outcome) { publish(job, std::move(outcome)); }, warm_pool},
      limits_(limits) {
    std::lock_guard guard(mutex_);
    add_workers();
    expiry_ = std::thread([this] { expire_queue(); });
}

JobManager::~JobManager() {
    shutdown(Duration{0});
}

void JobManager::add_watcher(JobWatcher& watcher) {
    std::lock_guard guard(mutex_);
    watchers_.push_back(&watcher);
}

void JobManager::set_limits(const LimitsConfig& limits) {
    std::lock_guard guard(mutex_);
    limits_ = limits;
    add_workers();
    // A lower limit takes effect as running jobs end; a higher one may start queued jobs now.
    work_.notify_all();
    changed_.notify_all();
}

void JobManager::add_workers() {
    const auto wanted = static_cast<std::size_t>(std::max(1, limits_.max_concurrent_jobs));
    while (!stopping_ && workers_.size() < wanted)
        workers_.emplace_back([this] { worker(); });
}

std::shared_ptr<Job> JobManager::submit(JobSpec spec) {
    std::unique_lock lock(mutex_);
    spec.limits = limits_;
    auto job = std::make_shared<Job>(new_job_id(), std::move(spec));
    std::optional<JobOutcome> refused;
    const std::size_t capacity = static_cast<std::size_t>(limits_.max_concurrent_jobs) +
                                 static_cast<std::size_t>(limits_.max_queued_jobs);
    if (!accepting_) {
        refused = failed_outcome(503, "shutting_down", "the harness is shutting down");
    } else if (running_.size() + queue_.size() >= capacity) {
        refused = failed_outcome(429, "queue_full",
                                 "too many requests: " + std::to_string(running_.size()) +
                                     " running and " + std::to_string(queue_.size()) +
                                     " queued (max_concurrent_jobs, max_queued_jobs)",
                                 1);
    }
    if (refused) {
        count_finished(*refused);
        lock.unlock();
        publish(*job, std::move(*refused));
        return job;
    }
    queue_.push_back(job);
    work_.notify_one();
    changed_.notify_all();
    return job;
}

void JobManager::cancel(const std::shared_ptr<Job>& job, const std::string& reason, int http_status,
                        const std::string& code) {
    {
        std::unique_lock lock(mutex_);
        const auto it = std::find(queue_.begin(), queue_.end(), job);
        if (it != queue_.end()) {
            queue_.erase(it);
            auto outcome = failed_outcome(http_status, code, reason);
            count_finished(outcome);
            changed_.notify_all();
            lock.unlock();
            publish(*job, std::move(outcome));
            return;
        }
    }
    job->cancel(reason, http_status, code);
}

void JobManager::worker() {
    std::unique_lock lock(mutex_);
    for (;;) {
        work_.wait(lock, [&] {
            return stopping_ ||
                   (!queue_.empty() &&
                    running_.size() < static_cast<std::size_t>(limits_.max_concurrent_jobs));
        });
        if (queue_.empty()) return;  // stopping, nothing left
        auto job = std::move(queue_.front());
        queue_.pop_front();
        running_.push_back(job);
        for (auto* w : watchers_)
            w->job_started(*job);
        changed_.notify_all();
        lock.unlock();

        run_job(*job, job->provider(), ctx_);

        lock.lock();
        running_.erase(std::find(running_.begin(), running_.end(), job));
        ++served_;
        if (const auto outcome = job->outcome()) count_finished(*outcome);
        changed_.notify_all();
        work_.notify_one();  // a slot is free, maybe for a queued job another worker waits on
    }
}

void JobManager::count_finished(const JobOutcome& outcome) {
    if (!outcome.ok) ++failed_;
}

void JobManager::publish(Job& job, JobOutcome outcome) {
    std::vector<JobWatcher*> watchers;
    {
        std::lock_guard guard(mutex_);
        watchers = watchers_;
    }
    for (auto* w : watchers)
        w->job_finished(job, outcome);
    job.finish(std::move(outcome));
}

void JobManager::expire_queue() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        const auto limit = limits_.queue_timeout;
        auto next = Clock::time_point::max();
        const auto now = Clock::now();
        std::vector<std::shared_ptr<Job>> expired;
        for (auto it = queue_.begin(); it != queue_.end();) {
            const auto waited = now - (*it)->submitted();
            if (waited >= limit) {
                expired.push_back(std::move(*it));
                it = queue_.erase(it);
            } else {
                next = std::min(next, now + (limit - waited));
                ++it;
            }
        }
        if (!expired.empty()) {
            const auto outcome =
                failed_outcome(429, "queue_timeout",
                               "the request waited " + std::to_string(limit.count() / 1000) +
                                   " s in the queue without a free slot (queue_timeout)",
                               1);
            for (std::size_t i = 0; i < expired.size(); ++i)
                count_finished(outcome);
            changed_.notify_all();
            lock.unlock();
            for (auto& job : expired)
                publish(*job, outcome);
            lock.lock();
            continue;
        }
        changed_.wait_until(lock, next);
    }
}

void JobManager::shutdown(Duration grace) {
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    accepting_ = false;
    const auto refused = failed_outcome(503, "shutting_down", "the harness is shutting down");
    std::deque<std::shared_ptr<Job>> queued;
    queued.swap(queue_);
    for (std::size_t i = 0; i < queued.size(); ++i)
        count_finished(refused);
    changed_.notify_all();
    lock.unlock();
    for (auto& job : queued)
        publish(*job, refused);
    lock.lock();
    if (!running_.empty())
        spdlog::info("waiting up to {} ms for {} running job(s)", grace.count(), running_.size());
    changed_.wait_for(lock, grace, [&] { return running_.empty(); });
    for (auto& job : running_)
        job->cancel("the harness is shutting down", 503, "shutting_down");
    stopping_ = true;
    work_.notify_all();
    changed_.notify_all();
    lock.unlock();
    for (auto& w : workers_)
        w.join();
    expiry_.join();
}

JobManager::Counts JobManager::counts() const {
    std::lock_guard guard(mutex_);
    Counts c;
    c.running = running_.size();
    c.queued = queue_.size();
    c.finished = served_;
    c.failed = failed_;
    return c;
}

std::vector<std::shared_ptr<Job>> JobManager::jobs() const {
    std::lock_guard guard(mutex_);
    std::vector<std::shared_ptr<Job>> out(running_.begin(), running_.end());
    out.insert(out.end(), queue_.begin(), queue_.end());
    return out;
}

}  // namespace ch
