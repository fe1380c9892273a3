#include "daemon/ledger_history.h"

#include <ctime>

#include <spdlog/spdlog.h>

#include "common/usage_report.h"

namespace ch {
namespace {

constexpr auto kReuse = std::chrono::seconds(5);

// Local midnight of the day `t` is in: "today" is the operator's day.
std::chrono::system_clock::time_point local_midnight(std::chrono::system_clock::time_point t) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
    std::tm local{};
    localtime_r(&seconds, &local);
    local.tm_hour = local.tm_min = local.tm_sec = 0;
    local.tm_isdst = -1;
    return std::chrono::system_clock::from_time_t(std::mktime(&local));
}

}  // namespace

UsageSummary LedgerHistory::since(std::chrono::system_clock::time_point day) const {
    const auto from = local_midnight(day);
    std::lock_guard guard(mutex_);
    const auto now = std::chrono::steady_clock::now();
    std::erase_if(cache_, [&](const auto& e) { return now - e.second.read >= kReuse; });
    if (const auto it = cache_.find(from); it != cache_.end()) return it->second.summary;
    const auto since_us =
        std::chrono::duration_cast<std::chrono::microseconds>(from.time_since_epoch()).count();
    UsageSummary summary;
    std::string error;
    const auto by_model = read_usage_file(path_, since_us, UsageGrouping::Model, &error);
    const auto by_key = read_usage_file(path_, since_us, UsageGrouping::Key, &error);
    if (by_model && by_key) {
        summary.by_model = by_model->groups;
        summary.by_client = by_key->groups;
    } else {
        spdlog::debug("dashboard: {}", error);  // no ledger yet: no requests yet
    }
    cache_[from] = {now, summary};
    return summary;
}

}  // namespace ch
