#include "common/openai.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/openai_tools.h"

namespace ch::openai {

using detail::BadRequest;
using detail::fail;
using detail::given;
using detail::parse_tool_calls;
using detail::parse_tools;

namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;  // keeps OpenAI's field order in what we render

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

bool is_base64(std::string_view data) {
    return std::all_of(data.begin(), data.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '+' || c == '/' || c == '=';
    });
}

ContentPart parse_image(const json& part, const std::string& path) {
    const json* image = given(part, "image_url");
    if (!image || !image->is_object()) fail(path + ".image_url", "required object");
    const json* url_value = given(*image, "url");
    const std::string url_path = path + ".image_url.url";
    if (!url_value || !url_value->is_string()) fail(url_path, "required string");
    const std::string& url = url_value->get_ref<const std::string&>();
    if (url.rfind("data:", 0) != 0) fail(url_path, "only data: URLs are supported");
    const auto comma = url.find(',');
    if (comma == std::string::npos) fail(url_path, "malformed data: URL (no ',')");
    const std::string header = lower(url.substr(5, comma - 5));
    constexpr std::string_view kBase64 = ";base64";
    if (header.size() < kBase64.size() ||
        header.compare(header.size() - kBase64.size(), kBase64.size(), kBase64) != 0) {
        fail(url_path, "data: URL must be base64-encoded (data:<media type>;base64,<data>)");
    }
    std::string media = header.substr(0, header.find(';'));
    if (media == "image/jpg") media = "image/jpeg";  // common misspelling by clients
    constexpr std::array<std::string_view, 4> kMedia = {"image/png", "image/jpeg", "image/gif",
                                                        "image/webp"};
    if (std::find(kMedia.begin(), kMedia.end(), media) == kMedia.end()) {
        fail(url_path, "unsupported image media type '" + media +
                           "' (supported: image/png, image/jpeg, image/gif, image/webp)");
    }
    std::string data = url.substr(comma + 1);
    if (data.empty() || !is_base64(data)) fail(url_path, "image data is not valid base64");
    ContentPart out;
    out.kind = ContentPart::Kind::Image;
    out.media_type = std::move(media);
    out.data = std::move(data);
    return out;
}

// `content` of a message: a string or an array of parts; image parts only where allowed.
std::vector<ContentPart> parse_content(const json& content, const std::string& path,
                                       bool images_allowed) {
    std::vector<ContentPart> parts;
    if (content.is_string()) {
        parts.push_back(ContentPart{ContentPart::Kind::Text, content.get<std::string>(), {}, {}});
        return parts;
    }
    if (!content.is_array()) fail(path, "expected string or array of content parts");
    if (content.empty()) fail(path, "must not be empty");
    for (std::size_t j = 0; j < content.size(); ++j) {
        const json& part = content[j];
        const std::string part_path = path + "[" + std::to_string(j) + "]";
        if (!part.is_object()) fail(part_path, "expected object");
        const json* type = given(part, "type");
        if (!type || !type->is_string()) fail(part_path + ".type", "required string");
        const std::string& kind = type->get_ref<const std::string&>();
        if (kind == "text") {
            const json* text = given(part, "text");
            if (!text || !text->is_string()) fail(part_path + ".text", "required string");
            parts.push_back(ContentPart{ContentPart::Kind::Text, text->get<std::string>(), {}, {}});
        } else if (kind == "image_url" && images_allowed) {
            parts.push_back(parse_image(part, part_path));
        } else {
            fail(part_path + ".type", "unsupported part type '" + kind + "'");
        }
    }
    return parts;
}

std::optional<std::int64_t> positive_integer(const json& body, const char* key) {
    const json* value = given(body, key);
    if (!value) return std::nullopt;
    if (value->is_number_unsigned()) {
        const auto n = value->get<std::uint64_t>();
        if (n > 0) {
            constexpr auto kMax =
                static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
            return static_cast<std::int64_t>(std::min(n, kMax));
        }
    } else if (value->is_number_integer() && value->get<std::int64_t>() > 0) {
        return value->get<std::int64_t>();
    }
    fail(key, "expected positive integer");
}

// `calls`: the tool call ids so far; a tool message must answer one of them.
void parse_message(const json& message, std::size_t i, ChatRequest& request,
                   std::vector<std::string>& system_pieces, std::set<std::string>& calls) {
    const std::string path = "messages[" + std::to_string(i) + "]";
    if (!message.is_object()) fail(path, "expected object");
    const json* role_value = given(message, "role");
    if (!role_value || !role_value->is_string()) fail(path + ".role", "required string");
    const std::string& role = role_value->get_ref<const std::string&>();
    const json* content = given(message, "content");
    const std::string content_path = path + ".content";

    if (role == "system" || role == "developer") {
        if (!content) fail(content_path, "required string or array of text parts");
        for (const auto& part : parse_content(*content, content_path, false)) {
            if (!part.text.empty()) system_pieces.push_back(part.text);
        }
        return;
    }
    if (role == "assistant") {
        ChatMessage out{role, {}, {}, {}};
        if (const json* tool_calls = given(message, "tool_calls"))
            out.tool_calls = parse_tool_calls(*tool_calls, path + ".tool_calls");
        for (const auto& call : out.tool_calls)
            calls.insert(call.id);
        if (given(message, "function_call")) {
            fail(path + ".function_call",
                 "the legacy function_call is not supported: use tool_calls");
        }
        if (content) {
            out.parts = parse_content(*content, content_path, false);
        } else if (out.tool_calls.empty()) {
            fail(content_path, "required unless the message has tool_calls");
        }
        request.messages.push_back(std::move(out));
        return;
    }
    if (role == "tool") {
        const json* id = given(message, "tool_call_id");
        if (!id || !id->is_string()) fail(path + ".tool_call_id", "required string");
        if (!content) fail(content_path, "required string or array of text parts");
        ToolResult result;
        result.call_id = id->get<std::string>();
        if (!calls.count(result.call_id))
            fail(path + ".tool_call_id", "tool message answers tool_call_id '" + result.call_id +
                                             "', which no earlier assistant message called");
        for (const auto& part : parse_content(*content, content_path, false))
            result.content += (result.content.empty() ? "" : "\n") + part.text;
        // Consecutive tool messages answer one assistant turn: they make one user turn.
        if (request.messages.empty() || request.messages.back().role != "user" ||
            !request.messages.back().parts.empty())
            request.messages.push_back(ChatMessage{"user", {}, {}, {}});
        request.messages.back().tool_results.push_back(std::move(result));
        return;
    }
    if (role == "user") {
        if (!content) fail(content_path, "required string or array of content parts");
        request.messages.push_back(
            ChatMessage{role, parse_content(*content, content_path, true), {}, {}});
        return;
    }
    fail(path + ".role", "unsupported role '" + role + "'");
}

ChatRequest parse_body(const json& body) {
    if (!body.is_object()) fail("", "request body must be a JSON object");
    ChatRequest request;

    const json* model = given(body, "model");
    if (!model || !model->is_string()) fail("model", "required string");
    request.model = model->get<std::string>();
    if (request.model.empty()) fail("model", "must not be empty");

    const json* messages = given(body, "messages");
    if (!messages || !messages->is_array() || messages->empty()) {
        fail("messages", "must be a non-empty array");
    }
    std::vector<std::string> system_pieces;
    std::set<std::string> calls;
    bool has_system = false;
    for (std::size_t i = 0; i < messages->size(); ++i) {
        const json& message = (*messages)[i];
        parse_message(message, i, request, system_pieces, calls);
        const std::string role = message.value("role", "");
        has_system = has_system || role == "system" || role == "developer";
    }
    const std::string last_role = messages->back().value("role", "");
    if (last_role != "user" && last_role != "tool") {
        fail("messages",
             "the last message must have role 'user' or 'tool' (got '" + last_role + "')");
    }
    if (has_system) {
        std::string joined;
        for (const auto& piece : system_pieces)
            joined += (joined.empty() ? "" : "\n\n") + piece;
        request.system = std::move(joined);
    }

    if (const json* stream = given(body, "stream")) {
        if (!stream->is_boolean()) fail("stream", "expected boolean");
        request.stream = stream->get<bool>();
    }
    if (const json* options = given(body, "stream_options")) {
        if (!options->is_object()) fail("stream_options", "expected object");
        if (const json* include = given(*options, "include_usage")) {
            if (!include->is_boolean()) fail("stream_options.include_usage", "expected boolean");
            request.include_usage = include->get<bool>();
        }
    }
    if (const json* n = given(body, "n")) {
        if (!n->is_number_integer()) fail("n", "expected integer");
        if (n->get<std::int64_t>() != 1) fail("n", "only n=1 is supported");
    }
    // max_completion_tokens supersedes the deprecated max_tokens when both are sent.
    request.max_tokens = positive_integer(body, "max_tokens");
    if (auto completion = positive_integer(body, "max_completion_tokens")) {
        request.max_tokens = completion;
    }
    if (const json* user = given(body, "user")) {
        if (!user->is_string()) fail("user", "expected string");
        request.user = user->get<std::string>();
    }
    if (const json* session = given(body, "session_id")) {
        if (!session->is_string()) fail("session_id", "expected string");
        request.session = session->get<std::string>();
    }
    parse_tools(body, request);
    if (const json* logprobs = given(body, "logprobs")) {
        if (!logprobs->is_boolean()) fail("logprobs", "expected boolean");
        if (logprobs->get<bool>()) fail("logprobs", "logprobs are not supported");
    }
    // temperature, top_p, penalties, logit_bias, seed, stop, response_format, metadata, ...:
    // accepted and ignored; the CLI offers no control over them.
    return request;
}

std::string dump(const ojson& value) {
    // The CLI's strings may hold invalid UTF-8; replace bad bytes rather than throw.
    return value.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

ojson usage_object(const Usage& usage) {
    ojson out;
    out["prompt_tokens"] = usage.prompt_total();
    out["completion_tokens"] = usage.output_tokens;
    out["total_tokens"] = usage.prompt_total() + usage.output_tokens;
    out["prompt_tokens_details"] = ojson{{"cached_tokens", usage.cache_read_input_tokens}};
    out["completion_tokens_details"] = ojson{{"reasoning_tokens", 0}};
    return out;
}

ojson nullable(const std::string& text) {
    return text.empty() ? ojson(nullptr) : ojson(text);
}

const char* error_type(int status) {
    switch (status) {
        case 401:
            return "authentication_error";
        case 403:
            return "permission_error";
        case 404:
            return "not_found_error";
        case 429:
            return "rate_limit_error";
        default:
            return status >= 500 ? "api_error" : "invalid_request_error";
    }
}

}  // namespace

ParseResult parse_chat_request(std::string_view body) {
    ParseResult result;
    json parsed;
    try {
        parsed = json::parse(body);
    } catch (const json::exception& e) {
        std::string detail = e.what();
        // Drop nlohmann's "[json.exception.parse_error.101] " prefix: clients need the rest.
        if (const auto end = detail.find("] ");
            detail.rfind("[json.", 0) == 0 && end != detail.npos) {
            detail.erase(0, end + 2);
        }
        result.error = "invalid JSON: " + detail;
        return result;
    }
    try {
        result.request = parse_body(parsed);
    } catch (const BadRequest& bad) {
        result.param = bad.param;
        result.error = bad.param.empty() ? bad.detail : bad.param + ": " + bad.detail;
    } catch (const std::exception& e) {  // a validation gap must still be a 400, not a crash
        result.error = std::string("invalid request: ") + e.what();
    }
    return result;
}

std::string finish_reason(const std::string& stop_reason) {
    if (stop_reason == "tool_use") return "tool_calls";
    return stop_reason == "max_tokens" ? "length" : "stop";
}

std::string usage_json(const Usage& usage) {
    return dump(usage_object(usage));
}

std::string completion_json(const std::string& id, std::int64_t created, const std::string& model,
                            const std::string& text, const std::string& finish_reason,
                            const Usage& usage, const std::vector<ToolCall>& tool_calls) {
    ojson message;
    message["role"] = "assistant";
    // With tool calls, OpenAI sends null content when the model said nothing first.
    message["content"] = tool_calls.empty() ? ojson(text) : nullable(text);
    message["refusal"] = nullptr;
    if (!tool_calls.empty()) {
        ojson calls = ojson::array();
        for (const auto& call : tool_calls)
            calls.push_back(
                ojson{{"id", call.id},
                      {"type", "function"},
                      {"function", {{"name", call.name}, {"arguments", call.arguments}}}});
        message["tool_calls"] = std::move(calls);
    }
    ojson choice;
    choice["index"] = 0;
    choice["message"] = std::move(message);
    choice["logprobs"] = nullptr;
    choice["finish_reason"] = finish_reason;
    ojson out;
    out["id"] = id;
    out["object"] = "chat.completion";
    out["created"] = created;
    out["model"] = model;
    out["choices"] = ojson::array({std::move(choice)});
    out["usage"] = usage_object(usage);
    out["system_fingerprint"] = nullptr;
    return dump(out);
}

std::string chunk_event(const std::string& id, std::int64_t created, const std::string& model,
                        const Chunk& chunk) {
    ojson out;
    out["id"] = id;
    out["object"] = "chat.completion.chunk";
    out["created"] = created;
    out["model"] = model;
    if (chunk.usage) {
        out["choices"] = ojson::array();
        out["usage"] = usage_object(*chunk.usage);
    } else {
        ojson delta = ojson::object();
        if (chunk.role) {
            // OpenAI's first chunk: {"role":"assistant","content":"","refusal":null}
            delta["role"] = *chunk.role;
            delta["content"] = chunk.content.value_or("");
            delta["refusal"] = nullptr;
        } else if (chunk.content) {
            delta["content"] = *chunk.content;
        } else if (chunk.tool_call) {
            // The first chunk of a call names it; later ones carry argument fragments.
            const ToolCallDelta& call = *chunk.tool_call;
            ojson item;
            item["index"] = call.index;
            if (!call.id.empty()) {
                item["id"] = call.id;
                item["type"] = "function";
                item["function"] = ojson{{"name", call.name}, {"arguments", call.arguments}};
            } else {
                item["function"] = ojson{{"arguments", call.arguments}};
            }
            delta["tool_calls"] = ojson::array({std::move(item)});
        }
        ojson choice;
        choice["index"] = 0;
        choice["delta"] = std::move(delta);
        choice["logprobs"] = nullptr;
        choice["finish_reason"] = chunk.finish_reason ? ojson(*chunk.finish_reason) : ojson();
        out["choices"] = ojson::array({std::move(choice)});
        if (chunk.usage_null) out["usage"] = nullptr;
    }
    return "data: " + dump(out) + "\n\n";
}

std::string error_json(int status, const std::string& message, const std::string& param,
                       const std::string& code) {
    ojson error;
    error["message"] = message;
    error["type"] = error_type(status);
    error["param"] = nullable(param);
    error["code"] = nullable(code);
    ojson out;
    out["error"] = std::move(error);
    return dump(out);
}

std::string error_event(int status, const std::string& message, const std::string& code) {
    return "data: " + error_json(status, message, "", code) + "\n\n";
}

}  // namespace ch::openai
