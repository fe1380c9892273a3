// The OpenAI chat-completions dialect: request validation and translation into a ChatRequest,
// and rendering of completions, stream chunks and errors in OpenAI's exact shapes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/chat.h"

namespace ch::openai {

struct ParseResult {
    std::optional<ChatRequest> request;
    std::string error;  // 400 message naming the field, e.g. "messages[2].content: expected ..."
    std::string param;  // OpenAI error `param` (the field path), may be empty
};

ParseResult parse_chat_request(std::string_view body);

// finish_reason for a CLI stop_reason: "max_tokens" -> "length", "tool_use" -> "tool_calls",
// everything else "stop".
std::string finish_reason(const std::string& stop_reason);

// {"prompt_tokens", "completion_tokens", "total_tokens", "prompt_tokens_details":{"cached_tokens"}}
std::string usage_json(const Usage& usage);

// Non-streaming `chat.completion` object; with tool calls `content` is null when `text` is empty.
std::string completion_json(const std::string& id, std::int64_t created, const std::string& model,
                            const std::string& text, const std::string& finish_reason,
                            const Usage& usage, const std::vector<ToolCall>& tool_calls = {});

// One element of a chunk's delta.tool_calls: the start of call `index` (id and name set,
// arguments "") or a fragment of its arguments (id empty).
struct ToolCallDelta {
    std::size_t index = 0;
    std::string id;
    std::string name;
    std::string arguments;
};

// One `chat.completion.chunk` as an SSE event ("data: {...}\n\n"). Exactly one of role,
// content, tool_call and finish_reason is set per chunk; `usage` only on the final usage chunk
// (choices []).
struct Chunk {
    std::optional<std::string> role;
    std::optional<std::string> content;
    std::optional<ToolCallDelta> tool_call;
    std::optional<std::string> finish_reason;
    std::optional<Usage> usage;
    // The client asked for stream_options.include_usage: OpenAI then also sends
    // "usage": null on every chunk before the usage chunk.
    bool usage_null = false;
};
std::string chunk_event(const std::string& id, std::int64_t created, const std::string& model,
                        const Chunk& chunk);

// {"error":{"message","type","param","code"}}; type follows the status (invalid_request_error,
// authentication_error, not_found_error, rate_limit_error, api_error, ...).
std::string error_json(int status, const std::string& message, const std::string& param = "",
                       const std::string& code = "");
// The same object as the last SSE event of a failed stream.
std::string error_event(int status, const std::string& message, const std::string& code = "");

}  // namespace ch::openai
