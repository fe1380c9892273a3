#include "daemon/service_notifier.h"

#include <algorithm>

#include <systemd/sd-daemon.h>

namespace ch {

ServiceNotifier::ServiceNotifier() {
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
        watchdog_ = std::chrono::microseconds(usec);
        // Ping at half the timeout, as sd_watchdog_enabled(3) advises.
        interval_ = std::min(interval_,
                             std::chrono::duration_cast<std::chrono::milliseconds>(watchdog_ / 2));
        interval_ = std::max(interval_, std::chrono::milliseconds(1));
    }
    last_ping_ = std::chrono::steady_clock::now();
}

void ServiceNotifier::ready(const std::string& status) {
    last_status_ = status;
    sd_notifyf(0, "READY=1\nSTATUS=%s", status.c_str());
}

void ServiceNotifier::stopping() {
    sd_notify(0, "STOPPING=1\nSTATUS=Stopping");
}

void ServiceNotifier::tick(const std::string& status) {
    if (status != last_status_) {
        last_status_ = status;
        sd_notifyf(0, "STATUS=%s", status.c_str());
    }
    const auto now = std::chrono::steady_clock::now();
    if (watchdog_.count() > 0 && now - last_ping_ >= watchdog_ / 2) {
        last_ping_ = now;
        sd_notify(0, "WATCHDOG=1");
    }
}

std::string service_status(std::size_t running, std::size_t queued, std::uint64_t served) {
    return std::to_string(running) + " running, " + std::to_string(queued) + " queued, " +
           std::to_string(served) + " served";
}

}  // namespace ch
