#include "daemon/job_flow.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "daemon/agent_request.h"
#include "daemon/conversation_key.h"
#include "daemon/metrics_routes.h"
#include "daemon/provider_health.h"
#include "daemon/session_routing.h"

namespace ch {

InFlight::InFlight(HttpContext& ctx) : ctx_(ctx) {
    std::lock_guard guard(ctx_.in_flight_mutex);
    ++ctx_.in_flight;
}

InFlight::~InFlight() {
    std::lock_guard guard(ctx_.in_flight_mutex);
    if (--ctx_.in_flight == 0) ctx_.answered.notify_all();
}

Admission submit_chat(HttpContext& ctx, const httplib::Request& req, ChatRequest request) {
    Admission out;
    out.settings = ctx.settings();
    const Config& config = out.settings->config;
    out.model = config.find_model(request.model);
    if (!out.model) {
        ++ctx.requests_failed;
        out.status = 404;
        out.message = "The model '" + request.model +
                      "' does not exist. Known models: " + known_model_list(config);
        out.code = "model_not_found";
        out.param = "model";
        return out;
    }
    const bool session_requested =
        !req.get_header_value(kSessionHeader).empty() || request.session.has_value();
    AgentAdmission agent = admit_agent(req, *out.model, session_requested, offers_tools(request));
    if (agent.status != 0) {
        ++ctx.requests_failed;
        out.status = agent.status;
        out.code = "invalid_request";
        out.message = agent.message;
        out.param = agent.param;
        return out;
    }
    std::vector<ProviderConfig> providers;
    std::string not_ready;
    for (const auto& name : out.model->providers) {
        const ProviderConfig* provider = config.find_provider(name);
        if (provider && ctx.health->ready(name)) {
            providers.push_back(*provider);
            continue;
        }
        for (const auto& s : ctx.health->current())
            if (s.name == name)
                not_ready += (not_ready.empty() ? "" : "; ") +
                             ("provider '" + s.name + "' is not ready: " + s.reason);
    }
    if (ctx.shutting_down || providers.empty()) {
        ++ctx.requests_failed;
        out.status = 503;
        out.code = "not_ready";
        out.message = ctx.shutting_down ? "the harness is shutting down" : not_ready;
        return out;
    }
    std::string client = client_id(req, out.settings->keys);
    std::optional<JobSession> session;
    if (ctx.sessions && !agent.run) {  // an agent job works in the directory it names
        const std::string header = req.get_header_value(kSessionHeader);
        SessionPlan plan = plan_session(
            *ctx.sessions, config, client, header.empty() ? request.session.value_or("") : header,
            request.system.value_or(out.model->system_prompt), request, providers);
        if (plan.status != 0) {
            ++ctx.requests_failed;
            out.status = plan.status;
            out.code = plan.code;
            out.message = plan.message;
            out.param = plan.status == 400 ? "session_id" : "";
            return out;
        }
        session = std::move(plan.session);
    }
    std::string conversation =
        providers.size() > 1 ? conversation_key(client, request) : std::string();
    out.job = ctx.jobs->submit(JobSpec{std::move(request),
                                       *out.model,
                                       std::move(providers),
                                       std::move(client),
                                       std::move(conversation),
                                       {},
                                       std::move(session),
                                       std::move(agent.run)});
    note_request_job(out.job);
    return out;
}

void set_session_header(httplib::Response& res, const Job& job) {
    if (job.spec().session) res.set_header(kSessionHeader, job.spec().session->id);
}

void finish_log(HttpContext& ctx, const Job& job, const JobOutcome& outcome) {
    if (!outcome.ok) ++ctx.requests_failed;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - job.submitted());
    if (outcome.ok)
        spdlog::info("job {}: answered {} for {} in {} ms, tokens in {} out {}", job.id(),
                     job.spec().model.id, job.spec().client, ms.count(),
                     outcome.reply.usage.prompt_total(), outcome.reply.usage.output_tokens);
    else
        spdlog::info("job {}: failed for {} after {} ms: {} {} ({})", job.id(), job.spec().client,
                     ms.count(), outcome.http_status, outcome.code, outcome.message);
}

void cancel_for_client(HttpContext& ctx, const std::shared_ptr<Job>& job) {
    ctx.jobs->cancel(job, "the client disconnected", 499, "client_disconnected");
}

ConnectionProbe probe_for(const httplib::Request& req) {
    return ConnectionProbe(req.local_addr, req.local_port, req.remote_addr, req.remote_port);
}

std::optional<JobOutcome> failure_before_stream(HttpContext& ctx, const std::shared_ptr<Job>& job,
                                                const ConnectionProbe& probe, Duration keepalive) {
    const auto commit_by = std::chrono::steady_clock::now() + keepalive;
    const auto view = wait_watching_client(ctx, job, probe, [&](const Job::View& v) {
        const bool shown = std::any_of(v.deltas.begin(), v.deltas.end(), [](const ReplyDelta& d) {
            return d.kind != ReplyDelta::Kind::Usage;
        });
        return shown || std::chrono::steady_clock::now() >= commit_by;
    });
    if (!view.outcome || view.outcome->ok || job->has_text()) return std::nullopt;
    finish_log(ctx, *job, *view.outcome);
    return view.outcome;
}

JobEventStream::JobEventStream(HttpContext& ctx, std::shared_ptr<Job> job, Duration keepalive)
    : ctx_(ctx),
      job_(std::move(job)),
      keepalive_(keepalive),
      in_flight_(ctx),
      last_write_(std::chrono::steady_clock::now()) {}

bool JobEventStream::pump(httplib::DataSink& sink) {
    using Clock = std::chrono::steady_clock;
    const auto wake = std::min(Clock::now() + kClientCheck, last_write_ + keepalive_);
    const Job::View view = job_->wait(next_, wake);
    std::string out;
    for (const auto& delta : view.deltas) {
        ++next_;
        out += on_delta(delta);
    }
    bool done = false;
    if (view.outcome && view.deltas.empty()) {
        finish_log(ctx_, *job_, *view.outcome);
        out += finale(*view.outcome);
        done = true;
    }
    // Asked after the first deltas were seen, so it can depend on them; sent before them.
    if (!opened_) {
        out = opening() + out;
        opened_ = true;
    }
    if (out.empty() && Clock::now() - last_write_ >= keepalive_) out = keepalive_event();
    if (!sink.is_writable()) return client_gone();
    if (!out.empty()) {
        if (!sink.write(out.data(), out.size())) return client_gone();
        last_write_ = Clock::now();
    }
    if (done) sink.done();
    return true;
}

bool JobEventStream::client_gone() {
    cancel_for_client(ctx_, job_);
    return false;
}

void serve_event_stream(httplib::Response& res, std::shared_ptr<JobEventStream> stream) {
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");
    // Exactly "text/event-stream": any parameter makes cpp-httplib compress and buffer it.
    res.set_chunked_content_provider(
        "text/event-stream",
        [stream](std::size_t, httplib::DataSink& sink) { return stream->pump(sink); });
}

}  // namespace ch
