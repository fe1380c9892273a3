// Internal to the configuration loader: [[providers]], [[models]] and [clients.<id>], the
// parts of the schema that say who serves what and who may ask how much.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/config_section.h"
#include "common/config_validate.h"

namespace ch::detail {

namespace {

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

bool is_env_name(std::string_view name) {
    const auto head = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    };
    return !name.empty() && head(name.front()) &&
           std::all_of(name.begin(), name.end(),
                       [&](char c) { return head(c) || (c >= '0' && c <= '9'); });
}

void read_env(const Section& s, std::map<std::string, std::string>& env) {
    const toml::node* node = s.get("env");
    if (node == nullptr) return;
    const toml::table* table = node->as_table();
    if (table == nullptr) {
        s.error(*node, s.key("env") + " must be a table of strings, not " + a_type(*node));
        return;
    }
    for (auto&& [key, value] : *table) {
        const std::string name(key.str());
        bool ok = true;
        if (!is_env_name(name)) {
            s.error(key.source(), "invalid environment variable name '" + name +
                                      "' in 'env' (expected [A-Za-z_][A-Za-z0-9_]*)");
            ok = false;
        }
        const auto* text = value.as_string();
        if (text == nullptr) {
            s.error(value,
                    "'env." + name + "' in [[providers]] must be a string, not " + a_type(value));
            ok = false;
        }
        if (ok) env[name] = text->get();
    }
}

// The tables of [[name]]; reports a non-array, an empty array and elements that are no tables.
std::vector<const toml::table*> tables_of(const toml::node& node, const std::string& name,
                                          Errors& errors) {
    std::vector<const toml::table*> tables;
    const std::string header = "[[" + name + "]]";
    const toml::array* array = node.as_array();
    if (array == nullptr) {
        report(errors, node.source(),
               "'" + name + "' must be an array of tables (" + header + "), not " + a_type(node));
        return tables;
    }
    if (array->empty()) report(errors, node.source(), "at least one " + header + " is required");
    for (const toml::node& element : *array) {
        if (const auto* table = element.as_table()) {
            tables.push_back(table);
        } else {
            report(errors, element.source(),
                   "each element of '" + name + "' must be a table, not " + a_type(element));
        }
    }
    return tables;
}

// Ids and aliases share one name space, so that a request's "model" names one model.
void check_model_names(const Section& s, const std::vector<const toml::value<std::string>*>& names,
                       const std::vector<ModelConfig>& models,
                       std::map<std::string, std::size_t>& owners) {
    for (const auto* name : names) {
        const auto [it, inserted] = owners.emplace(name->get(), models.size());
        if (inserted) continue;
        std::string who = "this model";
        if (it->second < models.size()) {
            const std::string& id = models[it->second].id;
            who = id.empty() ? "another model" : "model '" + id + "'";
        }
        s.error(*name, "duplicate model name '" + name->get() + "' (already used by " + who + ")");
    }
}

// `provider = "a"` or `providers = ["a", "b"]`; either may be left out when there is one.
void read_model_providers(const Section& s, const Config& config, ModelConfig& model) {
    const toml::node* one = s.get("provider");
    const toml::node* many = s.get("providers");
    if (one != nullptr && many != nullptr) {
        s.error(*many, s.key("providers") + " and 'provider' both name providers: keep one");
        return;
    }
    std::vector<const toml::value<std::string>*> names;
    if (one != nullptr) {
        if (const auto* name = s.string_node("provider", false)) names.push_back(name);
    } else if (many != nullptr) {
        names = s.string_array("providers");
        if (const toml::array* array = many->as_array(); array != nullptr && array->empty())
            s.error(*many, s.key("providers") + " must not be empty");
    } else if (config.providers.size() == 1) {
        model.providers = {config.providers.front().name};
    } else if (config.providers.size() > 1) {
        s.missing("provider", " (it may be left out only when there is one provider)");
    }
    for (const auto* name : names) {
        if (config.find_provider(name->get()) == nullptr)
            s.error(*name, "unknown provider '" + name->get() + "' in [[models]]");
        else if (std::find(model.providers.begin(), model.providers.end(), name->get()) !=
                 model.providers.end())
            s.error(*name, "provider '" + name->get() + "' is named twice in [[models]]");
        else
            model.providers.push_back(name->get());
    }
}

ModelConfig read_model(const Section& s, const Config& config,
                       std::map<std::string, std::size_t>& owners) {
    s.check_keys({"id", "aliases", "cli_model", "provider", "providers", "strategy",
                  "system_prompt", "requests_per_minute", "tokens_per_minute", "agent"});
    ModelConfig model;
    std::vector<const toml::value<std::string>*> names;
    if (const auto* id = s.string_node("id", true)) {
        if (id->get().empty()) {
            s.error(*id, s.key("id") + " must not be empty");
        } else {
            model.id = id->get();
            names.push_back(id);
        }
    }
    for (const auto* alias : s.string_array("aliases")) {
        if (alias->get().empty()) {
            s.error(*alias, s.key("aliases") + " must not contain an empty string");
        } else {
            model.aliases.push_back(alias->get());
            names.push_back(alias);
        }
    }
    check_model_names(s, names, config.models, owners);
    s.read_string("cli_model", model.cli_model, true, true);

    read_model_providers(s, config, model);
    if (const auto* strategy = s.string_node("strategy", false)) {
        if (strategy->get() == "priority" || strategy->get() == "round-robin" ||
            strategy->get() == "least-loaded")
            model.strategy = strategy->get();
        else
            s.error(*strategy, s.key("strategy") +
                                   " must be \"priority\", \"round-robin\" or \"least-loaded\", "
                                   "not \"" +
                                   strategy->get() + "\"");
    }
    s.read_int("requests_per_minute", 0, model.requests_per_minute);
    s.read_int("tokens_per_minute", 0, model.tokens_per_minute);
    if (const auto* prompt = s.string_node("system_prompt", false)) {
        model.system_prompt = prompt->get();
        model.has_system_prompt = true;  // even "": the operator chose no system prompt
    }
    return model;
}

void read_client_limits(const Section& s, ClientLimits& limits) {
    s.read_int("max_queued", 0, limits.max_queued);
    s.read_int("requests_per_minute", 0, limits.requests_per_minute);
    s.read_int("tokens_per_minute", 0, limits.tokens_per_minute);
}

}  // namespace

void read_providers(const toml::table& root, std::vector<ProviderConfig>& providers,
                    Errors& errors) {
    const toml::node* node = root.get("providers");
    if (node == nullptr) {
        // The common case, the local CLI as the daemon's own user, needs no [[providers]].
        ProviderConfig local;
        local.name = "default";
        providers.push_back(std::move(local));
        return;
    }
    std::set<std::string> names;
    for (const toml::table* table : tables_of(*node, "providers", errors)) {
        const Section s(*table, "in [[providers]]", errors);
        s.check_keys(
            {"name", "user", "claude", "env", "max_concurrent", "token_file", "warm_pool"});
        ProviderConfig provider;
        if (const auto* name = s.string_node("name", true)) {
            provider.name = name->get();
            if (provider.name.empty()) {
                s.error(*name, s.key("name") + " must not be empty");
            } else if (!std::all_of(provider.name.begin(), provider.name.end(), is_name_char)) {
                s.error(*name, "invalid provider name '" + provider.name +
                                   "' (expected letters, digits, '_', '.' or '-')");
            } else if (!names.insert(provider.name).second) {
                s.error(*name, "duplicate provider name '" + provider.name + "'");
            }
        }
        s.read_string("user", provider.user, false, false);
        s.read_string("claude", provider.claude, false, true);
        read_env(s, provider.env);
        s.read_int("max_concurrent", 0, provider.max_concurrent);
        s.read_int("warm_pool", 0, kMaxWarmPool, provider.warm_pool);
        s.read_string("token_file", provider.token_file, false, true);
        if (const auto* token = s.string_node("token_file", false);
            token != nullptr && provider.env.count("CLAUDE_CODE_OAUTH_TOKEN") != 0)
            s.error(*token, s.key("token_file") +
                                " and env.CLAUDE_CODE_OAUTH_TOKEN both give the token: keep one");
        providers.push_back(std::move(provider));
    }
}

void read_models(const toml::table& root, Config& config, Errors& errors) {
    const toml::node* node = root.get("models");
    if (node == nullptr) {
        report(errors, root.source(), "at least one [[models]] is required");
        return;
    }
    std::map<std::string, std::size_t> owners;  // id or alias -> index of its model
    for (const toml::table* table : tables_of(*node, "models", errors)) {
        config.models.push_back(
            read_model(Section(*table, "in [[models]]", errors), config, owners));
        read_agent(*table, config.models.back(), errors);
    }
}

void read_clients(const toml::table& root, LimitsConfig& limits, Errors& errors) {
    const toml::node* node = root.get("clients");
    if (node == nullptr) return;
    const toml::table* table = node->as_table();
    if (table == nullptr) {
        report(errors, node->source(),
               "'clients' must be a table of [clients.<key id>] tables, not " + a_type(*node));
        return;
    }
    for (auto&& [id, value] : *table) {
        const std::string name(id.str());
        const toml::table* client = value.as_table();
        if (client == nullptr) {
            report(errors, value.source(),
                   "'clients." + name + "' must be a table ([clients." + name + "]), not " +
                       a_type(value));
            continue;
        }
        const Section s(*client, "in [clients." + name + "]", errors);
        s.check_keys({"max_queued", "requests_per_minute", "tokens_per_minute"});
        ClientLimits own = limits.client;
        read_client_limits(s, own);
        limits.clients[name] = own;
    }
}

}  // namespace ch::detail
