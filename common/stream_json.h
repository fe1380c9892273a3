// Reading the CLI's stream-json output: bytes are split into lines before any decoding (so a
// multi-byte character split across reads arrives intact), and each line becomes a CliEvent.
// Unknown types and subtypes are ignored, as the CLI's schema grows.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/chat.h"

namespace ch {

class LineSplitter {
  public:
    explicit LineSplitter(std::size_t max_line = 256u << 20) : max_line_(max_line) {}

    // Calls on_line for every complete line (without the '\n'). Returns false when a line
    // exceeds max_line (the rest of that line is dropped).
    bool feed(std::string_view bytes, const std::function<void(std::string_view)>& on_line);
    // Whatever followed the last newline (a line cut short by EOF).
    std::string take_rest();

  private:
    std::string buffer_;
    std::size_t max_line_;
    bool overflow_ = false;
};

struct CliEvent {
    enum class Kind {
        Ignored,         // valid JSON of a type we do not use
        Invalid,         // not JSON or not an object: `error` says why
        Init,            // system/init
        ApiRetry,        // system/api_retry
        MessageStart,    // stream_event message_start: message_id, usage (input side)
        BlockStart,      // stream_event content_block_start: index, block_type (tool_use: tool)
        TextDelta,       // stream_event content_block_delta text_delta: index, text
        ThinkingDelta,   // stream_event content_block_delta thinking_delta: index, text
        InputJsonDelta,  // stream_event content_block_delta input_json_delta: index, text
        BlockStop,       // stream_event content_block_stop: index
        MessageDelta,    // stream_event message_delta: stop_reason, usage.output_tokens
        Assistant,  // assistant: message_id, text (all text blocks joined), tool_calls, error_kind
        Result,     // result
    };
    Kind kind = Kind::Ignored;

    std::string message_id;
    int index = 0;
    std::string block_type;  // BlockStart: "text", "thinking", "tool_use", ...
    std::string text;        // deltas; Assistant: its text; Result: `result` (may be absent)
    // BlockStart of a tool_use block: its id and name (arguments empty); Assistant: its
    // tool_use blocks with their complete input as JSON text. Names as the model used them.
    std::vector<ToolCall> tool_calls;
    std::string stop_reason;
    Usage usage;
    bool has_usage = false;

    // Result
    bool is_error = false;
    std::string subtype;                  // "success", "error_max_turns", ...
    std::optional<int> api_error_status;  // HTTP status the CLI got upstream
    std::vector<std::string> errors;      // error_* subtypes carry these instead of `result`
    std::string terminal_reason;
    std::string session_id;
    double total_cost_usd = 0;  // cumulative over the process lifetime: take differences

    // ApiRetry (api_error_status holds `error_status`, null for connection errors)
    int attempt = 0;
    int max_retries = 0;
    double retry_delay_ms = 0;

    // Assistant: the synthetic error message's `error` field ("authentication_failed", ...);
    // ApiRetry: the retry's `error`.
    std::string error_kind;
    std::string model;  // Init, Assistant

    std::string error;  // Invalid: what was wrong
};

// Never throws. A blank line is Ignored; a JSON object without a known `type` is Ignored.
CliEvent parse_cli_line(std::string_view line);

}  // namespace ch
