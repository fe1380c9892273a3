// What the dashboard charts: per-minute requests, tokens and error categories by model and by
// provider for the last hours, per-second figures for the live view, totals per model and per
// client, and per-day totals as the default UsageHistory. Everything is kept in fixed-size
// rings, so memory does not grow with uptime; keys are model and provider names from the
// configuration and client ids (capped), never anything a client can choose freely.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/token_tally.h"
#include "daemon/job_watcher.h"
#include "daemon/usage_history.h"

namespace ch {

class EventFeed;
struct JobOutcome;

// The failure classes the dashboard charts over time.
enum class ErrorCategory { Timeout, UsageLimit, Auth, CliCrash, BadRequest, Other, Count };
const char* error_category_name(ErrorCategory c);
// From a failed job's outcome code ("timeout", "usage_limit", "cli_crashed", ...).
ErrorCategory categorize_failure(const JobOutcome& outcome);

// One minute of the history, or one second of the live view.
struct ActivityBucket {
    std::int64_t start = -1;  // minute or second since the epoch; -1 = unused
    std::map<std::string, TokenTally> by_model;
    std::map<std::string, TokenTally> by_provider;
    std::array<std::uint32_t, static_cast<std::size_t>(ErrorCategory::Count)> errors{};
};

class ActivityRecorder : public JobWatcher, public UsageHistory {
  public:
    static constexpr std::size_t kMinutes = 6 * 60;  // history the charts can show
    static constexpr std::size_t kSeconds = 120;     // live per-second view
    static constexpr std::size_t kDays = 8;          // today and the 7 days before
    static constexpr std::size_t kMaxClients = 256;  // more are counted as "(other)"

    using Clock = std::chrono::system_clock;

    // `feed` (may be null) hears about every job start and end.
    explicit ActivityRecorder(EventFeed* feed = nullptr) : feed_(feed) {}

    void job_started(const Job& job) override;
    void job_finished(const Job& job, const JobOutcome& outcome) override;
    // The part of job_finished that needs no Job, at a given time; for tests.
    void record(const std::string& model, const std::string& provider, const std::string& client,
                const JobOutcome& outcome, Clock::time_point at);

    // A chat request refused before it became a job: a bad request (4xx) or another failure.
    void record_refusal(int http_status, Clock::time_point at);

    // The last `minutes` minutes up to `now`, oldest first; missing minutes are empty buckets.
    std::vector<ActivityBucket> minutes(std::size_t minutes, Clock::time_point now) const;
    // The last `seconds` whole seconds before `now`, oldest first.
    std::vector<ActivityBucket> seconds(std::size_t seconds, Clock::time_point now) const;
    // Since this process started.
    UsageSummary totals() const;

    UsageSummary since(Clock::time_point from) const override;
    std::string coverage() const override { return "since the daemon started"; }

  private:
    struct Day {
        std::int64_t start = -1;  // local midnight, seconds since the epoch
        std::map<std::string, TokenTally> by_model;
        std::map<std::string, TokenTally> by_client;
    };
    std::string client_key(const std::string& client) const;

    EventFeed* feed_;
    mutable std::mutex mutex_;
    std::array<ActivityBucket, kMinutes> minutes_;
    std::array<ActivityBucket, kSeconds> seconds_;
    std::array<Day, kDays> days_;
    std::map<std::string, TokenTally> model_totals_;
    std::map<std::string, TokenTally> client_totals_;
};

}  // namespace ch
