// Once a second: the per-second summary for the live feed, and events for what changed without
// anyone telling (provider states, a reloaded configuration), found by comparing snapshots.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace ch {

struct HttpContext;
struct Settings;

class DashboardTicker {
  public:
    explicit DashboardTicker(HttpContext& ctx) : ctx_(ctx) {}
    ~DashboardTicker() { stop(); }
    void start();
    // Joins the thread and ends every open feed.
    void stop();

  private:
    void run();
    void tick();
    void check_providers();

    HttpContext& ctx_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::shared_ptr<const Settings> settings_seen_;
    std::map<std::string, std::string> provider_seen_;  // name -> state summary
    int ticks_ = 0;
};

}  // namespace ch
