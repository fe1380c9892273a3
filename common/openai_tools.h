// OpenAI's client tools: `tools`, `tool_choice`, assistant `tool_calls` and `tool` messages,
// validated into a ChatRequest; and the validation helpers openai.cpp shares.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/chat.h"

namespace ch::openai::detail {

// Validation failure: unwinds to parse_chat_request, which turns it into a 400.
struct BadRequest {
    std::string param;
    std::string detail;
};

[[noreturn]] inline void fail(std::string param, std::string detail) {
    throw BadRequest{std::move(param), std::move(detail)};
}

// A member that is present and not null (OpenAI treats an explicit null as "not given").
inline const nlohmann::json* given(const nlohmann::json& object, const char* key) {
    const auto it = object.find(key);
    return it == object.end() || it->is_null() ? nullptr : &*it;
}

// An assistant message's `tool_calls` at `path`.
std::vector<ToolCall> parse_tool_calls(const nlohmann::json& calls, const std::string& path);
// tools, tool_choice, parallel_tool_calls; the legacy functions/function_call are refused.
void parse_tools(const nlohmann::json& body, ChatRequest& request);

}  // namespace ch::openai::detail
