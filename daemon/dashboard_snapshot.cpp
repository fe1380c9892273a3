// The JSON behind the dashboard: history per minute, totals, providers, jobs and recent events.
#include <chrono>
#include <set>

#include "common/version.h"
#include "daemon/activity_recorder.h"
#include "daemon/dashboard.h"
#include "daemon/event_feed.h"
#include "daemon/http_context.h"
#include "daemon/job.h"
#include "daemon/job_manager.h"
#include "daemon/provider_health.h"
#include "daemon/readiness.h"
#include "daemon/usage_ledger.h"

namespace ch {
namespace {

using Clock = std::chrono::system_clock;
using nlohmann::json;

std::int64_t ms(Clock::time_point t) {
    if (t == Clock::time_point{}) return 0;
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

json totals_json(const std::vector<UsageTotals>& rows) {
    json out = json::array();
    for (const auto& r : rows)
        out.push_back({{"key", r.group},
                       {"requests", r.requests},
                       {"failed", r.failed},
                       {"input_tokens", r.input_tokens},
                       {"output_tokens", r.output_tokens},
                       {"cache_read_tokens", r.cache_read_tokens},
                       {"cache_creation_tokens", r.cache_creation_tokens}});
    return out;
}

json summary_json(const UsageSummary& s) {
    return {{"by_model", totals_json(s.by_model)}, {"by_client", totals_json(s.by_client)}};
}

// {"name": {"requests": [...], "tokens": [...]}} with one entry per bucket, zeros where idle.
json series(const std::vector<ActivityBucket>& buckets,
            std::map<std::string, TokenTally> ActivityBucket::*by) {
    std::set<std::string> names;
    for (const auto& b : buckets)
        for (const auto& [name, t] : b.*by)
            names.insert(name);
    json out = json::object();
    for (const auto& name : names) {
        json requests = json::array(), tokens = json::array(), failed = json::array();
        for (const auto& b : buckets) {
            const auto it = (b.*by).find(name);
            const TokenTally t = it == (b.*by).end() ? TokenTally{} : it->second;
            requests.push_back(t.requests);
            failed.push_back(t.failed);
            tokens.push_back(t.input_tokens + t.output_tokens);
        }
        out[name] = {{"requests", requests}, {"failed", failed}, {"tokens", tokens}};
    }
    return out;
}

json history_json(const ActivityRecorder& activity, std::size_t minutes, Clock::time_point now) {
    const auto buckets = activity.minutes(minutes, now);
    json starts = json::array();
    json errors = json::object();
    for (std::size_t c = 0; c < static_cast<std::size_t>(ErrorCategory::Count); ++c) {
        json counts = json::array();
        for (const auto& b : buckets)
            counts.push_back(b.errors[c]);
        errors[error_category_name(static_cast<ErrorCategory>(c))] = counts;
    }
    for (const auto& b : buckets)
        starts.push_back(b.start * 60 * 1000);
    return {{"minute_ms", starts},
            {"by_model", series(buckets, &ActivityBucket::by_model)},
            {"by_provider", series(buckets, &ActivityBucket::by_provider)},
            {"errors", errors}};
}

json providers_json(HttpContext& ctx) {
    json out = json::array();
    if (ctx.health == nullptr) return out;
    for (const auto& s : provider_statuses(ctx)) {
        json p = {{"name", s.name},
                  {"user", s.user.empty() ? "root" : s.user},
                  {"version", s.version},
                  {"login", s.login},
                  {"login_expires_ms", s.login_expires_ms},
                  {"ready", s.ready},
                  {"reason", s.reason},
                  {"state", s.state},
                  {"running", s.running},
                  {"max_concurrent", s.max_concurrent},
                  {"cooldown_until_ms", s.cooldown_until_ms},
                  {"auth_failures", s.auth_failures},
                  {"last_error", s.last_error}};
        // The pool's last error is its scheduling view; the ledger adds when it happened.
        if (s.last_error.empty() && ctx.usage != nullptr) {
            const FailureRecord f = ctx.usage->last_failure(s.name);
            if (f.at_us != 0) {
                p["last_error"] = f.text.substr(0, 300);
                p["last_error_ms"] = f.at_us / 1000;
            }
        }
        out.push_back(std::move(p));
    }
    return out;
}

json jobs_json(HttpContext& ctx) {
    json out = json::array();
    if (ctx.jobs == nullptr) return out;
    for (const auto& job : ctx.jobs->jobs()) {
        const auto view = job->wait(0, std::chrono::steady_clock::time_point{});
        std::int64_t output_tokens = 0;
        std::size_t text_chars = 0;
        for (const auto& d : view.deltas) {
            if (d.kind == ReplyDelta::Kind::Usage) output_tokens = d.usage.output_tokens;
            if (d.kind == ReplyDelta::Kind::Text) text_chars += d.text.size();
        }
        const auto& spec = job->spec();
        out.push_back({{"id", job->id()},
                       {"state", view.state == JobState::Running ? "running" : "queued"},
                       {"model", spec.model.id},
                       {"provider", job->provider_name()},
                       {"client", spec.client},
                       {"created_ms", ms(job->created())},
                       {"started_ms", ms(job->started())},
                       {"output_tokens", output_tokens},
                       {"text_chars", text_chars}});
    }
    return out;
}

json events_json(const EventFeed& feed) {
    json out = json::array();
    for (const auto& e : feed.recent(100))
        out.push_back({{"seq", e.seq}, {"type", e.type}, {"data", e.data}});
    return out;
}

}  // namespace

json dashboard_snapshot(HttpContext& ctx, std::size_t minutes, const json& cancel) {
    const DashboardSources& dash = *ctx.dashboard;
    const auto now = Clock::now();
    const auto settings = ctx.settings();
    json out = {{"now_ms", ms(now)},
                {"started_ms", ctx.started_epoch * 1000},
                {"version", kVersion},
                {"config", settings->config.path},
                {"cancel", cancel}};
    if (ctx.jobs != nullptr) {
        const auto c = ctx.jobs->counts();
        out["counts"] = {{"running", c.running},
                         {"queued", c.queued},
                         {"finished", c.finished},
                         {"failed", c.failed},
                         {"max_concurrent", settings->config.limits.max_concurrent_jobs},
                         {"max_queued", settings->config.limits.max_queued_jobs}};
    }
    out["history"] = history_json(*dash.activity, minutes, now);
    // "Today" from local midnight, "7 days" from midnight six days ago.
    const auto today = dash.history->since(now);
    const auto week = dash.history->since(now - std::chrono::hours(24 * 6));
    out["totals"] = {{"since_start", summary_json(dash.activity->totals())},
                     {"today", summary_json(today)},
                     {"week", summary_json(week)},
                     {"coverage", dash.history->coverage()}};
    out["providers"] = providers_json(ctx);
    out["jobs"] = jobs_json(ctx);
    out["events"] = events_json(*dash.feed);
    return out;
}

}  // namespace ch
