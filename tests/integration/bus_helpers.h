// Talking to the daemon over a private bus with independent clients (busctl, dbus-send),
// and a daemon started on such a bus.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "daemon_fixture.h"
#include "private_bus.h"

namespace it {

inline constexpr const char* kService = "org.claudeharness.Harness1";
inline constexpr const char* kPath = "/org/claudeharness/Harness1";
inline constexpr const char* kInterface = "org.claudeharness.Harness1";

// A private bus and a daemon serving on it (its name owned before this returns).
struct BusDaemon {
    explicit BusDaemon(DaemonOptions options = {});
    PrivateBus bus;
    std::unique_ptr<Daemon> daemon;
};

// busctl --system ARGS... against `bus`; `as_user` runs it through setpriv as that user
// ("" = as ourselves), with `groups` as its supplementary groups.
CommandResult busctl(const PrivateBus& bus, const std::vector<std::string>& args,
                     const std::string& as_user = "", const std::string& groups = "");
// dbus-send --system --print-reply: unlike busctl it prints D-Bus error names.
CommandResult dbus_send(const PrivateBus& bus, const std::vector<std::string>& args,
                        const std::string& as_user = "", const std::string& groups = "");
// The value busctl prints for a property of the Harness1 interface, e.g. `s "0.1.0"`.
std::string get_property(const PrivateBus& bus, const std::string& name);

// Reads lines of `process` until one contains every needle: that line, or "" on timeout.
std::string wait_line(BackgroundProcess& process, const std::vector<std::string>& needles,
                      std::chrono::milliseconds timeout);

}  // namespace it
