#include "daemon/cli_command.h"

#include <algorithm>
#include <cstdlib>
#include <map>

#include "daemon/job.h"

namespace ch {

std::vector<std::string> cli_arguments(const std::string& executable, const ModelConfig& model,
                                       const JobSession* session, const std::string& tool_config) {
    std::vector<std::string> args{
        executable,
        "-p",
        "--input-format",
        "stream-json",
        "--output-format",
        "stream-json",
        "--verbose",
        "--include-partial-messages",
        "--tools",
        "",                     // plain chat: no tool may run on the host
        "--strict-mcp-config",  // no MCP servers from the host or the working directory
        "--setting-sources",
        "",                          // no user, project or local settings
        "--no-session-persistence",  // nothing written under ~/.claude/projects
        "--model",
        model.cli_model,
    };
    if (session) {
        const auto it = std::find(args.begin(), args.end(), "--no-session-persistence");
        *it = session->resume ? "--resume" : "--session-id";
        args.insert(std::next(it), session->id);
    }
    if (!tool_config.empty()) {
        // Still no built-in tool; the client's tools come from the bridge. Allowed, so the
        // CLI calls the bridge (which never answers) instead of asking for permission and
        // sending the model a refusal.
        auto it = std::find(args.begin(), args.end(), "--strict-mcp-config");
        it = args.insert(it, {"--mcp-config", tool_config});
        args.insert(it + 3, {"--allowedTools", std::string("mcp__") + kToolServer});
    }
    return args;
}

std::vector<std::string> cli_environment(const RunAs& who, const ProviderConfig& provider,
                                         const LimitsConfig& limits,
                                         std::optional<long long> max_tokens) {
    std::map<std::string, std::string> env;
    env["HOME"] = who.home;
    env["USER"] = who.name;
    env["LOGNAME"] = who.name;
    env["PATH"] = usual_path(who);
    const char* lang = std::getenv("LANG");
    env["LANG"] = lang && *lang ? lang : "C.UTF-8";
    // Without it the CLI makes telemetry and update connections on every run.
    env["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1";
    // Its default of 10 retries holds a failing request for about three minutes.
    env["CLAUDE_CODE_MAX_RETRIES"] = std::to_string(limits.cli_max_retries);
    if (max_tokens) env["CLAUDE_CODE_MAX_OUTPUT_TOKENS"] = std::to_string(*max_tokens);
    for (const auto& [name, value] : provider.env)
        env[name] = value;

    std::vector<std::string> out;
    out.reserve(env.size());
    for (const auto& [name, value] : env)
        out.push_back(name + "=" + value);
    return out;
}

}  // namespace ch
