// Calls to systemd's manager (org.freedesktop.systemd1) on the system bus, each on a
// connection of its own, so any thread may make them and no connection lingers between jobs.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace ch::systemd {

struct ScopeOptions {
    std::string description;
    std::string part_of;          // a unit whose stop or restart stops the scope too; "" = none
    std::uint64_t tasks_max = 0;  // 0 = systemd's default
    std::chrono::milliseconds timeout{10000};  // for the call and for systemd's start job
};

// Starts the transient scope `name` (dropped by systemd once it is empty) holding `pid`, and
// waits until systemd's start job is done, so the process is inside. "" on success, else why.
std::string start_scope(const std::string& name, pid_t pid, const ScopeOptions& options);

// Sends `signal` to every process of the unit. "" on success or when there is no such unit.
std::string kill_unit(const std::string& name, int signal);

// The names of the loaded units that match the glob `pattern`; *error set when the manager
// could not be asked.
std::vector<std::string> list_units(const std::string& pattern, std::string* error);

}  // namespace ch::systemd
