#include "common/stream_json.h"

#include <nlohmann/json.hpp>

namespace ch {

using nlohmann::json;

bool LineSplitter::feed(std::string_view bytes,
                        const std::function<void(std::string_view)>& on_line) {
    bool ok = true;
    auto emit = [&](std::string_view line) {
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        on_line(line);
    };
    while (!bytes.empty()) {
        const auto nl = bytes.find('\n');
        const std::string_view piece = bytes.substr(0, nl);
        if (overflow_) {
            // Still inside an oversized line: drop until its end.
            if (nl == std::string_view::npos) return ok;
            overflow_ = false;
        } else if (buffer_.size() + piece.size() > max_line_) {
            // Guard the buffer before it grows: a runaway line must not exhaust memory.
            buffer_.clear();
            overflow_ = nl == std::string_view::npos;
            ok = false;
            if (overflow_) return ok;
        } else if (nl == std::string_view::npos) {
            buffer_.append(piece);
            return ok;
        } else if (buffer_.empty()) {
            emit(piece);  // the common case: a whole line inside one read, no copy
        } else {
            buffer_.append(piece);
            emit(buffer_);
            buffer_.clear();
        }
        bytes.remove_prefix(nl + 1);
    }
    return ok;
}

std::string LineSplitter::take_rest() {
    std::string rest;
    if (!overflow_) rest.swap(buffer_);
    buffer_.clear();
    overflow_ = false;
    if (!rest.empty() && rest.back() == '\r') rest.pop_back();
    return rest;
}

namespace {

// Lenient accessors: a field of an unexpected type reads as absent, so a schema change in the
// CLI degrades a single field instead of failing the line.
const json* member(const json& object, const char* key) {
    if (!object.is_object()) return nullptr;
    const auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

std::string str(const json& object, const char* key) {
    const json* value = member(object, key);
    return value && value->is_string() ? value->get<std::string>() : std::string();
}

std::int64_t int64(const json& object, const char* key) {
    const json* value = member(object, key);
    if (!value || !value->is_number()) return 0;
    if (value->is_number_float()) return static_cast<std::int64_t>(value->get<double>());
    return value->get<std::int64_t>();
}

std::optional<int> opt_int(const json& object, const char* key) {
    const json* value = member(object, key);
    if (!value || !value->is_number()) return std::nullopt;
    return static_cast<int>(int64(object, key));
}

const json& sub(const json& object, const char* key) {
    static const json empty = json::object();
    const json* value = member(object, key);
    return value && value->is_object() ? *value : empty;
}

void read_usage(const json& object, CliEvent& event) {
    const json* usage = member(object, "usage");
    if (!usage || !usage->is_object()) return;
    event.has_usage = true;
    event.usage.input_tokens = int64(*usage, "input_tokens");
    event.usage.cache_read_input_tokens = int64(*usage, "cache_read_input_tokens");
    event.usage.cache_creation_input_tokens = int64(*usage, "cache_creation_input_tokens");
    event.usage.output_tokens = int64(*usage, "output_tokens");
}

void parse_system(const json& line, CliEvent& event) {
    const std::string subtype = str(line, "subtype");
    event.subtype = subtype;
    if (subtype == "init") {
        event.kind = CliEvent::Kind::Init;
        event.model = str(line, "model");
    } else if (subtype == "api_retry") {
        event.kind = CliEvent::Kind::ApiRetry;
        event.error_kind = str(line, "error");
        event.api_error_status = opt_int(line, "error_status");  // null for connection errors
        event.attempt = static_cast<int>(int64(line, "attempt"));
        event.max_retries = static_cast<int>(int64(line, "max_retries"));
        const json* delay = member(line, "retry_delay_ms");
        if (delay && delay->is_number()) event.retry_delay_ms = delay->get<double>();
    }
}

void parse_stream_event(const json& line, CliEvent& event) {
    const json& ev = sub(line, "event");
    const std::string type = str(ev, "type");
    event.index = static_cast<int>(int64(ev, "index"));
    if (type == "message_start") {
        event.kind = CliEvent::Kind::MessageStart;
        const json& message = sub(ev, "message");
        event.message_id = str(message, "id");
        event.model = str(message, "model");
        read_usage(message, event);
    } else if (type == "content_block_start") {
        event.kind = CliEvent::Kind::BlockStart;
        const json& block = sub(ev, "content_block");
        event.block_type = str(block, "type");
        if (event.block_type == "tool_use")
            event.tool_calls.push_back(ToolCall{str(block, "id"), str(block, "name"), ""});
    } else if (type == "content_block_delta") {
        const json& delta = sub(ev, "delta");
        const std::string delta_type = str(delta, "type");
        if (delta_type == "text_delta") {
            event.kind = CliEvent::Kind::TextDelta;
            event.text = str(delta, "text");
        } else if (delta_type == "thinking_delta") {
            event.kind = CliEvent::Kind::ThinkingDelta;
            event.text = str(delta, "thinking");
        } else if (delta_type == "input_json_delta") {
            event.kind = CliEvent::Kind::InputJsonDelta;
            event.text = str(delta, "partial_json");
        }  // signature_delta, ...: Ignored
    } else if (type == "content_block_stop") {
        event.kind = CliEvent::Kind::BlockStop;
    } else if (type == "message_delta") {
        event.kind = CliEvent::Kind::MessageDelta;
        event.stop_reason = str(sub(ev, "delta"), "stop_reason");
        const json* usage = member(ev, "usage");
        if (usage && usage->is_object()) {
            event.has_usage = true;
            event.usage.output_tokens = int64(*usage, "output_tokens");
        }
    }
}

void parse_assistant(const json& line, CliEvent& event) {
    event.kind = CliEvent::Kind::Assistant;
    const json& message = sub(line, "message");
    event.message_id = str(message, "id");
    event.model = str(message, "model");
    event.stop_reason = str(message, "stop_reason");
    event.error_kind = str(line, "error");  // set only on the CLI's synthetic error message
    read_usage(message, event);
    const json* content = member(message, "content");
    if (content && content->is_array()) {
        for (const json& block : *content) {
            const std::string type = str(block, "type");
            if (type == "text") event.text += str(block, "text");
            if (type == "tool_use") {
                const json* input = member(block, "input");
                event.tool_calls.push_back(ToolCall{
                    str(block, "id"), str(block, "name"),
                    input ? input->dump(-1, ' ', false, json::error_handler_t::replace) : "{}"});
            }
        }
    } else if (content && content->is_string()) {
        event.text = content->get<std::string>();
    }
}

void parse_result(const json& line, CliEvent& event) {
    event.kind = CliEvent::Kind::Result;
    event.subtype = str(line, "subtype");
    const json* is_error = member(line, "is_error");
    // is_error decides success (API errors come as subtype "success"); fall back on subtype.
    event.is_error = is_error && is_error->is_boolean() ? is_error->get<bool>()
                                                        : event.subtype.rfind("error", 0) == 0;
    event.api_error_status = opt_int(line, "api_error_status");
    event.text = str(line, "result");
    event.stop_reason = str(line, "stop_reason");
    event.terminal_reason = str(line, "terminal_reason");
    event.session_id = str(line, "session_id");
    const json* cost = member(line, "total_cost_usd");
    if (cost && cost->is_number()) event.total_cost_usd = cost->get<double>();
    read_usage(line, event);
    const json* errors = member(line, "errors");
    if (errors && errors->is_array()) {
        for (const json& e : *errors) {
            if (e.is_string()) event.errors.push_back(e.get<std::string>());
        }
    }
}

}  // namespace

CliEvent parse_cli_line(std::string_view line) {
    CliEvent event;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) return event;  // blank
    try {
        const json parsed = json::parse(line);
        if (!parsed.is_object()) {
            event.kind = CliEvent::Kind::Invalid;
            event.error = std::string("expected a JSON object, got ") + parsed.type_name();
            return event;
        }
        const std::string type = str(parsed, "type");
        event.session_id = str(parsed, "session_id");
        if (type == "system") {
            parse_system(parsed, event);
        } else if (type == "stream_event") {
            parse_stream_event(parsed, event);
        } else if (type == "assistant") {
            parse_assistant(parsed, event);
        } else if (type == "result") {
            parse_result(parsed, event);
        }
    } catch (const std::exception& e) {
        event = CliEvent{};
        event.kind = CliEvent::Kind::Invalid;
        event.error = e.what();
    }
    return event;
}

}  // namespace ch
