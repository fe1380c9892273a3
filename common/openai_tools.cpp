#include "common/openai_tools.h"

#include <algorithm>

namespace ch::openai::detail {

using json = nlohmann::json;

std::vector<ToolCall> parse_tool_calls(const json& calls, const std::string& path) {
    if (!calls.is_array()) fail(path, "expected array");
    std::vector<ToolCall> out;
    for (std::size_t j = 0; j < calls.size(); ++j) {
        const json& call = calls[j];
        const std::string at = path + "[" + std::to_string(j) + "]";
        if (!call.is_object()) fail(at, "expected object");
        const json* type = given(call, "type");
        if (type && *type != "function") fail(at + ".type", "only 'function' is supported");
        const json* id = given(call, "id");
        if (!id || !id->is_string() || id->get_ref<const std::string&>().empty())
            fail(at + ".id", "required non-empty string");
        const json* function = given(call, "function");
        if (!function || !function->is_object()) fail(at + ".function", "required object");
        const json* name = given(*function, "name");
        if (!name || !name->is_string()) fail(at + ".function.name", "required string");
        const json* arguments = given(*function, "arguments");
        if (arguments && !arguments->is_string())
            fail(at + ".function.arguments", "expected a string (JSON text)");
        out.push_back(ToolCall{id->get<std::string>(), name->get<std::string>(),
                               arguments ? arguments->get<std::string>() : "{}"});
    }
    return out;
}

void parse_tools(const json& body, ChatRequest& request) {
    for (const char* legacy : {"functions", "function_call"}) {
        if (given(body, legacy))
            fail(legacy, "the legacy functions API is not supported: use tools and tool_choice");
    }
    if (const json* parallel = given(body, "parallel_tool_calls");
        parallel && !parallel->is_boolean())
        fail("parallel_tool_calls", "expected boolean");
    if (const json* tools = given(body, "tools")) {
        if (!tools->is_array()) fail("tools", "expected array");
        for (std::size_t i = 0; i < tools->size(); ++i) {
            const json& tool = (*tools)[i];
            const std::string at = "tools[" + std::to_string(i) + "]";
            if (!tool.is_object()) fail(at, "expected object");
            const json* type = given(tool, "type");
            if (!type || *type != "function") fail(at + ".type", "only 'function' is supported");
            const json* function = given(tool, "function");
            if (!function || !function->is_object()) fail(at + ".function", "required object");
            const json* name = given(*function, "name");
            if (!name || !name->is_string()) fail(at + ".function.name", "required string");
            ToolDefinition def;
            def.name = name->get<std::string>();
            if (const std::string bad = check_tool_name(def.name); !bad.empty())
                fail(at + ".function.name", bad);
            for (const auto& other : request.tools)
                if (other.name == def.name) fail(at + ".function.name", "duplicate tool name");
            if (const json* description = given(*function, "description")) {
                if (!description->is_string())
                    fail(at + ".function.description", "expected string");
                def.description = description->get<std::string>();
            }
            const json* parameters = given(*function, "parameters");
            if (parameters && !parameters->is_object())
                fail(at + ".function.parameters", "expected a JSON Schema object");
            def.input_schema =
                parameters ? parameters->dump() : R"({"type":"object","properties":{}})";
            request.tools.push_back(std::move(def));
        }
    }
    if (const json* choice = given(body, "tool_choice")) {
        if (*choice == "none") {
            request.tool_choice_none = true;
        } else if (*choice == "required" || choice->is_object()) {
            fail("tool_choice",
                 "only \"auto\" and \"none\" are supported: the Claude CLI cannot be made to "
                 "call a tool");
        } else if (*choice != "auto") {
            fail("tool_choice", "expected \"auto\" or \"none\"");
        }
    }
}

}  // namespace ch::openai::detail
