// The system bus and the daemon's name on it. The daemon serves HTTP without the bus, so
// problems here are warnings: only the bus verbs of claude-harnessctl depend on it.
#include <systemd/sd-bus.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "common/bus_names.h"
#include "ctl/doctor_checks.h"

namespace ch::ctl {
namespace {

constexpr std::uint64_t kCallTimeoutUs = 5 * 1000 * 1000;

std::string bus_address() {
    const char* env = std::getenv("DBUS_SYSTEM_BUS_ADDRESS");
    return env && *env ? env : "unix:path=/run/dbus/system_bus_socket";
}

std::string error_text(const sd_bus_error& e, int r) {
    if (sd_bus_error_is_set(&e)) return std::string(e.message ? e.message : e.name);
    return std::strerror(-r);
}

// Whether the daemon says it is ready; a missing or failing property is a warning, since the
// daemon may be older or newer than this client.
Check ready_check(sd_bus* bus) {
    sd_bus_error error = SD_BUS_ERROR_NULL;
    int ready = 0;
    const int r = sd_bus_get_property_trivial(bus, bus::kService, bus::kObjectPath, bus::kInterface,
                                              "Ready", &error, 'b', &ready);
    Check c{"daemon", Status::kOk, "running and ready", ""};
    if (r < 0) {
        c = {"daemon", Status::kWarn,
             "running, but its Ready property cannot be read: " + error_text(error, r),
             "check `claude-harnessctl logs`"};
    } else if (!ready) {
        char* reason = nullptr;
        sd_bus_get_property_string(bus, bus::kService, bus::kObjectPath, bus::kInterface,
                                   "NotReadyReason", nullptr, &reason);
        c = {"daemon", Status::kWarn,
             std::string("running, but not ready: ") +
                 (reason && *reason ? reason : "no provider can run jobs"),
             "fix the provider checks above, then `systemctl reload claude-harness`"};
        free(reason);
    }
    sd_bus_error_free(&error);
    return c;
}

}  // namespace

std::vector<Check> check_bus() {
    const std::string address = bus_address();
    sd_bus* bus = nullptr;
    sd_bus_error error = SD_BUS_ERROR_NULL;
    sd_bus_message* reply = nullptr;
    int owned = 0;
    int r = sd_bus_open_system(&bus);
    if (r >= 0) r = sd_bus_set_method_call_timeout(bus, kCallTimeoutUs);
    // Connecting is lazy: the first call shows whether the bus really answers.
    if (r >= 0)
        r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                               "org.freedesktop.DBus", "NameHasOwner", &error, &reply, "s",
                               bus::kService);
    if (r >= 0) r = sd_bus_message_read(reply, "b", &owned);
    std::vector<Check> out;
    if (r < 0) {
        out.push_back({"system bus", Status::kWarn,
                       "unreachable at " + address + ": " + error_text(error, r),
                       "start D-Bus (`apt install dbus`); without it the daemon serves HTTP, "
                       "but claude-harnessctl status, jobs, cancel, reload and test cannot "
                       "reach it"});
        out.push_back({"daemon", Status::kWarn, "unknown: the system bus is unreachable",
                       "`systemctl status claude-harness` shows whether it runs"});
    } else {
        out.push_back({"system bus", Status::kOk, "reachable at " + address, ""});
        if (owned)
            out.push_back(ready_check(bus));
        else
            out.push_back({"daemon", Status::kWarn,
                           std::string("not running (no owner of ") + bus::kService + ")",
                           "`systemctl start claude-harness`; `claude-harnessctl logs` shows "
                           "why it stopped"});
    }
    sd_bus_message_unref(reply);
    sd_bus_error_free(&error);
    sd_bus_flush_close_unref(bus);
    return out;
}

}  // namespace ch::ctl
