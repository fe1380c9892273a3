// Telling systemd how the service is doing: READY=1 once listening, STATUS= kept current,
// WATCHDOG=1 while the watchdog is enabled, STOPPING=1 on the way out. Without NOTIFY_SOCKET
// every call is a no-op.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace ch {

class ServiceNotifier {
  public:
    ServiceNotifier();

    void ready(const std::string& status);
    void stopping();
    // Sends STATUS= when the text changed and WATCHDOG=1 when one is due.
    void tick(const std::string& status);
    // How long the main loop may wait before the next tick.
    std::chrono::milliseconds interval() const { return interval_; }

  private:
    std::string last_status_;
    std::chrono::microseconds watchdog_{0};
    std::chrono::steady_clock::time_point last_ping_;
    std::chrono::milliseconds interval_{1000};
};

// "2 running, 1 queued, 340 served"
std::string service_status(std::size_t running, std::size_t queued, std::uint64_t served);

}  // namespace ch
