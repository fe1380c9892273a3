// Anthropic's client tools: `tools` and `tool_choice` validated into a ChatRequest, the
// check that every tool_result answers a tool_use; and the validation helpers
// anthropic.cpp shares.
#pragma once

#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "common/chat.h"

namespace ch::anthropic::detail {

// Validation failure: unwinds to parse_messages_request, which turns it into a 400.
struct Invalid {
    std::string message;
};

[[noreturn]] inline void reject(const std::string& path, const std::string& detail) {
    throw Invalid{path.empty() ? detail : path + ": " + detail};
}

inline const nlohmann::json* member(const nlohmann::json& object, const char* key) {
    const auto it = object.find(key);
    return it == object.end() || it->is_null() ? nullptr : &*it;
}

inline const std::string& required_string(const nlohmann::json& object, const char* key,
                                          const std::string& path) {
    const nlohmann::json* value = member(object, key);
    if (!value || !value->is_string()) reject(path + key, "Field required (string)");
    return value->get_ref<const std::string&>();
}

// tools and tool_choice: client tools only; the CLI cannot be forced to call one.
void parse_tools(const nlohmann::json& body, ChatRequest& request);
// Every tool_result of `message` (at `path` in the body) must answer a tool_use in `calls`, the
// ids used so far in the conversation; then the message's own tool_use ids join them.
void check_tool_results(const ChatMessage& message, const std::string& path,
                        std::set<std::string>& calls);

}  // namespace ch::anthropic::detail
