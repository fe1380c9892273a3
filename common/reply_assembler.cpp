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

}  // namespace

void ReplyAssembler::emit(std::string_view text, std::vector<ReplyDelta>& out) {
    if (text.empty()) return;
    streamed_.append(text);
    out.push_back(ReplyDelta{ReplyDelta::Kind::Text, std::string(text), {}});
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
            if (!(message_open_ && !message_text_.empty())) message_text_.clear();
            current_message_id_ = event.message_id;
            delta_text_.clear();
            assistant_text_.clear();
            message_open_ = true;
            message_usage_ = event.usage;
            out.push_back({ReplyDelta::Kind::Usage, "", event.usage});
            break;
        case CliEvent::Kind::TextDelta:
            delta_text_ += event.text;
            advance(delta_text_, out);
            break;
        case CliEvent::Kind::ThinkingDelta:
            if (!event.text.empty()) out.push_back({ReplyDelta::Kind::Thinking, event.text, {}});
            break;
        case CliEvent::Kind::MessageDelta:
            message_open_ = false;
            if (event.stop_reason == "max_tokens") {
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
                if (!message_open_) message_text_.clear();
                message_open_ = false;
                current_message_id_ = event.message_id;
                delta_text_.clear();
                assistant_text_.clear();
            }
            // One `assistant` line per content block: their texts joined make the message.
            assistant_text_ += event.text;
            advance(assistant_text_, out);
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
