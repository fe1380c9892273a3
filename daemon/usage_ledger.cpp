#include "daemon/usage_ledger.h"

#include <chrono>

#include "daemon/job.h"

namespace ch {

void UsageLedger::job_finished(const Job& job, const JobOutcome& outcome) {
    const auto& spec = job.spec();
    const std::string provider = job.provider_name();
    std::lock_guard guard(mutex_);
    UsageRow& row = rows_[{spec.model.id, provider}];
    row.model = spec.model.id;
    row.provider = provider;
    row.add(TokenTally::of_request(outcome.ok, outcome.reply.usage));
    if (outcome.ok) return;
    FailureRecord failure;
    failure.at_us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    failure.job_id = job.id();
    failure.provider = provider;
    failure.text = outcome.code + ": " + outcome.message;
    last_by_provider_[failure.provider] = failure;
    last_ = std::move(failure);
}

std::vector<UsageRow> UsageLedger::rows() const {
    std::lock_guard guard(mutex_);
    std::vector<UsageRow> out;
    for (const auto& [key, row] : rows_)
        out.push_back(row);
    return out;
}

FailureRecord UsageLedger::last_failure() const {
    std::lock_guard guard(mutex_);
    return last_;
}

FailureRecord UsageLedger::last_failure(const std::string& provider) const {
    std::lock_guard guard(mutex_);
    const auto it = last_by_provider_.find(provider);
    return it == last_by_provider_.end() ? FailureRecord{} : it->second;
}

}  // namespace ch
