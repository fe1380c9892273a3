// Dialect-neutral chat request and usage: what the HTTP dialects translate into and the
// job runner renders for the CLI.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ch {

struct ContentPart {
    enum class Kind { Text, Image };
    Kind kind = Kind::Text;
    std::string text;        // Kind::Text
    std::string media_type;  // Kind::Image, e.g. "image/png"
    std::string data;        // Kind::Image, base64 as received
};

// A call of a client-defined tool made by the assistant.
struct ToolCall {
    std::string id;
    std::string name;       // the client's name, without the MCP prefix
    std::string arguments;  // a JSON object as text
};

// The client's answer to one ToolCall.
struct ToolResult {
    std::string call_id;
    std::string content;  // text parts joined
    bool is_error = false;
};

struct ChatMessage {
    std::string role;  // "user" or "assistant"
    std::vector<ContentPart> parts;
    std::vector<ToolCall> tool_calls = {};      // assistant: calls made after its text
    std::vector<ToolResult> tool_results = {};  // user: results given before its text
};

// A tool the client defines; the model may call it, the client runs it.
struct ToolDefinition {
    std::string name;
    std::string description;
    std::string input_schema;  // JSON Schema object as text
};

struct ChatRequest {
    std::string model;                  // as the client named it (id or alias)
    std::optional<std::string> system;  // joined system/developer text; nullopt = none sent
    std::vector<ChatMessage> messages;
    bool stream = false;
    bool include_usage = false;  // stream_options.include_usage
    std::optional<std::int64_t> max_tokens;
    std::string user;  // client-supplied end-user id, for logs only
    std::optional<std::string>
        session;  // the session to continue ("session_id"); "new" = start one
    std::vector<ToolDefinition> tools;
    bool tool_choice_none = false;  // tool_choice "none": the tools are not offered at all
};

// The tools the CLI is offered for this request (none when tool_choice is "none").
inline bool offers_tools(const ChatRequest& request) {
    return !request.tools.empty() && !request.tool_choice_none;
}

// The MCP server the tools are offered through, and the prefix the CLI gives their names.
inline constexpr const char* kToolServer = "client";
inline constexpr const char* kToolPrefix = "mcp__client__";
// Tool names: ^[a-zA-Z0-9_-]{1,64}$ for the dialects, minus the prefix the model sees.
inline constexpr std::size_t kMaxToolName = 64 - 13;
// "" when `name` is fine, else why not.
inline std::string check_tool_name(const std::string& name) {
    if (name.empty() || name.size() > kMaxToolName)
        return "tool names must have 1 to " + std::to_string(kMaxToolName) +
               " characters here (the CLI adds the prefix '" + kToolPrefix + "' within 64)";
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!ok) return "tool names may only contain a-z, A-Z, 0-9, '_' and '-'";
    }
    return "";
}

// Token counts as the CLI reports them; dialects derive their own totals.
struct Usage {
    std::int64_t input_tokens = 0;
    std::int64_t cache_read_input_tokens = 0;
    std::int64_t cache_creation_input_tokens = 0;
    std::int64_t output_tokens = 0;

    std::int64_t prompt_total() const {
        return input_tokens + cache_read_input_tokens + cache_creation_input_tokens;
    }
};

}  // namespace ch
