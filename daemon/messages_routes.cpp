// POST /v1/messages: the Anthropic Messages API over the same job flow as chat completions,
// answered as one `message` or as Anthropic's stream events with `ping` keep-alives.
#include <memory>

#include "common/anthropic.h"
#include "daemon/agent_render.h"
#include "daemon/job_flow.h"

namespace ch {
namespace {

using Block = anthropic::Block;

void send_anthropic_error(httplib::Response& res, int status, const std::string& message,
                          std::optional<long> retry_after = std::nullopt) {
    res.status = status;
    if (retry_after) res.set_header("Retry-After", std::to_string(*retry_after));
    res.set_content(anthropic::error_json(status, message), "application/json");
}

void send_outcome_error(httplib::Response& res, const JobOutcome& outcome) {
    send_anthropic_error(res, outcome.http_status, outcome.message, outcome.retry_after);
}

Block::Kind block_kind(const ReplyDelta& delta) {
    return delta.kind == ReplyDelta::Kind::Thinking ? Block::Kind::Thinking : Block::Kind::Text;
}

// Renders the job's deltas as content blocks: a new block whenever the kind changes.
class MessageStream : public JobEventStream {
  public:
    using JobEventStream::JobEventStream;

  private:
    // message_start carries the input and cache tokens of the CLI's own message_start when it
    // came before the stream began (it precedes the text); else zeros. message_delta has all
    // counts either way.
    std::string opening() override { return start(Usage{}); }

    std::string start(const Usage& usage) {
        if (started_) return "";
        started_ = true;
        return anthropic::message_start_event("msg_" + job_->id(), job_->spec().model.id, usage);
    }

    std::string on_delta(const ReplyDelta& delta) override {
        if (delta.kind == ReplyDelta::Kind::Usage) return start(delta.usage);
        if (delta.kind == ReplyDelta::Kind::ToolCallStart) {
            std::string out = start(Usage{}) + close_block();
            open_ = Block::Kind::ToolUse;
            had_tool_ = true;
            tool_ = delta.tool_index;
            return out + anthropic::tool_start_event(index_, delta.tool_id, delta.tool_name);
        }
        if (delta.kind == ReplyDelta::Kind::ToolCallArguments) {
            // Arguments belong to the open tool_use block; a closed block takes no more.
            if (open_ != Block::Kind::ToolUse || tool_ != delta.tool_index) return "";
            return anthropic::input_json_delta_event(index_, delta.text);
        }
        if (delta.text.empty()) return "";
        const Block::Kind kind = block_kind(delta);
        std::string out = start(Usage{});
        if (!open_ || *open_ != kind) out += open_block(kind);
        return out + anthropic::block_delta_event(index_, kind, delta.text);
    }

    std::string finale(const JobOutcome& outcome) override {
        if (!outcome.ok) return anthropic::error_event(outcome.http_status, outcome.message);
        std::string out = start(Usage{});
        // A message has a text block, unless it calls tools.
        if (!had_text_ && !had_tool_) out += open_block(Block::Kind::Text);
        out += close_block();
        out += sse_with_agent_summary(
            anthropic::message_delta_event(anthropic::stop_reason(outcome.reply.stop_reason),
                                           outcome.reply.usage),
            *job_);
        return out + anthropic::message_stop_event();
    }

    std::string keepalive_event() const override { return anthropic::ping_event(); }

    std::string close_block() {
        if (!open_) return "";
        open_.reset();
        return anthropic::block_stop_event(index_++);
    }

    std::string open_block(Block::Kind kind) {
        std::string out = close_block();
        open_ = kind;
        had_text_ = had_text_ || kind == Block::Kind::Text;
        return out + anthropic::block_start_event(index_, kind);
    }

    bool started_ = false;
    std::optional<Block::Kind> open_;
    bool had_text_ = false;
    bool had_tool_ = false;
    std::size_t tool_ = 0;  // the client tool call the open tool_use block holds
    std::size_t index_ = 0;
};

// Thinking as one block before the answer's text block (the CLI thinks before it answers),
// then the tool calls; no empty text block before tool calls.
std::vector<Block> message_content(const std::string& thinking, const ReplyOutcome& reply) {
    std::vector<Block> content;
    if (!thinking.empty()) content.push_back({Block::Kind::Thinking, thinking, {}});
    if (!reply.text.empty() || reply.tool_calls.empty())
        content.push_back({Block::Kind::Text, reply.text, {}});
    for (const auto& call : reply.tool_calls)
        content.push_back({Block::Kind::ToolUse, "", call});
    return content;
}

void handle_messages(HttpContext& ctx, const httplib::Request& req, httplib::Response& res) {
    ++ctx.requests_total;
    auto in_flight = std::make_unique<InFlight>(ctx);
    auto parsed = anthropic::parse_messages_request(req.body);
    if (!parsed.request) {
        ++ctx.requests_failed;
        return send_anthropic_error(res, 400, parsed.error);
    }
    const bool stream = parsed.request->stream;
    const Admission admitted = submit_chat(ctx, req, std::move(*parsed.request));
    if (!admitted.job) return send_anthropic_error(res, admitted.status, admitted.message);
    const auto& job = admitted.job;
    set_session_header(res, *job);
    const ConnectionProbe probe = probe_for(req);

    if (!stream) {
        std::string thinking;
        const auto view = wait_watching_client(ctx, job, probe, [&](const Job::View& v) {
            for (const auto& delta : v.deltas)
                if (delta.kind == ReplyDelta::Kind::Thinking) thinking += delta.text;
            return false;
        });
        const JobOutcome& outcome = *view.outcome;
        for (const auto& delta : view.deltas)
            if (delta.kind == ReplyDelta::Kind::Thinking) thinking += delta.text;
        finish_log(ctx, *job, outcome);
        if (!outcome.ok) return send_outcome_error(res, outcome);
        res.set_content(with_agent_summary(anthropic::message_json(
                                               "msg_" + job->id(), admitted.model->id,
                                               message_content(thinking, outcome.reply),
                                               anthropic::stop_reason(outcome.reply.stop_reason),
                                               outcome.reply.usage),
                                           *job),
                        "application/json");
        return;
    }

    const auto keepalive = admitted.settings->config.server.keepalive_interval;
    if (const auto failed = failure_before_stream(ctx, job, probe, keepalive))
        return send_outcome_error(res, *failed);
    auto state = std::make_shared<MessageStream>(ctx, job, keepalive);
    in_flight.reset();  // the stream holds its own
    serve_event_stream(res, std::move(state));
}

}  // namespace

void register_messages_routes(httplib::Server& server, HttpContext& ctx) {
    server.Post("/v1/messages", [&ctx](const httplib::Request& req, httplib::Response& res) {
        handle_messages(ctx, req, res);
    });
}

}  // namespace ch
