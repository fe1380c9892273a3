#include "daemon/tool_bridge.h"

#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "common/version.h"

namespace ch {

using json = nlohmann::json;

namespace {

json response(const json& id, json result) {
    return json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

json error_response(const json& id, int code, const std::string& message) {
    return json{{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

std::string dump(const json& value) {
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

std::string tool_bridge_file(const std::vector<ToolDefinition>& tools) {
    json list = json::array();
    for (const auto& tool : tools) {
        json entry;
        entry["name"] = tool.name;
        if (!tool.description.empty()) entry["description"] = tool.description;
        entry["inputSchema"] = json::parse(tool.input_schema, nullptr, false);
        if (entry["inputSchema"].is_discarded()) entry["inputSchema"] = json{{"type", "object"}};
        list.push_back(std::move(entry));
    }
    return dump(json{{"tools", std::move(list)}});
}

std::string tool_bridge_config(const std::string& executable, const std::string& tools_file) {
    json server{{"type", "stdio"},
                {"command", executable},
                {"args", json::array({"--tool-bridge", tools_file})}};
    return dump(json{{"mcpServers", {{kToolServer, std::move(server)}}}});
}

std::optional<std::string> ToolBridge::handle(std::string_view line) const {
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) return std::nullopt;
    const json message = json::parse(line, nullptr, false);
    if (message.is_discarded() || !message.is_object())
        return dump(error_response(nullptr, -32700, "Parse error"));
    const auto method_it = message.find("method");
    if (method_it == message.end() || !method_it->is_string()) {
        if (message.contains("id") && !message.contains("result") && !message.contains("error"))
            return dump(error_response(message["id"], -32600, "Invalid Request"));
        return std::nullopt;  // a response to us: we send no requests
    }
    const std::string& method = method_it->get_ref<const std::string&>();
    if (!message.contains("id")) return std::nullopt;  // a notification
    const json& id = message["id"];
    if (method == "initialize") {
        const json params = message.value("params", json::object());
        const std::string version =
            params.is_object() ? params.value("protocolVersion", "2025-06-18") : "2025-06-18";
        return dump(response(
            id, json{{"protocolVersion", version},
                     {"capabilities", {{"tools", json::object()}}},
                     {"serverInfo", {{"name", "claude-harness-tools"}, {"version", kVersion}}}}));
    }
    if (method == "ping") return dump(response(id, json::object()));
    if (method == "tools/list") return dump(response(id, json{{"tools", tools_}}));
    // The client runs its tools: the CLI is stopped before it could get an answer.
    if (method == "tools/call") return std::nullopt;
    return dump(error_response(id, -32601, "Method not found: " + method));
}

int run_tool_bridge(const std::string& tools_file) {
    std::ifstream in(tools_file);
    std::stringstream content;
    content << in.rdbuf();
    const json file = json::parse(content.str(), nullptr, false);
    if (!in || file.is_discarded() || !file.contains("tools") || !file["tools"].is_array()) {
        std::cerr << "claude-harnessd --tool-bridge: cannot read the tools file " << tools_file
                  << "\n";
        return 1;
    }
    const ToolBridge bridge(file["tools"]);
    std::string line;
    while (std::getline(std::cin, line)) {
        if (const auto reply = bridge.handle(line)) std::cout << *reply << "\n" << std::flush;
    }
    return 0;
}

const std::string& self_executable() {
    static const std::string path = [] {
        char buf[4096];
        const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
        std::string out = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
        // The binary was replaced (a package upgrade) while running.
        constexpr std::string_view kDeleted = " (deleted)";
        if (out.size() > kDeleted.size() &&
            out.compare(out.size() - kDeleted.size(), kDeleted.size(), kDeleted) == 0)
            out.erase(out.size() - kDeleted.size());
        return out;
    }();
    return path;
}

}  // namespace ch
