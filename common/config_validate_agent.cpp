// Internal to the configuration loader: [models.agent], which lets a model run the CLI's own
// tools in a directory chosen per request within allowed roots.
#include <algorithm>
#include <string>
#include <vector>

#include "common/agent_dirs.h"
#include "common/config_section.h"
#include "common/config_validate.h"

namespace ch::detail {

namespace {

bool is_tool_name(const std::string& name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_';
    });
}

// bypassPermissions is left out: it lifts the CLI's own guard on paths outside the working
// directories, and the CLI refuses it when it runs as root.
constexpr const char* kPermissionModes[] = {"default", "acceptEdits", "plan", "dontAsk", "auto"};

void read_tools(const Section& s, AgentConfig& agent) {
    const toml::node* node = s.get("tools");
    if (node == nullptr) {
        s.missing("tools", " (the CLI tools this model may use, e.g. [\"Read\", \"Grep\"])");
        return;
    }
    const auto names = s.string_array("tools");
    if (const toml::array* array = node->as_array(); array != nullptr && array->empty())
        s.error(*node, s.key("tools") + " must name at least one tool");
    for (const auto* name : names) {
        if (!is_tool_name(name->get()))
            s.error(*name, "invalid tool name '" + name->get() + "' " +
                               "in [models.agent] (expected letters, digits or '_', as in "
                               "\"Bash\")");
        else if (std::find(agent.tools.begin(), agent.tools.end(), name->get()) !=
                 agent.tools.end())
            s.error(*name, "tool '" + name->get() + "' is named twice in [models.agent]");
        else
            agent.tools.push_back(name->get());
    }
}

void read_permission_mode(const Section& s, AgentConfig& agent) {
    const auto* mode = s.string_node("permission_mode", false);
    if (mode == nullptr) return;
    for (const char* known : kPermissionModes)
        if (mode->get() == known) {
            agent.permission_mode = known;
            return;
        }
    std::string message = s.key("permission_mode") +
                          " must be \"default\", \"acceptEdits\", \"plan\", \"dontAsk\" or "
                          "\"auto\", not \"" +
                          mode->get() + "\"";
    if (mode->get() == "bypassPermissions")
        message +=
            " (bypassPermissions would lift the CLI's guard on paths outside the job's "
            "directories)";
    s.error(*mode, message);
}

void read_budget(const Section& s, AgentConfig& agent) {
    const toml::node* node = s.get("max_budget_usd");
    if (node == nullptr) return;
    double value = 0;
    if (const auto* f = node->as_floating_point())
        value = f->get();
    else if (const auto* i = node->as_integer())
        value = static_cast<double>(i->get());
    else {
        s.error(*node, s.key("max_budget_usd") + " must be a number, not " + a_type(*node));
        return;
    }
    if (!(value > 0)) {
        s.error(*node, s.key("max_budget_usd") + " must be greater than 0");
        return;
    }
    agent.max_budget_usd = value;
}

void read_roots(const Section& s, AgentConfig& agent) {
    const toml::node* node = s.get("allowed_roots");
    if (node == nullptr) {
        s.missing("allowed_roots", " (the directories under which a job may work)");
        return;
    }
    const auto roots = s.string_array("allowed_roots");
    if (const toml::array* array = node->as_array(); array != nullptr && array->empty())
        s.error(*node, s.key("allowed_roots") + " must name at least one directory");
    for (const auto* root : roots) {
        std::string error;
        const auto canonical = canonical_directory(root->get(), &error);
        if (!canonical) {
            s.error(*root, "allowed root " + error);
            continue;
        }
        if (*canonical == "/") {
            s.error(*root, "allowed root '/' would allow every directory");
            continue;
        }
        agent.allowed_roots.push_back(*canonical);
    }
}

void read_default_directory(const Section& s, AgentConfig& agent) {
    const auto* dir = s.string_node("default_directory", false);
    if (dir == nullptr || agent.allowed_roots.empty()) return;
    std::string error;
    if (const auto canonical =
            resolve_in_roots(dir->get(), agent.allowed_roots, "default_directory", &error))
        agent.default_directory = *canonical;
    else
        s.error(*dir, error);
}

}  // namespace

void read_agent(const toml::table& model_table, ModelConfig& model, Errors& errors) {
    const toml::node* node = model_table.get("agent");
    if (node == nullptr) return;
    const toml::table* table = node->as_table();
    if (table == nullptr) {
        report(errors, node->source(),
               "'agent' in [[models]] must be a table ([models.agent]), not " + a_type(*node));
        return;
    }
    const Section s(*table, "in [models.agent]", errors);
    s.check_keys({"tools", "permission_mode", "max_turns", "max_budget_usd", "allowed_roots",
                  "default_directory"});
    AgentConfig agent;
    read_tools(s, agent);
    read_permission_mode(s, agent);
    s.read_int("max_turns", 1, agent.max_turns);
    read_budget(s, agent);
    read_roots(s, agent);
    read_default_directory(s, agent);
    model.agent = std::move(agent);
}

}  // namespace ch::detail
