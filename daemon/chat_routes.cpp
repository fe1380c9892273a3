// POST /v1/chat/completions: validates, submits a job and answers it in OpenAI's shapes, as
// one completion or as Server-Sent Events, noticing a vanished client within a second.
#include <memory>

#include <nlohmann/json.hpp>

#include "common/openai.h"
#include "daemon/agent_render.h"
#include "daemon/job_flow.h"

namespace ch {
namespace {

void send_outcome_error(httplib::Response& res, const JobOutcome& outcome) {
    send_error(res, outcome.http_status, outcome.message, outcome.code, outcome.retry_after);
}

// The completion with a top-level "session_id": OpenAI's clients keep members they do not know.
std::string with_session_id(const std::string& completion, const std::string& session) {
    auto j = nlohmann::ordered_json::parse(completion);
    j["session_id"] = session;
    return j.dump();
}

class ChatStream : public JobEventStream {
  public:
    ChatStream(HttpContext& ctx, std::shared_ptr<Job> job, std::int64_t created, Duration keepalive)
        : JobEventStream(ctx, std::move(job), keepalive),
          id_("chatcmpl-" + job_->id()),
          created_(created),
          include_usage_(job_->spec().request.include_usage) {}

  private:
    std::string opening() override {
        openai::Chunk role;
        role.role = "assistant";
        role.content = "";
        role.usage_null = include_usage_;
        return event(role);
    }

    std::string on_delta(const ReplyDelta& delta) override {
        if (delta.kind == ReplyDelta::Kind::ToolCallStart ||
            delta.kind == ReplyDelta::Kind::ToolCallArguments) {
            openai::Chunk chunk;
            chunk.tool_call =
                openai::ToolCallDelta{delta.tool_index, delta.tool_id, delta.tool_name, delta.text};
            chunk.usage_null = include_usage_;
            return event(chunk);
        }
        if (delta.kind != ReplyDelta::Kind::Text || delta.text.empty()) return "";
        openai::Chunk chunk;
        chunk.content = delta.text;
        chunk.usage_null = include_usage_;
        return event(chunk);
    }

    std::string finale(const JobOutcome& outcome) override {
        if (!outcome.ok)
            return openai::error_event(outcome.http_status, outcome.message, outcome.code);
        std::string out;
        openai::Chunk finish;
        finish.content = std::nullopt;
        finish.finish_reason = openai::finish_reason(outcome.reply.stop_reason);
        finish.usage_null = include_usage_;
        out += sse_with_agent_summary(event(finish), *job_);
        if (include_usage_) {
            openai::Chunk usage;
            usage.usage = outcome.reply.usage;
            out += event(usage);
        }
        out += "data: [DONE]\n\n";
        return out;
    }

    std::string keepalive_event() const override { return ": keep-alive\n\n"; }

    std::string event(const openai::Chunk& chunk) const {
        return openai::chunk_event(id_, created_, job_->spec().model.id, chunk);
    }

    const std::string id_;
    const std::int64_t created_;
    const bool include_usage_;
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
    const bool stream = parsed.request->stream;
    const Admission admitted = submit_chat(ctx, req, std::move(*parsed.request));
    if (!admitted.job)
        return send_error(res, admitted.status, admitted.message, admitted.code, std::nullopt,
                          admitted.param);
    const auto& job = admitted.job;
    set_session_header(res, *job);
    const ModelConfig* model = admitted.model;
    const std::int64_t created = std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
    const ConnectionProbe probe = probe_for(req);

    if (!stream) {
        const auto view =
            wait_watching_client(ctx, job, probe, [](const Job::View&) { return false; });
        const JobOutcome& outcome = *view.outcome;
        finish_log(ctx, *job, outcome);
        if (!outcome.ok) return send_outcome_error(res, outcome);
        std::string body =
            openai::completion_json("chatcmpl-" + job->id(), created, model->id, outcome.reply.text,
                                    openai::finish_reason(outcome.reply.stop_reason),
                                    outcome.reply.usage, outcome.reply.tool_calls);
        if (job->spec().session) body = with_session_id(body, job->spec().session->id);
        body = with_agent_summary(body, *job);
        res.set_content(body, "application/json");
        return;
    }

    const auto keepalive = admitted.settings->config.server.keepalive_interval;
    if (const auto failed = failure_before_stream(ctx, job, probe, keepalive))
        return send_outcome_error(res, *failed);
    auto state = std::make_shared<ChatStream>(ctx, job, created, keepalive);
    in_flight.reset();  // the stream holds its own
    serve_event_stream(res, std::move(state));
}

}  // namespace

void register_chat_routes(httplib::Server& server, HttpContext& ctx) {
    server.Post("/v1/chat/completions",
                [&ctx](const httplib::Request& req, httplib::Response& res) {
                    handle_chat(ctx, req, res);
                });
}

}  // namespace ch
