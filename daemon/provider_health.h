// Whether each provider can run jobs: its CLI executable exists and runs (`claude --version`),
// and a login is present (an environment token, or the credentials the CLI reads) — checked
// without calling the API.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/config.h"

namespace ch {

class ChildReaper;

struct ProviderStatus {
    std::string name;
    std::string user;        // run-as user name
    std::string executable;  // resolved path, "" when not found
    std::string version;     // first line of `claude --version`
    std::string login;       // "api_key", "oauth_token", "credentials_file", "none", "unknown"
    std::int64_t login_expires_ms = 0;  // the access token's expiry (epoch ms), 0 = unknown
    bool login_refreshable = false;     // the CLI renews the access token itself
    bool ready = false;
    std::string reason;  // why not ready, in words a user can act on

    // Scheduling state, filled in by the provider pool.
    std::string state = "unknown";       // "ready", "cooling_down", "suspended", "not_ready"
    int running = 0;                     // jobs running on it now
    int max_concurrent = 0;              // 0 = only the global limit applies
    std::int64_t cooldown_until_ms = 0;  // usage limit reached until then (epoch ms); 0 = none
    int auth_failures = 0;               // consecutive authentication failures
    std::string last_error;              // "code: message" of its last failed job
};

class ProviderHealth {
  public:
    ProviderHealth(std::vector<ProviderConfig> providers, ChildReaper& reaper);

    // After a reload: providers whose configuration is unchanged keep their status, the
    // others are checked now.
    void set_providers(std::vector<ProviderConfig> providers);

    // Re-checks providers that are not ready and were last checked over `max_age` ago.
    std::vector<ProviderStatus> current(std::chrono::seconds max_age = std::chrono::seconds(10));
    bool ready(const std::string& provider);
    // The last statuses without checking anything: never blocks on a check in progress.
    std::vector<ProviderStatus> snapshot() const;
    // Reads a provider's login again now (a job may have refreshed its token).
    void reread_login(const std::string& provider);
    // Logs a warning when a login that the CLI cannot renew expires within `days`.
    void set_warning_days(int days);

  private:
    ProviderStatus check(const ProviderConfig& provider);
    void reread(std::size_t i);
    void publish();  // status_ -> snapshot_, and expiry warnings; with mutex_ held

    std::vector<ProviderConfig> providers_;
    ChildReaper& reaper_;
    std::mutex mutex_;
    std::vector<ProviderStatus> status_;
    std::vector<std::chrono::steady_clock::time_point> checked_;
    int warning_days_ = 7;
    std::map<std::string, std::chrono::steady_clock::time_point> warned_;

    mutable std::mutex snapshot_mutex_;  // never held during a check
    std::vector<ProviderStatus> snapshot_;
};

// Where the CLI of `provider` keeps its OAuth login when it runs with home `home`.
std::string credentials_path(const ProviderConfig& provider, const std::string& home);

}  // namespace ch
