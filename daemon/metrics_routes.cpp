// GET /metrics: request counters and histograms kept as requests end, plus gauges read from the
// job manager, the usage ledger and provider health at scrape time.
#include "daemon/metrics_routes.h"

#include <chrono>

#include "common/version.h"
#include "daemon/job.h"
#include "daemon/job_manager.h"
#include "daemon/provider_health.h"
#include "daemon/provider_pool.h"
#include "daemon/readiness.h"
#include "daemon/usage_ledger.h"
#include "daemon/warm_pool.h"

namespace ch {
namespace {

using Clock = std::chrono::steady_clock;

// A request is served start to end (pre-routing, handler, stream, logger) by one worker thread.
thread_local Clock::time_point t_started{};
thread_local std::shared_ptr<const Job> t_job;

const char* endpoint_of(const httplib::Request& req) {
    if (req.method != "POST") return nullptr;
    if (req.path == "/v1/chat/completions") return "chat_completions";
    if (req.path == "/v1/messages") return "messages";
    return nullptr;
}

double seconds(Clock::duration d) {
    return std::chrono::duration<double>(d).count();
}

void add_scrape_time(MetricsRegistry& m, HttpContext& ctx) {
    m.gauge("claude_harness_build_info", "The daemon's version; always 1.");
    m.set("claude_harness_build_info", {{"version", kVersion}}, 1);
    m.gauge("claude_harness_process_start_time_seconds",
            "When the daemon started, in seconds since the Unix epoch.");
    m.set("claude_harness_process_start_time_seconds", {}, static_cast<double>(ctx.started_epoch));
    if (ctx.jobs != nullptr) {
        const auto counts = ctx.jobs->counts();
        m.gauge("claude_harness_queue_depth", "Requests waiting for a free CLI slot.");
        m.set("claude_harness_queue_depth", {}, static_cast<double>(counts.queued));
        m.gauge("claude_harness_running_jobs", "Jobs holding a CLI slot.");
        m.set("claude_harness_running_jobs", {}, static_cast<double>(counts.running));
        std::size_t alive = 0;
        for (const auto& job : ctx.jobs->jobs())
            alive += job->state() == JobState::Running && job->pid() > 0 ? 1 : 0;
        // Pre-started processes waiting in the warm pool are alive too (and hold memory).
        if (ctx.warm_pool != nullptr) alive += ctx.warm_pool->idle();
        m.gauge("claude_harness_cli_processes",
                "CLI processes alive: running for jobs or waiting in the warm pool.");
        m.set("claude_harness_cli_processes", {}, static_cast<double>(alive));
    }
    if (ctx.usage != nullptr) {
        static const char* const kTokens = "claude_harness_tokens_total";
        m.counter(kTokens, "Tokens the CLI reported for successful jobs.");
        for (const auto& row : ctx.usage->rows()) {
            const auto add = [&](const char* kind, std::uint64_t n) {
                m.add(kTokens, {{"model", row.model}, {"provider", row.provider}, {"kind", kind}},
                      static_cast<double>(n));
            };
            add("input", row.input_tokens);
            add("output", row.output_tokens);
            add("cache_read", row.cache_read_tokens);
            add("cache_creation", row.cache_creation_tokens);
        }
    }
    if (ctx.health != nullptr) {
        m.gauge("claude_harness_provider_ready", "1 when the provider can run jobs, else 0.");
        m.gauge("claude_harness_provider_state",
                "1 for the provider's state: ready, cooling_down, suspended or not_ready.");
        m.gauge("claude_harness_provider_running_jobs", "Jobs running on the provider.");
        m.gauge("claude_harness_provider_login_expiry_timestamp_seconds",
                "When the provider's login (or access token) expires; 0 when unknown.");
        const auto statuses = provider_statuses(ctx);
        for (const auto& status : statuses) {
            const std::string& name = status.name;
            m.set("claude_harness_provider_ready", {{"provider", name}},
                  status.ready && status.state != "suspended" ? 1 : 0);
            for (const char* state : {"ready", "cooling_down", "suspended", "not_ready"})
                m.set("claude_harness_provider_state", {{"provider", name}, {"state", state}},
                      status.state == state ? 1 : 0);
            m.set("claude_harness_provider_running_jobs", {{"provider", name}}, status.running);
            m.set("claude_harness_provider_login_expiry_timestamp_seconds", {{"provider", name}},
                  static_cast<double>(status.login_expires_ms) / 1000.0);
        }
    }
}

}  // namespace

void declare_request_metrics(MetricsRegistry& m) {
    // From 50 ms (an error) to 10 minutes (the default job timeout).
    const std::vector<double> buckets = {0.05, 0.1, 0.25, 0.5, 1,   2.5, 5,
                                         10,   20,  30,   60,  120, 300, 600};
    m.counter("claude_harness_requests_total", "Chat requests by endpoint, model and status.");
    m.histogram("claude_harness_request_duration_seconds",
                "Time from a chat request's arrival to the end of its response.", buckets);
    m.histogram("claude_harness_time_to_first_token_seconds",
                "Time from a chat request's arrival to the CLI's first text.", buckets);
}

void note_request_start() {
    t_started = Clock::now();
    t_job.reset();
}

void note_request_job(std::shared_ptr<const Job> job) {
    t_job = std::move(job);
}

bool record_request(HttpContext& ctx, const httplib::Request& req, const httplib::Response& res) {
    const Clock::time_point started = t_started;
    const std::shared_ptr<const Job> job = std::move(t_job);
    t_started = {};
    t_job.reset();
    const char* endpoint = endpoint_of(req);
    if (endpoint == nullptr) return false;
    // Requests refused before a model was chosen share "none", so clients cannot add series.
    const std::string model = job ? job->spec().model.id : "none";
    // Started is unset for requests refused before routing (e.g. a body too large).
    const MetricLabels labels = {{"endpoint", endpoint}, {"model", model}};
    if (started != Clock::time_point{}) {
        ctx.metrics.observe("claude_harness_request_duration_seconds", labels,
                            seconds(Clock::now() - started));
        if (job && job->first_text() != Clock::time_point{})
            ctx.metrics.observe("claude_harness_time_to_first_token_seconds", labels,
                                seconds(job->first_text() - started));
    }
    // Counted last: a scrape that sees the count sees the request's histograms too.
    ctx.metrics.add(
        "claude_harness_requests_total",
        {{"endpoint", endpoint}, {"model", model}, {"status", std::to_string(res.status)}});
    return !job && res.status >= 400;
}

bool metrics_public(const Settings& settings, const httplib::Request& req) {
    return req.path == "/metrics" && settings.config.server.metrics == "public";
}

void register_metrics_routes(httplib::Server& server, HttpContext& ctx) {
    declare_request_metrics(ctx.metrics);
    auto not_allowed = [](const httplib::Request& req, httplib::Response& res) {
        res.set_header("Allow", "GET, HEAD");
        send_error(res, 405, "Method " + req.method + " is not allowed on " + req.path,
                   "method_not_allowed");
    };
    server.Post("/metrics", not_allowed);
    server.Put("/metrics", not_allowed);
    server.Delete("/metrics", not_allowed);
    server.Patch("/metrics", not_allowed);
    server.Get("/metrics", [&ctx](const httplib::Request& req, httplib::Response& res) {
        if (ctx.settings()->config.server.metrics == "off")
            return send_error(res, 404, "Unknown path: " + req.method + " " + req.path,
                              "not_found");
        MetricsRegistry scrape;
        add_scrape_time(scrape, ctx);
        res.set_content(ctx.metrics.render() + scrape.render(), "text/plain; version=0.0.4");
    });
}

}  // namespace ch
