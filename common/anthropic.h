// The Anthropic Messages dialect (POST /v1/messages): request validation and translation into
// a ChatRequest, and rendering of messages, stream events and errors in Anthropic's shapes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/chat.h"

namespace ch::anthropic {

struct ParseResult {
    std::optional<ChatRequest> request;
    std::string error;  // 400 message naming the field, e.g. "messages.1.content: ..."
};

// Honours what the CLI can honour and refuses the rest with a 400 rather than ignoring it:
// client tools are honoured (tool_choice auto or none); stop_sequences, server tools, forced
// tool_choice (any, tool), image URLs, documents and an assistant prefill are refused; temperature,
// top_p, top_k, metadata, thinking, service_tier and cache_control are accepted and ignored (the
// CLI chooses them itself).
ParseResult parse_messages_request(std::string_view body);

// The error `type` Anthropic uses for an HTTP status (504 timeout_error, 503 and 529
// overloaded_error, other 5xx api_error, other 4xx invalid_request_error).
const char* error_type(int status);
// {"type":"error","error":{"type":...,"message":...}}
std::string error_json(int status, const std::string& message);

// stop_reason for a CLI stop_reason: end_turn, max_tokens, stop_sequence or tool_use.
std::string stop_reason(const std::string& cli_stop_reason);

// The usage object: input_tokens, cache_creation_input_tokens, cache_read_input_tokens,
// output_tokens.
std::string usage_json(const Usage& usage);

struct Block {
    enum class Kind { Text, Thinking, ToolUse };
    Kind kind = Kind::Text;
    std::string text;
    ToolCall call = {};  // Kind::ToolUse; its arguments become `input`
};

// A non-streaming `message` object.
std::string message_json(const std::string& id, const std::string& model,
                         const std::vector<Block>& content, const std::string& stop_reason,
                         const Usage& usage);

// Stream events ("event: NAME\ndata: {...}\n\n") in the order Anthropic sends them.
std::string message_start_event(const std::string& id, const std::string& model,
                                const Usage& usage);
std::string block_start_event(std::size_t index, Block::Kind kind);
std::string block_delta_event(std::size_t index, Block::Kind kind, const std::string& text);
std::string block_stop_event(std::size_t index);
// A tool_use block: its start (with `input: {}`) and a fragment of its input JSON.
std::string tool_start_event(std::size_t index, const std::string& id, const std::string& name);
std::string input_json_delta_event(std::size_t index, const std::string& partial_json);
std::string message_delta_event(const std::string& stop_reason, const Usage& usage);
std::string message_stop_event();
std::string ping_event();
std::string error_event(int status, const std::string& message);

}  // namespace ch::anthropic
