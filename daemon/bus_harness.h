// The org.claudeharness.Harness1 object: the daemon's state as bus properties and methods.
// Only the bus thread calls into it; everything it reads is thread-safe on the daemon side.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <systemd/sd-bus.h>

namespace ch {

struct HttpContext;
class JobManager;
class ProviderHealth;
class UsageLedger;
class ConfigReloader;
class SessionStore;

// What the bus publishes; the pointers outlive the bus service.
struct BusSources {
    HttpContext* http = nullptr;
    JobManager* jobs = nullptr;
    ProviderHealth* health = nullptr;
    UsageLedger* usage = nullptr;
    ConfigReloader* reloader = nullptr;
    std::vector<std::string> listen;  // as bound
    std::string config_path;
    std::uint64_t started_us = 0;  // µs since the epoch
    std::string usage_ledger;      // the usage ledger's path, for GetUsageReport()
    SessionStore* sessions = nullptr;
};

// Both take a BusSources* as userdata.
const sd_bus_vtable* harness_vtable();
const sd_bus_vtable* log_control_vtable();

// Runs `body` (returning an sd-bus result) so that no exception crosses into sd-bus's C code.
template <typename Body>
int bus_guarded(sd_bus_error* error, Body body) {
    try {
        return body();
    } catch (const std::exception& e) {
        return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "%s", e.what());
    }
}

}  // namespace ch
