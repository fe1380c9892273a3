#include "common/reply_assembler.h"

namespace ch {

namespace {

bool starts_with(const std::string& text, const std::string& prefix) {
    return text.size() >= prefix.size() && text.compare(0, prefix.size(), prefix) == 0;
}

std::string join(const std::vector<std::string>& parts, const char* separator) {
    std::string out;
    for (const auto& part : parts) {
        if (!out.empty()) out += separator;
        out += part;
    }
    return out;
}

// The client's name of a tool of our MCP server, or "" for any other tool (the CLI's own).
std::string client_tool_name(const std::string& name) {
    return starts_with(name, kToolPrefix) ? name.substr(std::string(kToolPrefix).size()) : "";
}

ReplyDelta text_delta(ReplyDelta::Kind kind, std::string text) {
    ReplyDelta delta;
    delta.kind = kind;
    delta.text = std::move(text);
    return delta;
}

// Tells a streaming client that call number `index` begins.
ReplyDelta tool_call_start(std::size_t index, const ToolCall& call) {
    ReplyDelta delta;
    delta.kind = ReplyDelta::Kind::ToolCallStart;
    delta.tool_index = index;
    delta.tool_id = call.id;
    delta.tool_name = call.name;
    return delta;
}

}  // namespace

ReplyAssembler::ClientCall ReplyAssembler::new_call(const std::string& id,
                                                    const std::string& name) {
    ClientCall call;
    call.call.id = id;
    call.call.name = name;
    return call;
}

void ReplyAssembler::show_arguments(std::size_t i, const std::string& candidate,
                                    std::vector<ReplyDelta>& out) {
    ClientCall& call = calls_[i];
    // Sent text cannot be retracted: only what extends it goes out.
    if (!starts_with(candidate, call.shown) || candidate.size() == call.shown.size()) return;
    ReplyDelta delta;
    delta.kind = ReplyDelta::Kind::ToolCallArguments;
    delta.tool_index = i;
    delta.text = candidate.substr(call.shown.size());
    call.shown = candidate;
    out.push_back(std::move(delta));
}

void ReplyAssembler::on_tool_block(const CliEvent& event, std::vector<ReplyDelta>& out) {
    if (event.tool_calls.empty()) return;
    const std::string name = client_tool_name(event.tool_calls[0].name);
    if (name.empty()) return;
    // The n-th client tool block of a replayed stream is the n-th call already shown.
    const std::size_t i = stream_tools_++;
    if (i == calls_.size()) calls_.push_back(new_call(event.tool_calls[0].id, name));
    ClientCall& call = calls_[i];
    call.stream_index = event.index;
    call.streamed.clear();
    if (call.started) return;
    call.started = true;
    out.push_back(tool_call_start(i, call.call));
}

void ReplyAssembler::on_tool_json(const CliEvent& event, std::vector<ReplyDelta>& out) {
    for (std::size_t i = 0; i < calls_.size(); ++i) {
        if (calls_[i].stream_index != event.index) continue;
        calls_[i].streamed += event.text;
        show_arguments(i, calls_[i].streamed, out);
    }
}

void ReplyAssembler::on_tool_calls(const CliEvent& event) {
    for (const auto& tool : event.tool_calls) {
        const std::string name = client_tool_name(tool.name);
        if (name.empty()) continue;
        const std::size_t i = assistant_tools_++;
        if (i == calls_.size()) calls_.push_back(new_call(tool.id, name));
        calls_[i].call.arguments = tool.arguments;
    }
}

void ReplyAssembler::conclude_tool_use(const CliEvent& event, std::vector<ReplyDelta>& out) {
    ReplyOutcome outcome;
    for (std::size_t i = 0; i < calls_.size(); ++i) {
        ClientCall& call = calls_[i];
        if (call.call.arguments.empty()) call.call.arguments = call.streamed;
        if (call.call.arguments.empty()) call.call.arguments = "{}";
        if (!call.started) {  // known from its `assistant` line only: stream it now
            call.started = true;
            out.push_back(tool_call_start(i, call.call));
        }
        // The API's compact input and the streamed fragments are the same JSON text as a rule.
        show_arguments(i, call.call.arguments, out);
        outcome.tool_calls.push_back(call.call);
    }
    outcome.text = message_text_;
    outcome.stop_reason = event.stop_reason;
    outcome.usage = message_usage_;
    outcome.usage.output_tokens = event.usage.output_tokens;
    outcome_ = std::move(outcome);
}

void ReplyAssembler::emit(std::string_view text, std::vector<ReplyDelta>& out) {
    if (text.empty()) return;
    streamed_.append(text);
    out.push_back(text_delta(ReplyDelta::Kind::Text, std::string(text)));
}

void ReplyAssembler::advance(const std::string& candidate, std::vector<ReplyDelta>& out) {
    if (starts_with(candidate, message_text_)) {
        emit(std::string_view(candidate).substr(message_text_.size()), out);
        message_text_ = candidate;
    } else if (starts_with(message_text_, candidate)) {
        // A re-sent message still catching up with what the client already has.
    } else {
        // Diverged from text already sent; that cannot be retracted, so the client gets the
        // new text in full rather than a spliced mixture.
        emit(candidate, out);
        message_text_ = candidate;
    }
}

std::vector<ReplyDelta> ReplyAssembler::on_event(const CliEvent& event) {
    std::vector<ReplyDelta> out;
    if (outcome_) return out;  // one turn per assembler
    switch (event.kind) {
        case CliEvent::Kind::MessageStart:
            // A message_start while the previous stream never finished re-streams that reply:
            // keep what was shown so the replay is matched against it. Otherwise a new message.
            if (!(message_open_ && (!message_text_.empty() || !calls_.empty()))) {
                message_text_.clear();
                calls_.clear();
            }
            stream_tools_ = 0;
            assistant_tools_ = 0;
            current_message_id_ = event.message_id;
            delta_text_.clear();
            assistant_text_.clear();
            message_open_ = true;
            message_usage_ = event.usage;
            out.push_back(text_delta(ReplyDelta::Kind::Usage, ""));
            out.back().usage = event.usage;
            break;
        case CliEvent::Kind::TextDelta:
            delta_text_ += event.text;
            advance(delta_text_, out);
            break;
        case CliEvent::Kind::BlockStart:
            if (event.block_type == "tool_use") on_tool_block(event, out);
            break;
        case CliEvent::Kind::InputJsonDelta:
            on_tool_json(event, out);
            break;
        case CliEvent::Kind::ThinkingDelta:
            if (!event.text.empty())
                out.push_back(text_delta(ReplyDelta::Kind::Thinking, event.text));
            break;
        case CliEvent::Kind::MessageDelta:
            message_open_ = false;
            // The model asks for the client's tools: the client runs them, the turn ends here
            // (a call of the CLI's own tools is the CLI's business).
            if (event.stop_reason == "tool_use" && !calls_.empty()) {
                conclude_tool_use(event, out);
            } else if (event.stop_reason == "max_tokens") {
                // The client's max_tokens is reached. The CLI would go on with continuation
                // requests and then fail; the answer is this message as it stands.
                ReplyOutcome outcome;
                outcome.text = message_text_;
                outcome.stop_reason = event.stop_reason;
                outcome.usage = message_usage_;
                outcome.usage.output_tokens = event.usage.output_tokens;
                outcome_ = std::move(outcome);
            }
            break;
        case CliEvent::Kind::Assistant:
            if (event.model == "<synthetic>" || !event.error_kind.empty()) {
                // The CLI's own error message: its text is the error, not an answer.
                if (!event.error_kind.empty()) last_error_kind_ = event.error_kind;
                break;
            }
            if (event.message_id != current_message_id_) {
                // No message_start for this id. Mid-stream of another message, it is the CLI's
                // non-streaming retry of the broken reply (samples 55/56): it replaces that
                // reply, so only what goes beyond the shown text is new. Otherwise (no partial
                // messages, or the stream failed before message_start) it is a new message.
                if (!message_open_) {
                    message_text_.clear();
                    calls_.clear();
                }
                message_open_ = false;
                assistant_tools_ = 0;
                current_message_id_ = event.message_id;
                delta_text_.clear();
                assistant_text_.clear();
            }
            // One `assistant` line per content block: their texts joined make the message.
            assistant_text_ += event.text;
            advance(assistant_text_, out);
            on_tool_calls(event);
            // A message that came whole (the CLI's non-streaming retry) has its stop_reason.
            if (event.stop_reason == "tool_use" && !calls_.empty()) conclude_tool_use(event, out);
            break;
        case CliEvent::Kind::Result: {
            ReplyOutcome outcome;
            outcome.is_error = event.is_error;
            outcome.text = event.text;
            if (event.subtype.rfind("error", 0) == 0 && !event.errors.empty()) {
                outcome.text = join(event.errors, "; ");  // error_* subtypes have no `result`
            }
            outcome.stop_reason = event.stop_reason;
            outcome.api_error_status = event.api_error_status;
            outcome.error_kind = last_error_kind_;
            outcome.terminal_reason = event.terminal_reason;
            outcome.usage = event.usage;
            outcome.cost_usd = event.total_cost_usd;
            // A successful answer the stream has not fully shown (no text events seen) still
            // reaches the client; an error text never becomes answer text.
            if (!event.is_error) {
                if (streamed_.empty()) {
                    emit(event.text, out);
                } else if (!message_text_.empty() && starts_with(event.text, message_text_)) {
                    emit(std::string_view(event.text).substr(message_text_.size()), out);
                }
            }
            outcome_ = std::move(outcome);
            break;
        }
        default:
            break;
    }
    return out;
}

}  // namespace ch
