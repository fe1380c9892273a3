#include "common/config_validate.h"

#include <arpa/inet.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/config_section.h"

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

// Equal for two spellings of one address ("[::1]:80", "[0:0::1]:080"); port 0 is left out by
// the caller because it is a new port every time.
std::string address_key(const ListenAddress& address) {
    std::string host = address.host;
    in6_addr v6{};
    if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
        host.assign(reinterpret_cast<const char*>(v6.s6_addr), sizeof v6.s6_addr);
    } else {
        std::transform(host.begin(), host.end(), host.begin(), [](char c) {
            return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c;
        });
    }
    return host + ":" + std::to_string(address.port);
}

void read_server(const Section& s, ServerConfig& server) {
    s.check_keys({"listen", "api_keys_file", "state_dir", "max_body_bytes", "keepalive_interval",
                  "admin_group", "metrics"});
    if (const toml::node* listen = s.get("listen")) {
        server.listen.clear();
        std::set<std::string> seen;
        for (const auto* value : s.string_array("listen")) {
            const std::optional<ListenAddress> address = parse_listen_address(value->get());
            if (!address) {
                s.error(*value, "invalid listen address \"" + value->get() +
                                    "\" in [server] (expected host:port as in \"127.0.0.1:8013\", "
                                    "an IPv6 host in brackets as in \"[::1]:8013\", "
                                    "and a port from 0 to 65535)");
            } else if (address->port != 0 && !seen.insert(address_key(*address)).second) {
                s.error(*value, "duplicate listen address \"" + value->get() + "\" in [server]");
            } else {
                server.listen.push_back(*address);
            }
        }
        const toml::array* array = listen->as_array();
        if (array != nullptr && array->empty()) {
            s.error(*listen, s.key("listen") + " must not be empty");
        }
    }
    s.read_string("api_keys_file", server.api_keys_file, false, false);
    s.read_string("state_dir", server.state_dir, false, true);
    s.read_int("max_body_bytes", 1, server.max_body_bytes);
    s.read_duration("keepalive_interval", server.keepalive_interval, false);
    s.read_string("admin_group", server.admin_group, false, false);
    if (const auto* metrics = s.string_node("metrics", false)) {
        if (metrics->get() == "public" || metrics->get() == "api_key" || metrics->get() == "off")
            server.metrics = metrics->get();
        else
            s.error(*metrics, s.key("metrics") + " must be \"public\", \"api_key\" or \"off\", " +
                                  "not \"" + metrics->get() + "\"");
    }
}

void read_limits(const Section& s, LimitsConfig& limits) {
    s.check_keys({"max_concurrent_jobs", "max_queued_jobs", "queue_timeout", "job_timeout",
                  "idle_timeout", "shutdown_grace", "usage_limit_retry_after", "cli_max_retries",
                  "job_retention", "max_retained_jobs"});
    s.read_int("max_concurrent_jobs", 1, limits.max_concurrent_jobs);
    s.read_int("max_queued_jobs", 0, limits.max_queued_jobs);
    s.read_duration("queue_timeout", limits.queue_timeout, false);
    s.read_duration("job_timeout", limits.job_timeout, false);
    s.read_duration("idle_timeout", limits.idle_timeout, false);
    s.read_duration("shutdown_grace", limits.shutdown_grace, true);  // 0 = stop at once
    s.read_duration("usage_limit_retry_after", limits.usage_limit_retry_after, false);
    s.read_int("cli_max_retries", 0, 15, limits.cli_max_retries);
    s.read_duration("job_retention", limits.job_retention, true);  // 0 = forget at once
    s.read_int("max_retained_jobs", 0, limits.max_retained_jobs);
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

void read_providers(const toml::table& root, std::vector<ProviderConfig>& providers,
                    Errors& errors) {
    const toml::node* node = root.get("providers");
    if (node == nullptr) {
        // The common case, the local CLI as the daemon's own user, needs no [[providers]].
        providers.push_back(ProviderConfig{"default", "", "claude", {}, 1});
        return;
    }
    std::set<std::string> names;
    for (const toml::table* table : tables_of(*node, "providers", errors)) {
        const Section s(*table, "in [[providers]]", errors);
        s.check_keys({"name", "user", "claude", "env", "warm_pool"});
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
        s.read_int("warm_pool", 0, kMaxWarmPool, provider.warm_pool);
        providers.push_back(std::move(provider));
    }
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

ModelConfig read_model(const Section& s, const Config& config,
                       std::map<std::string, std::size_t>& owners) {
    s.check_keys({"id", "aliases", "cli_model", "provider", "system_prompt"});
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

    if (s.get("provider") == nullptr) {
        if (config.providers.size() == 1) {
            model.provider = config.providers.front().name;
        } else if (config.providers.size() > 1) {
            s.missing("provider", " (it may be left out only when there is one provider)");
        }
    } else if (const auto* provider = s.string_node("provider", false)) {
        model.provider = provider->get();
        if (config.find_provider(model.provider) == nullptr) {
            s.error(*provider, "unknown provider '" + model.provider + "' in [[models]]");
        }
    }
    if (const auto* prompt = s.string_node("system_prompt", false)) {
        model.system_prompt = prompt->get();
        model.has_system_prompt = true;  // even "": the operator chose no system prompt
    }
    return model;
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
    }
}

// The table at key of root, or nullptr when absent or (reported) of another type.
const toml::table* sub_table(const toml::table& root, const std::string& name, Errors& errors) {
    const toml::node* node = root.get(name);
    if (node == nullptr) return nullptr;
    const toml::table* table = node->as_table();
    if (table == nullptr) {
        report(errors, node->source(),
               "'" + name + "' must be a table ([" + name + "]), not " + a_type(*node));
    }
    return table;
}

}  // namespace

void read_config(const toml::table& root, Config& config, Errors& errors) {
    Section(root, "at the top level", errors)
        .check_keys({"server", "limits", "providers", "models"});

    config.server.listen = {*parse_listen_address("127.0.0.1:8013")};
    config.server.state_dir = default_state_dir();
    if (const toml::table* server = sub_table(root, "server", errors)) {
        read_server(Section(*server, "in [server]", errors), config.server);
    }
    if (const toml::table* limits = sub_table(root, "limits", errors)) {
        read_limits(Section(*limits, "in [limits]", errors), config.limits);
    }
    read_providers(root, config.providers, errors);
    read_models(root, config, errors);  // after the providers, which models refer to
}

}  // namespace ch::detail
