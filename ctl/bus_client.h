// claude-harnessctl's side of the D-Bus contract: connects to the system bus (honouring
// DBUS_SYSTEM_BUS_ADDRESS), tells "daemon not running" apart from other failures, and decodes
// the daemon's replies into plain structs.
#pragma once

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include <systemd/sd-bus.h>

namespace ch::ctl {

// A failure with the exit status it should produce (exit_codes.h) and, for errors the daemon
// returned, the D-Bus error name.
struct BusError : std::runtime_error {
    BusError(int status, const std::string& message, std::string error_name = "")
        : std::runtime_error(message), exit_status(status), name(std::move(error_name)) {}
    int exit_status;
    std::string name;
};

struct LastErrorInfo {
    std::uint64_t at_us = 0;
    std::string job_id;
    std::string text;
};

struct DaemonState {
    std::string version;
    std::uint64_t started_us = 0;
    std::vector<std::string> listen;
    bool ready = false;
    std::string not_ready_reason;
    std::uint32_t active_jobs = 0;
    std::uint32_t queued_jobs = 0;
    std::uint64_t requests_total = 0;
    std::uint64_t requests_failed = 0;
    std::string config_path;
    LastErrorInfo last_error;
};

struct ProviderInfo {
    std::string name, user, cli_path, cli_version, login;
    std::uint64_t login_expires_us = 0;
    bool ready = false;
    std::string last_error;
    std::string state;  // "ready", "cooling_down", "suspended", "not_ready"
    std::uint64_t cooldown_until_us = 0;
    std::uint32_t running = 0, max_concurrent = 0, auth_failures = 0;
};

struct ModelInfo {
    std::string id, cli_model, provider;
    std::vector<std::string> aliases;
};

struct JobInfo {
    std::string id, model, provider, state, client;
    std::uint64_t created_us = 0, started_us = 0;
    std::uint32_t pid = 0;
};

struct SessionInfo {
    std::string id, provider, client;
    std::uint64_t last_used_us = 0;
    bool busy = false;
};

struct UsageInfo {
    std::string model, provider;
    std::uint64_t requests = 0, failed = 0, input_tokens = 0, output_tokens = 0,
                  cache_read_tokens = 0, cache_creation_tokens = 0;
};

class BusClient {
  public:
    // Throws BusError(kNotRunning) when there is no bus or nobody owns the daemon's name.
    BusClient();
    ~BusClient();
    BusClient(const BusClient&) = delete;
    BusClient& operator=(const BusClient&) = delete;

    DaemonState state();
    std::vector<ProviderInfo> providers();
    std::vector<ModelInfo> models();
    std::vector<JobInfo> jobs();
    std::vector<SessionInfo> sessions();
    std::vector<UsageInfo> usage();
    void cancel(const std::string& id);
    void reload();

  private:
    sd_bus_message* call(const char* method, const char* signature = nullptr,
                         const char* argument = nullptr);

    sd_bus* bus_ = nullptr;
};

// Runs a verb's body, printing a BusError and returning its exit status.
template <typename Body>
int with_daemon(Body body) {
    try {
        return body();
    } catch (const BusError& e) {
        std::fprintf(stderr, "claude-harnessctl: %s\n", e.what());
        return e.exit_status;
    }
}

}  // namespace ch::ctl
