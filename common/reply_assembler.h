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
// and cache tokens) for dialects that report it before the text. A call of a client tool
// streams as ToolCallStart (tool_index, tool_id, tool_name without the MCP prefix) and then
// ToolCallArguments (tool_index, text = the next fragment of its arguments' JSON).
struct ReplyDelta {
    enum class Kind { Text, Thinking, Usage, ToolCallStart, ToolCallArguments };
    Kind kind = Kind::Text;
    std::string text;
    Usage usage{};  // Kind::Usage
    std::size_t tool_index = 0;
    std::string tool_id;
    std::string tool_name;
};

struct ReplyOutcome {
    bool is_error = false;
    std::string text;         // final answer (result.result) or the CLI's error text
    std::string stop_reason;  // "end_turn", "max_tokens", "stop_sequence", "tool_use", ...
    // stop_reason "tool_use": the client's tools the model called (names without the MCP
    // prefix, complete arguments); the client runs them and sends the results.
    std::vector<ToolCall> tool_calls;
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
    // A call of a client tool in the current API message.
    struct ClientCall {
        ToolCall call;          // as the client sees it; arguments: the complete ones, if known
        std::string streamed;   // arguments from this stream's input_json_deltas
        std::string shown;      // arguments the client has been sent
        bool started = false;   // ToolCallStart sent
        int stream_index = -1;  // content block index in the current stream
    };
    static ClientCall new_call(const std::string& id, const std::string& name);
    void on_tool_block(const CliEvent& event, std::vector<ReplyDelta>& out);
    void on_tool_json(const CliEvent& event, std::vector<ReplyDelta>& out);
    void on_tool_calls(const CliEvent& event);
    void show_arguments(std::size_t i, const std::string& candidate, std::vector<ReplyDelta>& out);
    void conclude_tool_use(const CliEvent& event, std::vector<ReplyDelta>& out);

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
    std::vector<ClientCall> calls_;    // the current message's; kept across its replays
    std::size_t stream_tools_ = 0;     // client tool blocks seen in the current stream
    std::size_t assistant_tools_ = 0;  // client tool blocks seen in its `assistant` lines
    std::string last_error_kind_;
    std::optional<ReplyOutcome> outcome_;
};

}  // namespace ch
