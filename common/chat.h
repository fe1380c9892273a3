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

struct ChatMessage {
    std::string role;  // "user" or "assistant"
    std::vector<ContentPart> parts;
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
};

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
