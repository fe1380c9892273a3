// Re-reading the configuration while serving (SIGHUP or the bus's Reload()): all or nothing.
// An invalid file leaves the running configuration untouched; running jobs keep the settings
// they started with.
#pragma once

#include <mutex>
#include <string>
#include <vector>

namespace ch {

struct HttpContext;
class JobManager;
class ProviderHealth;
class ProviderPool;
class WarmPool;

class ConfigReloader {
  public:
    ConfigReloader(std::string path, HttpContext& ctx, JobManager& jobs, ProviderHealth& health,
                   ProviderPool& pool, WarmPool* warm_pool = nullptr)
        : path_(std::move(path)),
          ctx_(ctx),
          jobs_(jobs),
          health_(health),
          pool_(pool),
          warm_pool_(warm_pool) {}

    // Empty when the new configuration is in force; else every problem, as
    // "file:line:column: message".
    std::vector<std::string> reload();

  private:
    const std::string path_;
    HttpContext& ctx_;
    JobManager& jobs_;
    ProviderHealth& health_;
    ProviderPool& pool_;
    WarmPool* warm_pool_;
    std::mutex mutex_;  // SIGHUP and Reload() may race
};

}  // namespace ch
