// The command line and environment of one plain-chat CLI run: nothing from the host (project
// settings, MCP servers, tools, session files) may leak into a request.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/config.h"
#include "daemon/run_as.h"

namespace ch {

struct JobSession;

// Without a session nothing is persisted; with one the CLI starts it (--session-id) or
// continues it (--resume) and keeps its transcript. A non-empty `tool_config` (see
// tool_bridge_config) is the only MCP server, and its tools may be called without asking.
std::vector<std::string> cli_arguments(const std::string& executable, const ModelConfig& model,
                                       const JobSession* session = nullptr,
                                       const std::string& tool_config = "");

// HOME/USER/LOGNAME/PATH/LANG of the run-as user, the CLI's quiet and bounded-retry settings,
// then the provider's own `env` (which wins).
std::vector<std::string> cli_environment(const RunAs& who, const ProviderConfig& provider,
                                         const LimitsConfig& limits,
                                         std::optional<long long> max_tokens);

}  // namespace ch
