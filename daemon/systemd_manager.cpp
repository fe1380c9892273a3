#include "daemon/systemd_manager.h"

#include <systemd/sd-bus.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace ch::systemd {
namespace {

constexpr const char* kService = "org.freedesktop.systemd1";
constexpr const char* kPath = "/org/freedesktop/systemd1";
constexpr const char* kManager = "org.freedesktop.systemd1.Manager";

using Clock = std::chrono::steady_clock;

std::string describe(int r, const sd_bus_error* error) {
    if (error != nullptr && sd_bus_error_is_set(error))
        return std::string(error->message ? error->message : error->name);
    return std::strerror(-r);
}

struct Bus {
    sd_bus* bus = nullptr;
    std::string error;
    Bus() {
        const int r = sd_bus_open_system(&bus);
        if (r < 0) {
            bus = nullptr;  // sd_bus_open_system() frees what it made on failure
            error = std::string("cannot connect to the system bus: ") + std::strerror(-r);
        }
    }
    ~Bus() { sd_bus_flush_close_unref(bus); }
    Bus(const Bus&) = delete;
    Bus& operator=(const Bus&) = delete;
};

struct Error {
    sd_bus_error e = SD_BUS_ERROR_NULL;
    ~Error() { sd_bus_error_free(&e); }
};

struct Message {
    sd_bus_message* m = nullptr;
    ~Message() { sd_bus_message_unref(m); }
};

// Every JobRemoved seen: (job path, result). The one for our job may arrive while the start
// call is still waiting for its reply; it is dispatched afterwards.
using Removed = std::vector<std::pair<std::string, std::string>>;

int on_job_removed(sd_bus_message* m, void* userdata, sd_bus_error*) {
    uint32_t id = 0;
    const char *path = nullptr, *unit = nullptr, *result = nullptr;
    if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) >= 0)
        static_cast<Removed*>(userdata)->emplace_back(path, result);
    return 0;
}

std::string append_properties(sd_bus_message* m, pid_t pid, const ScopeOptions& options) {
    int r = sd_bus_message_open_container(m, 'a', "(sv)");
    if (r >= 0)
        r = sd_bus_message_append(m, "(sv)", "Description", "s", options.description.c_str());
    if (r >= 0) r = sd_bus_message_append(m, "(sv)", "PIDs", "au", 1, static_cast<uint32_t>(pid));
    if (r >= 0) r = sd_bus_message_append(m, "(sv)", "CollectMode", "s", "inactive-or-failed");
    if (r >= 0 && !options.part_of.empty())
        r = sd_bus_message_append(m, "(sv)", "PartOf", "as", 1, options.part_of.c_str());
    if (r >= 0 && options.tasks_max > 0)
        r = sd_bus_message_append(m, "(sv)", "TasksMax", "t", options.tasks_max);
    if (r >= 0) r = sd_bus_message_close_container(m);
    if (r >= 0) r = sd_bus_message_append(m, "a(sa(sv))", 0);  // no auxiliary units
    return r < 0 ? std::string("cannot build the request: ") + std::strerror(-r) : "";
}

}  // namespace

std::string start_scope(const std::string& name, pid_t pid, const ScopeOptions& options) {
    Bus bus;
    if (!bus.bus) return bus.error;
    const auto deadline = Clock::now() + options.timeout;
    const uint64_t timeout_us =
        std::chrono::duration_cast<std::chrono::microseconds>(options.timeout).count();
    // Subscribed before the start, or the job could end before we listen.
    Removed removed;
    sd_bus_slot* slot = nullptr;
    int r = sd_bus_match_signal(bus.bus, &slot, kService, kPath, kManager, "JobRemoved",
                                on_job_removed, &removed);
    if (r < 0) return std::string("cannot watch systemd's jobs: ") + std::strerror(-r);
    Message call;
    r = sd_bus_message_new_method_call(bus.bus, &call.m, kService, kPath, kManager,
                                       "StartTransientUnit");
    if (r < 0) {
        sd_bus_slot_unref(slot);
        return std::string("cannot build the request: ") + std::strerror(-r);
    }
    std::string failed = [&]() -> std::string {
        if (sd_bus_message_append(call.m, "ss", name.c_str(), "fail") < 0)
            return "cannot build the request";
        return append_properties(call.m, pid, options);
    }();
    Error error;
    Message reply;
    const char* job = nullptr;
    if (failed.empty()) {
        r = sd_bus_call(bus.bus, call.m, timeout_us, &error.e, &reply.m);
        if (r < 0)
            failed = "StartTransientUnit: " + describe(r, &error.e);
        else if ((r = sd_bus_message_read(reply.m, "o", &job)) < 0)
            failed = std::string("StartTransientUnit: bad reply: ") + std::strerror(-r);
    }
    while (failed.empty()) {
        const auto it = std::find_if(removed.begin(), removed.end(),
                                     [&](const auto& entry) { return entry.first == job; });
        if (it != removed.end()) {
            if (it->second != "done")
                failed = "systemd's job to start " + name + " ended with '" + it->second + "'";
            break;
        }
        r = sd_bus_process(bus.bus, nullptr);
        if (r > 0) continue;
        const auto left =
            std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
        if (r < 0) {
            failed = std::string("lost the system bus: ") + std::strerror(-r);
        } else if (left.count() <= 0) {
            failed = "systemd did not start " + name + " within " +
                     std::to_string(options.timeout.count()) + " ms";
        } else {
            sd_bus_wait(bus.bus, static_cast<uint64_t>(left.count()));
        }
    }
    sd_bus_slot_unref(slot);
    return failed;
}

std::string kill_unit(const std::string& name, int signal) {
    Bus bus;
    if (!bus.bus) return bus.error;
    Error error;
    const int r = sd_bus_call_method(bus.bus, kService, kPath, kManager, "KillUnit", &error.e,
                                     nullptr, "ssi", name.c_str(), "all", signal);
    if (r >= 0 || sd_bus_error_has_name(&error.e, "org.freedesktop.systemd1.NoSuchUnit")) return "";
    return "KillUnit " + name + ": " + describe(r, &error.e);
}

std::vector<std::string> list_units(const std::string& pattern, std::string* error) {
    std::vector<std::string> names;
    Bus bus;
    if (!bus.bus) {
        *error = bus.error;
        return names;
    }
    Error failure;
    Message call, reply;
    int r = sd_bus_message_new_method_call(bus.bus, &call.m, kService, kPath, kManager,
                                           "ListUnitsByPatterns");
    if (r >= 0) r = sd_bus_message_append(call.m, "as", 0);
    if (r >= 0) r = sd_bus_message_append(call.m, "as", 1, pattern.c_str());
    if (r >= 0) r = sd_bus_call(bus.bus, call.m, 0, &failure.e, &reply.m);
    if (r >= 0) r = sd_bus_message_enter_container(reply.m, 'a', "(ssssssouso)");
    while (r >= 0) {
        r = sd_bus_message_enter_container(reply.m, 'r', "ssssssouso");
        if (r <= 0) break;
        const char* unit = nullptr;
        r = sd_bus_message_read(reply.m, "s", &unit);
        if (r >= 0) names.emplace_back(unit);
        if (r >= 0) r = sd_bus_message_skip(reply.m, "sssssouso");
        if (r >= 0) r = sd_bus_message_exit_container(reply.m);
    }
    if (r < 0) *error = "ListUnitsByPatterns: " + describe(r, &failure.e);
    return names;
}

}  // namespace ch::systemd
