// The command line of an agent-mode run: the plain-chat command (cli_command.h) with the
// model's tools allowed and pre-approved, its limits, and the request's extra directories.
// Host settings and MCP servers stay off (--setting-sources "", --strict-mcp-config).
#pragma once

#include <string>
#include <vector>

#include "common/config.h"
#include "daemon/job.h"

namespace ch {

// Rewrites `args` (from cli_arguments) for `agent` working as `run` says.
void add_agent_arguments(std::vector<std::string>& args, const AgentConfig& agent,
                         const AgentRun& run);

}  // namespace ch
