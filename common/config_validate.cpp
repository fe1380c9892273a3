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
                  "admin_group", "metrics", "login_warning_days"});
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
    s.read_int("login_warning_days", 0, 3650, server.login_warning_days);
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
                  "job_retention", "max_retained_jobs", "auth_failure_limit",
                  "max_queued_per_client", "client_requests_per_minute", "client_tokens_per_minute",
                  "session_idle_timeout", "session_auto_resume"});
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
    s.read_int("auth_failure_limit", 1, limits.auth_failure_limit);
    s.read_int("max_queued_per_client", 0, limits.client.max_queued);
    s.read_int("client_requests_per_minute", 0, limits.client.requests_per_minute);
    s.read_int("client_tokens_per_minute", 0, limits.client.tokens_per_minute);
    s.read_duration("session_idle_timeout", limits.session_idle_timeout, true);  // 0 = no sessions
    s.read_bool("session_auto_resume", limits.session_auto_resume);
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
        .check_keys({"server", "limits", "providers", "models", "clients"});

    config.server.listen = {*parse_listen_address("127.0.0.1:8013")};
    config.server.state_dir = default_state_dir();
    if (const toml::table* server = sub_table(root, "server", errors)) {
        read_server(Section(*server, "in [server]", errors), config.server);
    }
    if (const toml::table* limits = sub_table(root, "limits", errors)) {
        read_limits(Section(*limits, "in [limits]", errors), config.limits);
    }
    read_clients(root, config.limits, errors);  // after [limits], which gives the defaults
    read_providers(root, config.providers, errors);
    read_models(root, config, errors);  // after the providers, which models refer to
}

}  // namespace ch::detail
