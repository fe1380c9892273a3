#include "daemon/job_store.h"

#include <algorithm>
#include <vector>

namespace ch {

void JobStore::add(std::shared_ptr<Job> job, const LimitsConfig& limits) {
    std::lock_guard guard(mutex_);
    jobs_[job->id()] = std::move(job);
    prune(limits);
}

std::shared_ptr<Job> JobStore::find(const std::string& id, const LimitsConfig& limits) {
    std::lock_guard guard(mutex_);
    prune(limits);
    const auto it = jobs_.find(id);
    return it == jobs_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<Job>> JobStore::list(const std::string& client,
                                                 const LimitsConfig& limits) {
    std::vector<std::shared_ptr<Job>> out;
    {
        std::lock_guard guard(mutex_);
        prune(limits);
        for (const auto& [id, job] : jobs_)
            if (job->spec().client == client) out.push_back(job);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a->created() > b->created(); });
    return out;
}

void JobStore::prune(const LimitsConfig& limits) {
    const auto now = std::chrono::system_clock::now();
    std::vector<std::pair<std::chrono::system_clock::time_point, std::string>> kept;
    for (auto it = jobs_.begin(); it != jobs_.end();) {
        if (it->second->state() != JobState::Finished) {
            ++it;
            continue;
        }
        const auto done = it->second->finished_at();
        if (now - done >= limits.job_retention) {
            it = jobs_.erase(it);
            continue;
        }
        kept.emplace_back(done, it->first);
        ++it;
    }
    const auto max = static_cast<std::size_t>(std::max(0, limits.max_retained_jobs));
    if (kept.size() <= max) return;
    std::sort(kept.begin(), kept.end());  // oldest first
    for (std::size_t i = 0; i < kept.size() - max; ++i)
        jobs_.erase(kept[i].second);
}

}  // namespace ch
