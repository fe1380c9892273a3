#include "daemon/agent_request.h"

#include <nlohmann/json.hpp>

#include "common/agent_dirs.h"

namespace ch {

namespace {

using json = nlohmann::json;

struct Requested {
    std::optional<std::string> cwd;
    std::optional<std::vector<std::string>> add_dirs;
    std::string error;
    std::string param;
};

Requested read_request(const httplib::Request& req) {
    Requested out;
    if (req.has_header(kWorkingDirectoryHeader))
        out.cwd = req.get_header_value(kWorkingDirectoryHeader);
    // Most requests name no directory: spare a large body a second parse.
    if (req.body.find("\"cwd\"") == std::string::npos &&
        req.body.find("\"add_dirs\"") == std::string::npos)
        return out;
    const json body = json::parse(req.body, nullptr, false);
    if (!body.is_object()) return out;  // the dialect's parser has reported it already
    if (const auto it = body.find("cwd"); it != body.end() && !it->is_null()) {
        if (!it->is_string()) {
            out.error = "'cwd' must be a string (an absolute directory)";
            out.param = "cwd";
            return out;
        }
        if (!out.cwd) out.cwd = it->get<std::string>();
    }
    if (const auto it = body.find("add_dirs"); it != body.end() && !it->is_null()) {
        std::vector<std::string> dirs;
        bool ok = it->is_array();
        if (ok)
            for (const auto& dir : *it) {
                if (!dir.is_string()) {
                    ok = false;
                    break;
                }
                dirs.push_back(dir.get<std::string>());
            }
        if (!ok) {
            out.error = "'add_dirs' must be an array of strings (absolute directories)";
            out.param = "add_dirs";
            return out;
        }
        out.add_dirs = std::move(dirs);
    }
    return out;
}

AgentAdmission refuse(std::string message, std::string param) {
    AgentAdmission out;
    out.status = 400;
    out.message = std::move(message);
    out.param = std::move(param);
    return out;
}

}  // namespace

AgentAdmission admit_agent(const httplib::Request& req, const ModelConfig& model,
                           bool session_requested, bool tools_offered) {
    Requested asked = read_request(req);
    if (!asked.error.empty()) return refuse(asked.error, asked.param);
    if (!model.agent) {
        if (asked.cwd)
            return refuse("the model '" + model.id +
                              "' has no agent mode, so it takes no working directory ('cwd' or " +
                              kWorkingDirectoryHeader + ")",
                          "cwd");
        if (asked.add_dirs)
            return refuse(
                "the model '" + model.id + "' has no agent mode, so it takes no 'add_dirs'",
                "add_dirs");
        return {};
    }
    const AgentConfig& agent = *model.agent;
    if (session_requested)
        return refuse("the agent model '" + model.id +
                          "' runs in the directory each request names; sessions are not "
                          "available for it",
                      "session_id");
    if (tools_offered)
        return refuse("the agent model '" + model.id +
                          "' runs the CLI's own tools; client-defined tools are not available "
                          "for it",
                      "tools");
    std::string cwd = asked.cwd.value_or(agent.default_directory);
    if (cwd.empty())
        return refuse("the agent model '" + model.id +
                          "' needs a working directory: send 'cwd' or the " +
                          kWorkingDirectoryHeader + " header",
                      "cwd");
    AgentRun run;
    std::string error;
    const auto resolved = resolve_in_roots(cwd, agent.allowed_roots, "cwd", &error);
    if (!resolved) return refuse(error, "cwd");
    run.cwd = *resolved;
    for (const auto& dir : asked.add_dirs.value_or(std::vector<std::string>{})) {
        const auto extra = resolve_in_roots(dir, agent.allowed_roots, "add_dirs entry", &error);
        if (!extra) return refuse(error, "add_dirs");
        run.add_dirs.push_back(*extra);
    }
    AgentAdmission out;
    out.run = std::move(run);
    return out;
}

}  // namespace ch
