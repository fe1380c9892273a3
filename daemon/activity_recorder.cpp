#include "daemon/activity_recorder.h"

#include <time.h>

#include "daemon/event_feed.h"
#include "daemon/job.h"

namespace ch {
namespace {

std::int64_t epoch_seconds(ActivityRecorder::Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::int64_t epoch_ms(ActivityRecorder::Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// Local midnight before `t`: "today" is the operator's day, not UTC's.
std::int64_t day_start(std::int64_t t) {
    const time_t secs = static_cast<time_t>(t);
    tm local{};
    localtime_r(&secs, &local);
    local.tm_hour = 0;
    local.tm_min = 0;
    local.tm_sec = 0;
    local.tm_isdst = -1;
    return static_cast<std::int64_t>(mktime(&local));
}

// The ring slot of period number `index` starting at `start`, emptied first when it still holds
// an older period.
template <typename Bucket, std::size_t N>
Bucket& slot(std::array<Bucket, N>& ring, std::int64_t index, std::int64_t start) {
    Bucket& b = ring[static_cast<std::size_t>(index) % N];
    if (b.start != start) {
        b = Bucket{};
        b.start = start;
    }
    return b;
}

std::vector<UsageTotals> rows(const std::map<std::string, TokenTally>& by_key) {
    std::vector<UsageTotals> out;
    for (const auto& [key, t] : by_key) {
        UsageTotals row;
        static_cast<TokenTally&>(row) = t;
        row.group = key;
        out.push_back(std::move(row));
    }
    return out;
}

}  // namespace

const char* error_category_name(ErrorCategory c) {
    switch (c) {
        case ErrorCategory::Timeout:
            return "timeout";
        case ErrorCategory::UsageLimit:
            return "usage_limit";
        case ErrorCategory::Auth:
            return "auth";
        case ErrorCategory::CliCrash:
            return "cli";
        case ErrorCategory::BadRequest:
            return "bad_request";
        default:
            return "other";
    }
}

ErrorCategory categorize_failure(const JobOutcome& outcome) {
    const std::string& code = outcome.code;
    if (code == "timeout" || code == "idle_timeout" || code == "queue_timeout")
        return ErrorCategory::Timeout;
    if (code == "usage_limit") return ErrorCategory::UsageLimit;
    const auto api_status = outcome.reply.api_error_status.value_or(0);
    if (code.find("auth") != std::string::npos || api_status == 401 || api_status == 403 ||
        outcome.http_status == 401)
        return ErrorCategory::Auth;
    if (code == "cli_crashed" || code == "cli_error" || code == "cli_spawn_failed")
        return ErrorCategory::CliCrash;
    if (code == "invalid_request" || outcome.http_status == 400 || outcome.http_status == 413)
        return ErrorCategory::BadRequest;
    return ErrorCategory::Other;
}

void ActivityRecorder::job_started(const Job& job) {
    if (feed_ == nullptr) return;
    const auto& spec = job.spec();
    feed_->publish("job_started", {{"job", job.id()},
                                   {"model", spec.model.id},
                                   {"provider", job.provider_name()},
                                   {"client", spec.client}});
}

void ActivityRecorder::job_finished(const Job& job, const JobOutcome& outcome) {
    const auto& spec = job.spec();
    const std::string provider = job.provider_name();
    record(spec.model.id, provider, spec.client, outcome, Clock::now());
    if (feed_ == nullptr) return;
    nlohmann::json data = {{"job", job.id()},      {"model", spec.model.id},
                           {"provider", provider}, {"client", spec.client},
                           {"ok", outcome.ok},     {"status", outcome.http_status}};
    if (outcome.ok) {
        data["output_tokens"] = outcome.reply.usage.output_tokens;
        data["input_tokens"] = outcome.reply.usage.input_tokens;
    } else {
        data["code"] = outcome.code;
        data["category"] = error_category_name(categorize_failure(outcome));
        // The message may quote the CLI; keep the tail short.
        data["message"] = outcome.message.substr(0, 200);
    }
    if (job.started() != Clock::time_point{})
        data["duration_ms"] = epoch_ms(Clock::now()) - epoch_ms(job.started());
    feed_->publish("job_finished", std::move(data));
}

void ActivityRecorder::record(const std::string& model, const std::string& provider,
                              const std::string& client, const JobOutcome& outcome,
                              Clock::time_point at) {
    const TokenTally t = TokenTally::of_request(outcome.ok, outcome.reply.usage);
    const std::int64_t now = epoch_seconds(at);
    std::lock_guard guard(mutex_);
    for (ActivityBucket* b : {&slot(minutes_, now / 60, now / 60), &slot(seconds_, now, now)}) {
        b->by_model[model].add(t);
        b->by_provider[provider].add(t);
        if (!outcome.ok) ++b->errors[static_cast<std::size_t>(categorize_failure(outcome))];
    }
    const std::string who = client_key(client);
    const std::int64_t midnight = day_start(now);
    Day& day = slot(days_, midnight / 86400, midnight);
    day.by_model[model].add(t);
    day.by_client[who].add(t);
    model_totals_[model].add(t);
    client_totals_[who].add(t);
}

void ActivityRecorder::record_refusal(int http_status, Clock::time_point at) {
    const auto category = http_status < 500 ? ErrorCategory::BadRequest : ErrorCategory::Other;
    const std::int64_t now = epoch_seconds(at);
    std::lock_guard guard(mutex_);
    for (ActivityBucket* b : {&slot(minutes_, now / 60, now / 60), &slot(seconds_, now, now)})
        ++b->errors[static_cast<std::size_t>(category)];
}

std::string ActivityRecorder::client_key(const std::string& client) const {
    if (client_totals_.count(client) != 0 || client_totals_.size() < kMaxClients) return client;
    return "(other)";
}

std::vector<ActivityBucket> ActivityRecorder::minutes(std::size_t n, Clock::time_point now) const {
    n = std::min(n, kMinutes);
    const std::int64_t last = epoch_seconds(now) / 60;
    std::vector<ActivityBucket> out(n);
    std::lock_guard guard(mutex_);
    for (std::size_t i = 0; i < n; ++i) {
        const std::int64_t m = last - static_cast<std::int64_t>(n - 1 - i);
        const ActivityBucket& b = minutes_[static_cast<std::size_t>(m) % kMinutes];
        if (b.start == m) out[i] = b;
        out[i].start = m;
    }
    return out;
}

std::vector<ActivityBucket> ActivityRecorder::seconds(std::size_t n, Clock::time_point now) const {
    n = std::min(n, kSeconds - 1);  // the current second's slot is still filling
    const std::int64_t last = epoch_seconds(now) - 1;
    std::vector<ActivityBucket> out(n);
    std::lock_guard guard(mutex_);
    for (std::size_t i = 0; i < n; ++i) {
        const std::int64_t s = last - static_cast<std::int64_t>(n - 1 - i);
        const ActivityBucket& b = seconds_[static_cast<std::size_t>(s) % kSeconds];
        if (b.start == s) out[i] = b;
        out[i].start = s;
    }
    return out;
}

UsageSummary ActivityRecorder::totals() const {
    std::lock_guard guard(mutex_);
    return {rows(model_totals_), rows(client_totals_)};
}

UsageSummary ActivityRecorder::since(Clock::time_point from) const {
    const std::int64_t first_day = day_start(epoch_seconds(from));
    std::map<std::string, TokenTally> by_model;
    std::map<std::string, TokenTally> by_client;
    std::lock_guard guard(mutex_);
    for (const Day& day : days_) {
        if (day.start < first_day) continue;  // also skips unused slots (-1)
        for (const auto& [k, t] : day.by_model)
            by_model[k].add(t);
        for (const auto& [k, t] : day.by_client)
            by_client[k].add(t);
    }
    return {rows(by_model), rows(by_client)};
}

}  // namespace ch
