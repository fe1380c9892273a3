// Whether each provider can run jobs: its CLI executable exists and runs (`claude --version`),
// and a login is present (an environment token, or the credentials the CLI reads) — checked
// without calling the API.
#pragma once

#include <chrono>
#include <cstdint>
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

  private:
    ProviderStatus check(const ProviderConfig& provider);

    std::vector<ProviderConfig> providers_;
    ChildReaper& reaper_;
    std::mutex mutex_;
    std::vector<ProviderStatus> status_;
    std::vector<std::chrono::steady_clock::time_point> checked_;
};

}  // namespace ch
