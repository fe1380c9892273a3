#include "common/anthropic_tools.h"

#include <set>

namespace ch::anthropic::detail {

using json = nlohmann::json;

void parse_tools(const json& body, ChatRequest& request) {
    if (const json* tools = member(body, "tools")) {
        if (!tools->is_array()) reject("tools", "expected an array");
        for (std::size_t i = 0; i < tools->size(); ++i) {
            const json& tool = (*tools)[i];
            const std::string at = "tools." + std::to_string(i) + ".";
            if (!tool.is_object()) reject(at.substr(0, at.size() - 1), "expected an object");
            if (const json* type = member(tool, "type"); type && *type != "custom")
                reject(at + "type", "server tools are not supported, only client tools (custom)");
            ToolDefinition def;
            def.name = required_string(tool, "name", at);
            if (const std::string bad = check_tool_name(def.name); !bad.empty())
                reject(at + "name", bad);
            for (const auto& other : request.tools)
                if (other.name == def.name) reject(at + "name", "duplicate tool name");
            if (const json* description = member(tool, "description")) {
                if (!description->is_string()) reject(at + "description", "expected a string");
                def.description = description->get<std::string>();
            }
            const json* schema = member(tool, "input_schema");
            if (!schema || !schema->is_object())
                reject(at + "input_schema", "Field required (a JSON Schema object)");
            def.input_schema = schema->dump();
            request.tools.push_back(std::move(def));
        }
    }
    if (const json* choice = member(body, "tool_choice")) {
        const std::string type = choice->is_object() ? choice->value("type", "") : "";
        if (type == "any" || type == "tool")
            reject("tool_choice.type",
                   "'" + type +
                       "' is not supported: the Claude CLI cannot be made to call a tool "
                       "(use 'auto' or 'none')");
        if (type != "auto" && type != "none")
            reject("tool_choice", "expected an object with type 'auto' or 'none'");
        request.tool_choice_none = type == "none";
    }
}

void check_tool_results(const ChatMessage& message, const std::string& path,
                        std::set<std::string>& calls) {
    for (const auto& result : message.tool_results)
        if (!calls.count(result.call_id))
            reject(path, "tool_result for tool_use_id '" + result.call_id +
                             "', which no earlier assistant message used");
    for (const auto& call : message.tool_calls)
        calls.insert(call.id);
}

}  // namespace ch::anthropic::detail
