#include "daemon/agent_command.h"

#include <algorithm>
#include <cstdio>

namespace ch {

namespace {

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& name : names)
        out += (out.empty() ? "" : ",") + name;
    return out;
}

// The shortest text that reads back as the same double ("2", "0.25").
std::string number(double value) {
    char buffer[32];
    for (int precision = 1; precision <= 17; ++precision) {
        std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
        if (std::strtod(buffer, nullptr) == value) break;
    }
    return buffer;
}

}  // namespace

void add_agent_arguments(std::vector<std::string>& args, const AgentConfig& agent,
                         const AgentRun& run) {
    const std::string tools = joined(agent.tools);
    if (auto it = std::find(args.begin(), args.end(), "--tools");
        it != args.end() && std::next(it) != args.end())
        *std::next(it) = tools;
    else
        args.insert(args.end(), {"--tools", tools});
    // Listed tools run without asking: nobody is there to answer a permission prompt.
    args.insert(args.end(), {"--allowedTools", tools});
    if (!agent.permission_mode.empty())
        args.insert(args.end(), {"--permission-mode", agent.permission_mode});
    if (agent.max_turns > 0)
        args.insert(args.end(), {"--max-turns", std::to_string(agent.max_turns)});
    if (agent.max_budget_usd > 0)
        args.insert(args.end(), {"--max-budget-usd", number(agent.max_budget_usd)});
    for (const auto& dir : run.add_dirs)
        args.insert(args.end(), {"--add-dir", dir});
}

}  // namespace ch
