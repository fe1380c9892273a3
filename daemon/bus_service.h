// The D-Bus transport: one thread owns the connection (sd-bus is not thread-safe), serves the
// Harness1 and LogControl1 objects, and turns job events into signals. HTTP threads never
// touch the bus; job events reach the bus thread through a queue and an eventfd. When the bus
// is missing or drops, the daemon keeps serving HTTP and reconnects in the background.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <systemd/sd-bus.h>

#include "daemon/bus_harness.h"
#include "daemon/job_watcher.h"

namespace ch {

enum class BusKind { System, Session, None };

// "system", "session", "none"; nullopt otherwise.
std::optional<BusKind> parse_bus_kind(const std::string& name);

class BusService : public JobWatcher {
  public:
    BusService(BusKind kind, BusSources sources);
    ~BusService() override;  // stop()
    BusService(const BusService&) = delete;
    BusService& operator=(const BusService&) = delete;

    void start();
    void stop();

    void job_started(const Job& job) override;
    void job_finished(const Job& job, const JobOutcome& outcome) override;

  private:
    struct Event {
        bool finished = false;
        std::string id, model, provider, client, outcome;
        std::uint64_t duration_us = 0, input_tokens = 0, output_tokens = 0;
    };

    void run();
    sd_bus* connect();
    void serve(sd_bus* bus);
    void emit_events(sd_bus* bus);
    void emit_readiness(sd_bus* bus);
    void push(Event event);
    bool wait_for_stop(int timeout_ms);

    const BusKind kind_;
    BusSources sources_;
    int wake_fd_ = -1;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
    std::mutex mutex_;
    std::vector<Event> events_;
    // Last published readiness, to emit PropertiesChanged only on a change.
    int last_ready_ = -1;
    std::string last_reason_;
};

}  // namespace ch
