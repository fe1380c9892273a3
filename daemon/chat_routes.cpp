// POST /v1/chat/completions: validates, submits a job and answers it in OpenAI's shapes, as
// one completion or as Server-Sent Events, noticing a vanished client within a second.
#include <memory>

#include <spdlog/spdlog.h>

#include "common/openai.h"
#include "daemon/connection_probe.h"
#include "daemon/http_context.h"
#include "daemon/job_manager.h"
#include "daemon/provider_health.h"

namespace ch {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kClientCheck = 250ms;  // how often a waiting request checks its client

// Decrements the in-flight count when the last holder (handler or stream) lets go.
struct InFlight {
    explicit InFlight(HttpContext& c) : ctx(c) {
        std::lock_guard guard(ctx.in_flight_mutex);
        ++ctx.in_flight;
    }
    ~InFlight() {
        std::lock_guard guard(ctx.in_flight_mutex);
        if (--ctx.in_flight == 0) ctx.answered.notify_all();
    }
    HttpContext& ctx;
};

void finish_log(HttpContext& ctx, const Job& job, const JobOutcome& outcome) {
    if (!outcome.ok) ++ctx.requests_failed;
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - job.submitted());
    if (outcome.ok)
        spdlog::info("job {}: answered {} for {} in {} ms, tokens in {} out {}", job.id(),
                     job.spec().model.id, job.spec().client, ms.count(),
                     outcome.reply.usage.prompt_total(), outcome.reply.usage.output_tokens);
    else
        spdlog::info("job {}: failed for {} after {} ms: {} {} ({})", job.id(), job.spec().client,
                     ms.count(), outcome.http_status, outcome.code, outcome.message);
}

void send_outcome_error(httplib::Response& res, const JobOutcome& outcome) {
    send_error(res, outcome.http_status, outcome.message, outcome.code, outcome.retry_after);
}

// Waits for the job, cancelling it if the client disconnects. `until` sees each view with the
// deltas that are new since the last one and may stop the wait early.
template <typename Until>
Job::View wait_watching_client(JobManager& jobs, const std::shared_ptr<Job>& job,
                               const ConnectionProbe& probe, Until until) {
    std::size_t seen = 0;
    for (;;) {
        Job::View view = job->wait(seen, Clock::now() + kClientCheck);
        if (view.outcome || until(view)) return view;
        seen += view.deltas.size();
        if (probe.peer_gone()) {
            jobs.cancel(job, "the client disconnected", 499, "client_disconnected");
            for (;;) {  // the runner finishes a cancelled job within its signal grace periods
                view = job->wait(seen, Clock::now() + 1s);
                if (view.outcome) return view;
                seen += view.deltas.size();
            }
        }
    }
}

class ChatStream {
  public:
    ChatStream(HttpContext& ctx, std::shared_ptr<Job> job, std::int64_t created, Duration keepalive)
        : ctx_(ctx),
          job_(std::move(job)),
          created_(created),
          keepalive_(keepalive),
          in_flight_(ctx) {
        const auto& req = job_->spec().request;
        id_ = "chatcmpl-" + job_->id();
        include_usage_ = req.include_usage;
        last_write_ = Clock::now();
    }

    // One call of cpp-httplib's content provider: blocks briefly, writes what is new.
    bool pump(httplib::DataSink& sink) {
        std::string out;
        if (!role_sent_) {
            openai::Chunk role;
            role.role = "assistant";
            role.content = "";
            role.usage_null = include_usage_;
            out += event(role);
            role_sent_ = true;
        }
        const auto wake = std::min(Clock::now() + kClientCheck, last_write_ + keepalive_);
        const Job::View view = job_->wait(next_, wake);
        for (const auto& delta : view.deltas) {
            ++next_;
            if (delta.kind != ReplyDelta::Kind::Text || delta.text.empty()) continue;
            openai::Chunk chunk;
            chunk.content = delta.text;
            chunk.usage_null = include_usage_;
            out += event(chunk);
        }
        bool done = false;
        if (view.outcome && view.deltas.empty()) {
            out += finale(*view.outcome);
            done = true;
        }
        if (out.empty() && Clock::now() - last_write_ >= keepalive_) out = ": keep-alive\n\n";
        if (!sink.is_writable()) return client_gone();
        if (!out.empty()) {
            if (!sink.write(out.data(), out.size())) return client_gone();
            last_write_ = Clock::now();
        }
        if (done) sink.done();
        return true;
    }

  private:
    std::string event(const openai::Chunk& chunk) const {
        return openai::chunk_event(id_, created_, job_->spec().model.id, chunk);
    }

    std::string finale(const JobOutcome& outcome) {
        finish_log(ctx_, *job_, outcome);
        if (!outcome.ok)
            return openai::error_event(outcome.http_status, outcome.message, outcome.code);
        std::string out;
        openai::Chunk finish;
        finish.content = std::nullopt;
        finish.finish_reason = openai::finish_reason(outcome.reply.stop_reason);
        finish.usage_null = include_usage_;
        out += event(finish);
        if (include_usage_) {
            openai::Chunk usage;
            usage.usage = outcome.reply.usage;
            out += event(usage);
        }
        out += "data: [DONE]\n\n";
        return out;
    }

    bool client_gone() {
        ctx_.jobs->cancel(job_, "the client disconnected", 499, "client_disconnected");
        return false;
    }

    HttpContext& ctx_;
    std::shared_ptr<Job> job_;
    std::int64_t created_;
    Duration keepalive_;
    InFlight in_flight_;
    std::string id_;
    bool include_usage_ = false;
    bool role_sent_ = false;
    std::size_t next_ = 0;
    Clock::time_point last_write_;
};

void handle_chat(HttpContext& ctx, const httplib::Request& req, httplib::Response& res) {
    ++ctx.requests_total;
    auto in_flight = std::make_unique<InFlight>(ctx);
    auto parsed = openai::parse_chat_request(req.body);
    if (!parsed.request) {
        ++ctx.requests_failed;
        send_error(res, 400, parsed.error, "invalid_request", std::nullopt, parsed.param);
        return;
    }
    ChatRequest& request = *parsed.request;
    const auto settings = ctx.settings();
    const Config& config = settings->config;
    const ModelConfig* model = config.find_model(request.model);
    if (!model) {
        ++ctx.requests_failed;
        send_error(res, 404,
                   "The model '" + request.model +
                       "' does not exist. Known models: " + known_model_list(config),
                   "model_not_found", std::nullopt, "model");
        return;
    }
    const ProviderConfig* provider = config.find_provider(model->provider);
    if (ctx.shutting_down || !provider || !ctx.health->ready(provider->name)) {
        ++ctx.requests_failed;
        std::string reason = ctx.shutting_down ? "the harness is shutting down" : "";
        if (reason.empty())
            for (const auto& s : ctx.health->current())
                if (provider && s.name == provider->name)
                    reason = "provider '" + s.name + "' is not ready: " + s.reason;
        send_error(res, 503, reason, "not_ready");
        return;
    }
    const bool stream = request.stream;
    auto job = ctx.jobs->submit(
        JobSpec{std::move(request), *model, *provider, client_id(req, settings->keys), {}});
    const std::int64_t created = std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
    const ConnectionProbe probe(req.local_addr, req.local_port, req.remote_addr, req.remote_port);

    if (!stream) {
        const auto view =
            wait_watching_client(*ctx.jobs, job, probe, [](const Job::View&) { return false; });
        const JobOutcome& outcome = *view.outcome;
        finish_log(ctx, *job, outcome);
        if (!outcome.ok) return send_outcome_error(res, outcome);
        res.set_content(openai::completion_json(
                            "chatcmpl-" + job->id(), created, model->id, outcome.reply.text,
                            openai::finish_reason(outcome.reply.stop_reason), outcome.reply.usage),
                        "application/json");
        return;
    }

    // A stream commits to 200 once the first text arrives or a keep-alive is due; failures
    // before that (usage limit, queue full, CLI error) still get their own status.
    const auto keepalive = config.server.keepalive_interval;
    const auto commit_by = Clock::now() + keepalive;
    const auto view = wait_watching_client(*ctx.jobs, job, probe, [&](const Job::View& v) {
        return !v.deltas.empty() || Clock::now() >= commit_by;
    });
    // Text already produced is streamed, even when the job failed right after it.
    if (view.outcome && !view.outcome->ok && !job->has_text()) {
        finish_log(ctx, *job, *view.outcome);
        return send_outcome_error(res, *view.outcome);
    }
    auto state = std::make_shared<ChatStream>(ctx, job, created, keepalive);
    in_flight.reset();  // the stream holds its own
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");
    // Exactly "text/event-stream": any parameter makes cpp-httplib compress and buffer it.
    res.set_chunked_content_provider(
        "text/event-stream",
        [state](std::size_t, httplib::DataSink& sink) { return state->pump(sink); });
}

}  // namespace

void register_chat_routes(httplib::Server& server, HttpContext& ctx) {
    server.Post("/v1/chat/completions",
                [&ctx](const httplib::Request& req, httplib::Response& res) {
                    handle_chat(ctx, req, res);
                });
}

}  // namespace ch
