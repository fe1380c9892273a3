// The MCP server through which the CLI is offered a request's client-defined tools: the
// daemon's own executable started by the CLI as `claude-harnessd --tool-bridge <file>`.
// It speaks newline-delimited JSON-RPC 2.0 on stdio (the MCP stdio transport), lists the
// tools of <file>, and never answers tools/call: the model's call goes back to the client,
// and the daemon ends the CLI as soon as the model's message asking for it is complete.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/chat.h"

namespace ch {

// The tools file's content: {"tools":[{"name","description","inputSchema"}]}.
std::string tool_bridge_file(const std::vector<ToolDefinition>& tools);

// The --mcp-config value naming the bridge as server kToolServer.
std::string tool_bridge_config(const std::string& executable, const std::string& tools_file);

class ToolBridge {
  public:
    // `tools` is the tools/list result's `tools` array.
    explicit ToolBridge(nlohmann::json tools) : tools_(std::move(tools)) {}

    // The reply line (without '\n') to one received line, or none (notifications, responses,
    // tools/call).
    std::optional<std::string> handle(std::string_view line) const;

  private:
    nlohmann::json tools_;
};

// The bridge's main: serves stdin/stdout until EOF. Returns the exit status.
int run_tool_bridge(const std::string& tools_file);

// This program's path, found once (readlink /proc/self/exe): the bridge's command.
const std::string& self_executable();

}  // namespace ch
