#include "daemon/job_manager.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "daemon/job_outcome.h"

namespace ch {

using Clock = std::chrono::steady_clock;

JobManager::JobManager(const LimitsConfig& limits, std::string jobs_dir, ChildReaper& reaper,
                       ProviderPool* pool, WarmPool* warm_pool)
    : ctx_{std::move(jobs_dir), &reaper,
           [this](Job& job, JobOutcome outcome) { conclude(job, std::move(outcome)); }, warm_pool},
      pool_(pool ? pool : &fallback_pool_),
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
    const JobSpec& s = job->spec();
    const ClientLimits& client = limits_.for_client(s.client);
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
    } else if (client.max_queued > 0 &&
               queue_.size(s.client) >= static_cast<std::size_t>(client.max_queued)) {
        refused = failed_outcome(429, "client_queue_full",
                                 "too many requests from '" + s.client +
                                     "': " + std::to_string(queue_.size(s.client)) +
                                     " already queued (max_queued_per_client)",
                                 1);
    } else {
        refused = rates_.admit(s.client, client, s.model, Clock::now());
    }
    if (refused) {
        count_finished(*refused);
        lock.unlock();
        publish(*job, std::move(*refused));
        return job;
    }
    queue_.push_back({job, {}});
    work_.notify_one();
    changed_.notify_all();
    return job;
}

void JobManager::cancel(const std::shared_ptr<Job>& job, const std::string& reason, int http_status,
                        const std::string& code) {
    {
        std::unique_lock lock(mutex_);
        if (queue_.remove(job)) {
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

FairQueue::Entry JobManager::next_job(ProviderConfig& provider, std::vector<Refusal>& refused) {
    std::vector<JobOutcome> reasons;
    std::vector<FairQueue::Entry> dropped;
    auto entry = queue_.take(
        [&](const FairQueue::Entry& e) {
            auto choice = pool_->choose(e.job->spec(), e.tried);
            switch (choice.kind) {
                case ProviderPool::Choice::Kind::Run:
                    provider = std::move(choice.provider);
                    return FairQueue::Verdict::Take;
                case ProviderPool::Choice::Kind::Refuse:
                    reasons.push_back(std::move(choice.refusal));
                    return FairQueue::Verdict::Drop;
                case ProviderPool::Choice::Kind::Wait:
                    break;
            }
            return FairQueue::Verdict::Skip;
        },
        dropped);
    for (std::size_t i = 0; i < dropped.size(); ++i) {
        count_finished(reasons[i]);
        refused.push_back({std::move(dropped[i]), std::move(reasons[i])});
    }
    return entry;
}

void JobManager::worker() {
    std::unique_lock lock(mutex_);
    for (;;) {
        FairQueue::Entry entry;
        ProviderConfig provider;
        std::vector<Refusal> refused;
        work_.wait(lock, [&] {
            if (stopping_) return true;
            if (running_.size() >= static_cast<std::size_t>(limits_.max_concurrent_jobs))
                return false;
            entry = next_job(provider, refused);
            return entry.job != nullptr || !refused.empty();
        });
        if (stopping_ && !entry.job && refused.empty()) return;
        const auto job = entry.job;
        if (job) {
            running_.push_back({job, std::move(entry.tried)});
            job->assign_provider(provider);
            pool_->started(job->spec(), provider.name);
            for (auto* w : watchers_)
                w->job_started(*job);
        }
        changed_.notify_all();
        lock.unlock();
        for (auto& r : refused)
            publish(*r.entry.job, std::move(r.outcome));
        if (!job) {
            lock.lock();
            continue;
        }

        run_job(*job, provider, ctx_);
        pool_->ended(provider.name);
        pool_->after_run(provider.name);

        lock.lock();
        const auto it = std::find_if(running_.begin(), running_.end(),
                                     [&](const Running& r) { return r.job == job; });
        Running done = std::move(*it);
        running_.erase(it);
        if (done.move && accepting_) {
            done.tried.push_back(provider.name);
            job->requeue();
            queue_.push_front({job, std::move(done.tried)});
        } else if (done.move) {
            // Shutdown began while the job was about to move: nothing will run it again.
            const auto stopped =
                failed_outcome(503, "shutting_down", "the harness is shutting down");
            count_finished(stopped);
            lock.unlock();
            publish(*job, stopped);
            lock.lock();
        } else {
            ++served_;
        }
        changed_.notify_all();
        work_.notify_all();  // a slot and a provider are free, maybe for a job another waits on
    }
}

JobManager::Running* JobManager::running_entry(const Job& job) {
    for (auto& r : running_)
        if (r.job.get() == &job) return &r;
    return nullptr;
}

void JobManager::conclude(Job& job, JobOutcome outcome) {
    const ProviderConfig provider = job.provider();
    pool_->record(provider, outcome, job.spec().limits.auth_failure_limit);
    const bool movable = (outcome.code == "usage_limit" || outcome.code == "auth_failed") &&
                         !job.shown() && !job.cancel_requested();
    std::unique_lock lock(mutex_);
    if (Running* r = running_entry(job); r && movable && accepting_) {
        auto tried = r->tried;
        tried.push_back(provider.name);
        if (pool_->can_move(job.spec(), tried)) {
            r->move = true;
            spdlog::info("job {}: provider {} answered {}; trying another provider", job.id(),
                         provider.name, outcome.code);
            return;
        }
    }
    count_finished(outcome);
    lock.unlock();
    pool_->adjust_retry_after(job.spec(), outcome);
    publish(job, std::move(outcome));
}

void JobManager::count_finished(const JobOutcome& outcome) {
    if (!outcome.ok) ++failed_;
}

void JobManager::publish(Job& job, JobOutcome outcome) {
    if (outcome.ok)
        rates_.add_tokens(job.spec().client, job.spec().model.id,
                          outcome.reply.usage.prompt_total() + outcome.reply.usage.output_tokens,
                          Clock::now());
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
        auto expired = queue_.remove_if([&](const FairQueue::Entry& e) {
            const auto waited = now - e.job->submitted();
            if (waited >= limit) return true;
            next = std::min(next, now + (limit - waited));
            return false;
        });
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
            for (auto& e : expired)
                publish(*e.job, outcome);
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
    auto queued = queue_.clear();
    for (std::size_t i = 0; i < queued.size(); ++i)
        count_finished(refused);
    changed_.notify_all();
    lock.unlock();
    for (auto& e : queued)
        publish(*e.job, refused);
    lock.lock();
    if (!running_.empty())
        spdlog::info("waiting up to {} ms for {} running job(s)", grace.count(), running_.size());
    changed_.wait_for(lock, grace, [&] { return running_.empty(); });
    for (auto& r : running_)
        r.job->cancel("the harness is shutting down", 503, "shutting_down");
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
    std::vector<std::shared_ptr<Job>> out;
    for (const auto& r : running_)
        out.push_back(r.job);
    for (auto& job : queue_.jobs())
        out.push_back(std::move(job));
    return out;
}

}  // namespace ch
