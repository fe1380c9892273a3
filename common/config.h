// The daemon's configuration: the TOML schema as typed values, and the loader that
// reports every problem as "file:line:column: message".
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ch {

// Where the daemon and every ctl verb look for the configuration unless told otherwise.
inline constexpr const char* kDefaultConfigPath = "/etc/claude-harness/config.toml";

using Duration = std::chrono::milliseconds;

struct ListenAddress {
    std::string host;  // "127.0.0.1", "::1", "0.0.0.0", "localhost"
    int port = 0;      // 0 = ephemeral (tests)
    std::string text;  // as written, for messages

    bool is_loopback() const;
};

struct ServerConfig {
    std::vector<ListenAddress> listen;  // default 127.0.0.1:8013
    std::string api_keys_file;          // "" = no keys
    std::string state_dir;              // default $STATE_DIRECTORY or /var/lib/claude-harness
    std::size_t max_body_bytes = 32u << 20;
    Duration keepalive_interval{15000};          // SSE comment while waiting
    std::string admin_group = "claude-harness";  // may cancel jobs and reload over D-Bus
    std::string metrics = "api_key";             // GET /metrics: "public", "api_key" or "off"
    int login_warning_days = 7;                  // warn when a login expires within this
};

// What one client (API key id, or source address without keys) may ask; 0 = no limit.
struct ClientLimits {
    int max_queued = 0;
    int requests_per_minute = 0;
    std::int64_t tokens_per_minute = 0;

    bool operator==(const ClientLimits&) const = default;
};

struct LimitsConfig {
    int max_concurrent_jobs = 4;
    int max_queued_jobs = 64;
    Duration queue_timeout{2 * 60 * 1000};
    Duration job_timeout{10 * 60 * 1000};
    Duration idle_timeout{5 * 60 * 1000};
    Duration shutdown_grace{10 * 1000};                // drain running jobs on SIGTERM
    Duration usage_limit_retry_after{60 * 60 * 1000};  // when the CLI names no reset time
    int cli_max_retries = 2;                           // CLAUDE_CODE_MAX_RETRIES for the CLI
    Duration job_retention{60 * 60 * 1000};            // finished /v1/jobs kept this long
    int max_retained_jobs = 100;                       // and at most this many
    int auth_failure_limit = 3;  // consecutive authentication failures that suspend a provider
    Duration session_idle_timeout{60 * 60 * 1000};  // a CLI session unused this long is removed
    bool session_auto_resume = true;  // a resent history continues the session that answered it
    ClientLimits client{16, 0, 0};    // every client's, unless [clients.<id>] says
    std::map<std::string, ClientLimits> clients;  // [clients.<id>], defaults filled in

    // The limits of one client: its own table's, or the default.
    const ClientLimits& for_client(const std::string& id) const {
        const auto it = clients.find(id);
        return it != clients.end() ? it->second : client;
    }
};

// Each pre-started CLI holds about 110-160 MB; more than this is a configuration mistake.
constexpr int kMaxWarmPool = 16;

struct ProviderConfig {
    std::string name;
    std::string user;  // "" = the daemon's own user
    std::string claude = "claude";
    std::map<std::string, std::string> env;
    int max_concurrent = 0;  // jobs at once on this login; 0 = only the global limit
    std::string token_file;  // read by the daemon, passed as CLAUDE_CODE_OAUTH_TOKEN
    int warm_pool = 1;       // CLI processes kept started and waiting for a request; 0 = none

    bool operator==(const ProviderConfig&) const = default;
};

// Agent mode: the CLI's own tools run in a working directory the request chooses within
// allowed_roots (see common/agent_dirs.h).
struct AgentConfig {
    std::vector<std::string> tools;          // --tools and --allowedTools
    std::string permission_mode;             // --permission-mode; "" = the CLI's default
    int max_turns = 0;                       // --max-turns; 0 = the CLI's default
    double max_budget_usd = 0;               // --max-budget-usd; 0 = none
    std::vector<std::string> allowed_roots;  // canonical absolute directories
    std::string default_directory;           // canonical, within a root; "" = none
};

struct ModelConfig {
    std::string id;
    std::vector<std::string> aliases;
    std::string cli_model;               // passed to --model
    std::vector<std::string> providers;  // names of the ProviderConfigs that may serve it
    std::string strategy = "priority";   // "priority", "round-robin" or "least-loaded"
    std::string system_prompt;           // used when the client sends none
    bool has_system_prompt = false;
    int requests_per_minute = 0;  // over all clients; 0 = no limit
    std::int64_t tokens_per_minute = 0;
    std::optional<AgentConfig> agent;  // [models.agent]; none = plain chat, no tools
};

struct Config {
    std::string path;                    // the file it was read from
    std::vector<std::string> fragments;  // <dir of path>/config.d/*.toml merged after it
    ServerConfig server;
    LimitsConfig limits;
    std::vector<ProviderConfig> providers;
    std::vector<ModelConfig> models;

    // Model by id or alias; nullptr when unknown.
    const ModelConfig* find_model(const std::string& name) const;
    const ProviderConfig* find_provider(const std::string& name) const;
};

struct ConfigLoad {
    Config config;
    std::vector<std::string> errors;  // "file:line:column: message"; empty = valid
    bool ok() const { return errors.empty(); }
};

// "host:port" or "[v6]:port" with a port from 0 to 65535; std::nullopt for anything else.
std::optional<ListenAddress> parse_listen_address(std::string_view text);

// $STATE_DIRECTORY (its first entry when systemd lists several) or /var/lib/claude-harness.
std::string default_state_dir();

// The fragments that belong to a configuration file: <its directory>/config.d/*.toml, in
// lexical order.
std::vector<std::string> config_fragments(const std::string& path);

// Reads and validates a configuration file and its fragments, merged in order: tables key by
// key (the later value wins), [[providers]] and [[models]] by name and id (same name
// replaces, new ones are appended). Never throws for bad input.
ConfigLoad load_config_file(const std::string& path);
// Same, from text (name is used in messages); for tests and tools.
ConfigLoad load_config_string(const std::string& text, const std::string& name);

}  // namespace ch
