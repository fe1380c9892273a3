// Turns CliEvents into the text a client sees, exactly once. The CLI may re-send a whole
// message (new id, no message_start) after an upstream stream broke; deltas already sent are
// not repeated, only what the complete message adds.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/chat.h"
#include "common/stream_json.h"

namespace ch {

// Text and thinking as they stream; Usage carries an API message's starting usage (its input
// and cache tokens) for dialects that report it before the text.
struct ReplyDelta {
    enum class Kind { Text, Thinking, Usage };
    Kind kind = Kind::Text;
    std::string text;
    Usage usage{};  // Kind::Usage
};

struct ReplyOutcome {
    bool is_error = false;
    std::string text;         // final answer (result.result) or the CLI's error text
    std::string stop_reason;  // "end_turn", "max_tokens", "stop_sequence", ...
    std::optional<int> api_error_status;
    std::string error_kind;       // synthetic assistant `error` field, if any
    std::string terminal_reason;  // result.terminal_reason
    Usage usage;
    // result.total_cost_usd: the CLI's running total for its process, which for our one-turn
    // processes is this request's. None when the answer ended before the result line.
    std::optional<double> cost_usd;
};

class ReplyAssembler {
  public:
    // Deltas to forward to a streaming client for this event (often none).
    std::vector<ReplyDelta> on_event(const CliEvent& event);

    bool finished() const { return outcome_.has_value(); }
    const std::optional<ReplyOutcome>& outcome() const { return outcome_; }
    // Text streamed so far (what a client has already seen).
    const std::string& streamed_text() const { return streamed_; }

  private:
    // Brings the client up to date with `candidate`, the current API message's text as known
    // so far: emits what extends the text already shown for this message.
    void advance(const std::string& candidate, std::vector<ReplyDelta>& out);
    void emit(std::string_view text, std::vector<ReplyDelta>& out);

    std::string current_message_id_;
    std::string message_text_;    // text of the current message sent so far
    std::string delta_text_;      // current API message: text from its text_deltas
    std::string assistant_text_;  // current API message: text from its `assistant` lines
    Usage message_usage_;         // the current message's, from message_start
    bool message_open_ = false;   // message_start seen, its message_delta not yet
    std::string streamed_;
    std::string last_error_kind_;
    std::optional<ReplyOutcome> outcome_;
};

}  // namespace ch
