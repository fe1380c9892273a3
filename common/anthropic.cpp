#include "common/anthropic.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "common/anthropic_tools.h"

namespace ch::anthropic {

using detail::check_tool_results;
using detail::Invalid;
using detail::member;
using detail::parse_tools;
using detail::reject;
using detail::required_string;

namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;  // Anthropic's field order in what we render

// Ignored by the CLI but type-checked, so a typo is not mistaken for a setting in force.
void check_number(const json& body, const char* key) {
    if (const json* value = member(body, key); value && !value->is_number())
        reject(key, "expected a number");
}

ContentPart image_part(const json& block, const std::string& path) {
    const json* source = member(block, "source");
    if (!source || !source->is_object()) reject(path + "source", "Field required (object)");
    const std::string& type = required_string(*source, "type", path + "source.");
    if (type == "url")
        reject(path + "source.type",
               "image URLs are not supported: send the image as a base64 source");
    if (type != "base64") reject(path + "source.type", "unsupported image source '" + type + "'");
    static const std::set<std::string> kMedia = {"image/png", "image/jpeg", "image/gif",
                                                 "image/webp"};
    const std::string& media = required_string(*source, "media_type", path + "source.");
    if (!kMedia.count(media))
        reject(path + "source.media_type",
               "unsupported '" + media + "' (image/png, image/jpeg, image/gif or image/webp)");
    const std::string& data = required_string(*source, "data", path + "source.");
    const bool base64 = !data.empty() && std::all_of(data.begin(), data.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=';
    });
    if (!base64) reject(path + "source.data", "not valid base64");
    ContentPart part;
    part.kind = ContentPart::Kind::Image;
    part.media_type = media;
    part.data = data;
    return part;
}

// One text block, or an image where `images` allows it. cache_control and citations are
// ignored. `at` is the block's path with a trailing '.'.
ContentPart block_part(const json& block, const std::string& at, bool images) {
    if (!block.is_object()) reject(at.substr(0, at.size() - 1), "expected an object");
    const std::string& type = required_string(block, "type", at);
    if (type == "text")
        return {ContentPart::Kind::Text, required_string(block, "text", at), {}, {}};
    if (type == "image" && images) return image_part(block, at);
    reject(at + "type", "content blocks of type '" + type + "' are not supported here");
}

std::vector<ContentPart> content_parts(const json& content, const std::string& path, bool images) {
    if (content.is_string())
        return {ContentPart{ContentPart::Kind::Text, content.get<std::string>(), {}, {}}};
    if (!content.is_array()) reject(path, "expected a string or an array of content blocks");
    if (content.empty() && path != "system") reject(path, "must not be empty");
    std::vector<ContentPart> parts;
    for (std::size_t i = 0; i < content.size(); ++i)
        parts.push_back(block_part(content[i], path + "." + std::to_string(i) + ".", images));
    return parts;
}

ToolCall tool_use_block(const json& block, const std::string& at) {
    ToolCall call;
    call.id = required_string(block, "id", at);
    if (call.id.empty()) reject(at + "id", "must not be empty");
    call.name = required_string(block, "name", at);
    const json* input = member(block, "input");
    if (input && !input->is_object()) reject(at + "input", "expected an object");
    call.arguments = input ? input->dump() : "{}";
    return call;
}

ToolResult tool_result_block(const json& block, const std::string& at) {
    ToolResult result;
    result.call_id = required_string(block, "tool_use_id", at);
    if (const json* content = member(block, "content")) {
        // Images in results are refused: the result is rendered into the prompt as text.
        for (const auto& part : content_parts(*content, at + "content", false))
            result.content += (result.content.empty() ? "" : "\n") + part.text;
    }
    if (const json* is_error = member(block, "is_error")) {
        if (!is_error->is_boolean()) reject(at + "is_error", "expected a boolean");
        result.is_error = is_error->get<bool>();
    }
    return result;
}

// A message's content: text (and images from the user), tool_use blocks from the assistant
// (rendered after its text, wherever they stand), tool_result blocks from the user (before
// any other block, as Anthropic requires).
ChatMessage message_content(const std::string& role, const json& content, const std::string& path) {
    ChatMessage message{role, {}, {}, {}};
    if (!content.is_array()) {
        message.parts = content_parts(content, path, role == "user");
        return message;
    }
    if (content.empty()) reject(path, "must not be empty");
    for (std::size_t i = 0; i < content.size(); ++i) {
        const json& block = content[i];
        const std::string at = path + "." + std::to_string(i) + ".";
        const std::string type = block.is_object() ? block.value("type", "") : "";
        if (type == "tool_use") {
            if (role != "assistant") reject(at + "type", "tool_use blocks come from the assistant");
            message.tool_calls.push_back(tool_use_block(block, at));
        } else if (type == "tool_result") {
            if (role != "user") reject(at + "type", "tool_result blocks come from the user");
            if (!message.parts.empty())
                reject(at + "type", "tool_result blocks must come before any other content");
            message.tool_results.push_back(tool_result_block(block, at));
        } else {
            message.parts.push_back(block_part(block, at, role == "user"));
        }
    }
    return message;
}

std::optional<std::string> system_text(const json& body) {
    const json* system = member(body, "system");
    if (!system) return std::nullopt;
    std::string joined;
    for (const auto& part : content_parts(*system, "system", false))
        joined += (joined.empty() ? "" : "\n\n") + part.text;
    return joined;
}

ChatRequest parse_body(const json& body) {
    if (!body.is_object()) reject("", "the request body must be a JSON object");
    ChatRequest request;
    request.model = required_string(body, "model", "");
    if (request.model.empty()) reject("model", "must not be empty");

    // Required by Anthropic; the CLI gets it as its output token limit.
    const json* max_tokens = member(body, "max_tokens");
    if (!max_tokens) reject("max_tokens", "Field required");
    if (!max_tokens->is_number_integer() || max_tokens->get<std::int64_t>() < 1)
        reject("max_tokens", "expected an integer of at least 1");
    request.max_tokens = max_tokens->get<std::int64_t>();

    const json* messages = member(body, "messages");
    if (!messages || !messages->is_array() || messages->empty())
        reject("messages", "Field required (a non-empty array)");
    std::vector<std::string> system_messages;
    std::set<std::string> calls;  // tool_use ids so far
    for (std::size_t i = 0; i < messages->size(); ++i) {
        const json& message = (*messages)[i];
        const std::string at = "messages." + std::to_string(i);
        if (!message.is_object()) reject(at, "expected an object");
        const std::string& role = required_string(message, "role", at + ".");
        if (role != "user" && role != "assistant" && role != "system")
            reject(at + ".role", "expected 'user', 'assistant' or 'system', got '" + role + "'");
        const json* content = member(message, "content");
        if (!content) reject(at + ".content", "Field required");
        if (role == "system") {
            // Claude Code sends context this way; it joins the system prompt.
            for (const auto& part : content_parts(*content, at + ".content", false))
                system_messages.push_back(part.text);
            continue;
        }
        request.messages.push_back(message_content(role, *content, at + ".content"));
        check_tool_results(request.messages.back(), at + ".content", calls);
    }
    if (request.messages.empty()) reject("messages", "no user message");
    // A trailing assistant message asks the model to continue it; the CLI cannot.
    if (request.messages.back().role != "user")
        reject("messages",
               "the last message must have role 'user' (assistant prefill is "
               "not supported)");
    request.system = system_text(body);
    for (const auto& text : system_messages)
        request.system = (request.system && !request.system->empty() ? *request.system + "\n\n"
                                                                     : std::string()) +
                         text;

    if (const json* stream = member(body, "stream")) {
        if (!stream->is_boolean()) reject("stream", "expected a boolean");
        request.stream = stream->get<bool>();
    }
    if (const json* stops = member(body, "stop_sequences")) {
        if (!stops->is_array()) reject("stop_sequences", "expected an array of strings");
        if (!stops->empty())
            reject("stop_sequences",
                   "stop sequences are not supported: the Claude CLI has no "
                   "way to pass them");
    }
    parse_tools(body, request);
    if (const json* metadata = member(body, "metadata")) {
        if (!metadata->is_object()) reject("metadata", "expected an object");
        if (const json* user = member(*metadata, "user_id"); user && user->is_string())
            request.user = user->get<std::string>();
    }
    if (const json* session = member(body, "session_id")) {
        if (!session->is_string()) reject("session_id", "expected a string");
        request.session = session->get<std::string>();
    }
    for (const char* key : {"temperature", "top_p", "top_k"})
        check_number(body, key);
    return request;
}

std::string dump(const ojson& value) {
    // The CLI's strings may hold invalid UTF-8; replace bad bytes rather than throw.
    return value.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

ojson usage_object(const Usage& usage) {
    ojson out;
    out["input_tokens"] = usage.input_tokens;
    out["cache_creation_input_tokens"] = usage.cache_creation_input_tokens;
    out["cache_read_input_tokens"] = usage.cache_read_input_tokens;
    out["output_tokens"] = usage.output_tokens;
    return out;
}

ojson block_object(const Block& block) {
    if (block.kind == Block::Kind::ToolUse) {
        // Arguments the model wrote are JSON; should they not parse, they are passed as text.
        ojson input = ojson::parse(block.call.arguments, nullptr, false);
        if (input.is_discarded()) input = block.call.arguments;
        return ojson{{"type", "tool_use"},
                     {"id", block.call.id},
                     {"name", block.call.name},
                     {"input", std::move(input)}};
    }
    if (block.kind == Block::Kind::Thinking)
        // The CLI's signature is not passed on; an empty one marks it as not verifiable.
        return ojson{{"type", "thinking"}, {"thinking", block.text}, {"signature", ""}};
    return ojson{{"type", "text"}, {"text", block.text}};
}

ojson message_object(const std::string& id, const std::string& model, ojson content,
                     ojson stop_reason, const Usage& usage) {
    ojson out;
    out["id"] = id;
    out["type"] = "message";
    out["role"] = "assistant";
    out["model"] = model;
    out["content"] = std::move(content);
    out["stop_reason"] = std::move(stop_reason);
    out["stop_sequence"] = nullptr;
    out["usage"] = usage_object(usage);
    return out;
}

std::string event(const char* name, const ojson& data) {
    return std::string("event: ") + name + "\ndata: " + dump(data) + "\n\n";
}

}  // namespace

ParseResult parse_messages_request(std::string_view body) {
    ParseResult result;
    try {
        result.request = parse_body(json::parse(body));
    } catch (const Invalid& invalid) {
        result.error = invalid.message;
    } catch (const json::parse_error& e) {
        std::string detail = e.what();
        // Drop nlohmann's "[json.exception.parse_error.101] " prefix: clients need the rest.
        if (const auto end = detail.find("] "); end != std::string::npos) detail.erase(0, end + 2);
        result.error = "invalid JSON: " + detail;
    } catch (const std::exception& e) {  // a validation gap must still be a 400, not a crash
        result.error = std::string("invalid request: ") + e.what();
    }
    return result;
}

const char* error_type(int status) {
    static const std::map<int, const char*> kByStatus = {
        {401, "authentication_error"}, {403, "permission_error"}, {404, "not_found_error"},
        {413, "request_too_large"},    {429, "rate_limit_error"}, {503, "overloaded_error"},
        {504, "timeout_error"},        {529, "overloaded_error"}};
    if (const auto it = kByStatus.find(status); it != kByStatus.end()) return it->second;
    return status >= 500 ? "api_error" : "invalid_request_error";
}

std::string error_json(int status, const std::string& message) {
    ojson error;
    error["type"] = error_type(status);
    error["message"] = message;
    ojson out;
    out["type"] = "error";
    out["error"] = std::move(error);
    return dump(out);
}

std::string stop_reason(const std::string& cli_stop_reason) {
    if (cli_stop_reason == "max_tokens" || cli_stop_reason == "stop_sequence" ||
        cli_stop_reason == "tool_use")
        return cli_stop_reason;
    return "end_turn";
}

std::string usage_json(const Usage& usage) {
    return dump(usage_object(usage));
}

std::string message_json(const std::string& id, const std::string& model,
                         const std::vector<Block>& content, const std::string& stop_reason,
                         const Usage& usage) {
    ojson blocks = ojson::array();
    for (const auto& block : content)
        blocks.push_back(block_object(block));
    return dump(message_object(id, model, std::move(blocks), stop_reason, usage));
}

std::string message_start_event(const std::string& id, const std::string& model,
                                const Usage& usage) {
    return event("message_start",
                 ojson{{"type", "message_start"},
                       {"message", message_object(id, model, ojson::array(), nullptr, usage)}});
}

std::string block_start_event(std::size_t index, Block::Kind kind) {
    return event("content_block_start", ojson{{"type", "content_block_start"},
                                              {"index", index},
                                              {"content_block", block_object({kind, "", {}})}});
}

std::string block_delta_event(std::size_t index, Block::Kind kind, const std::string& text) {
    const bool thinking = kind == Block::Kind::Thinking;
    ojson delta{{"type", thinking ? "thinking_delta" : "text_delta"},
                {thinking ? "thinking" : "text", text}};
    return event("content_block_delta",
                 ojson{{"type", "content_block_delta"}, {"index", index}, {"delta", delta}});
}

std::string block_stop_event(std::size_t index) {
    return event("content_block_stop", ojson{{"type", "content_block_stop"}, {"index", index}});
}

std::string tool_start_event(std::size_t index, const std::string& id, const std::string& name) {
    ojson block{{"type", "tool_use"}, {"id", id}, {"name", name}, {"input", ojson::object()}};
    return event("content_block_start", ojson{{"type", "content_block_start"},
                                              {"index", index},
                                              {"content_block", std::move(block)}});
}

std::string input_json_delta_event(std::size_t index, const std::string& partial_json) {
    ojson delta{{"type", "input_json_delta"}, {"partial_json", partial_json}};
    return event("content_block_delta",
                 ojson{{"type", "content_block_delta"}, {"index", index}, {"delta", delta}});
}

std::string message_delta_event(const std::string& stop_reason, const Usage& usage) {
    ojson delta;
    delta["stop_reason"] = stop_reason;
    delta["stop_sequence"] = nullptr;
    ojson out;
    out["type"] = "message_delta";
    out["delta"] = std::move(delta);
    out["usage"] = usage_object(usage);
    return event("message_delta", out);
}

std::string message_stop_event() {
    return event("message_stop", ojson{{"type", "message_stop"}});
}

std::string ping_event() {
    return event("ping", ojson{{"type", "ping"}});
}

std::string error_event(int status, const std::string& message) {
    return "event: error\ndata: " + error_json(status, message) + "\n\n";
}

}  // namespace ch::anthropic
