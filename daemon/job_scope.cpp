#include "daemon/job_scope.h"

#include <signal.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>
#include <systemd/sd-login.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>

#include <spdlog/spdlog.h>

#include "daemon/cgroup_fs.h"
#include "daemon/systemd_manager.h"

namespace ch {
namespace {

constexpr auto kKillWait = std::chrono::seconds(5);
// Per job, as the packaged unit bounds the whole service: a runaway tool, not the normal load.
constexpr std::uint64_t kTasksMax = 1024;

// "claude-harness.service" → "claude-harness-"; the scopes of this unit start with it.
std::string scope_prefix(const std::string& daemon_unit) {
    return daemon_unit.substr(0, daemon_unit.rfind('.')) + "-";
}

}  // namespace

const std::optional<std::string>& systemd_unit_of_daemon() {
    static const std::optional<std::string> unit = []() -> std::optional<std::string> {
        if (sd_booted() <= 0 || std::getenv("INVOCATION_ID") == nullptr) return std::nullopt;
        char* name = nullptr;
        if (sd_pid_get_unit(0, &name) < 0) return std::nullopt;
        std::string found = name;
        std::free(name);
        if (!found.ends_with(".service")) return std::nullopt;
        return found;
    }();
    return unit;
}

std::unique_ptr<JobScope> JobScope::prepare(const std::string& daemon_unit,
                                            const std::string& job_id) {
    const std::string name =
        scope_prefix(daemon_unit) + std::to_string(getpid()) + "-job-" + job_id + ".scope";
    return std::unique_ptr<JobScope>(new JobScope(name, job_id, daemon_unit));
}

JobScope::~JobScope() {
    if (!kill()) spdlog::error("{}: processes still running after SIGKILL", name_);
}

PlaceChild JobScope::placement() {
    return [this](pid_t pid) { start(pid); };
}

void JobScope::start(pid_t pid) {
    systemd::ScopeOptions options;
    options.description = "Claude Harness agent job " + job_id_;
    options.part_of = daemon_unit_;
    options.tasks_max = kTasksMax;
    if (const std::string failed = systemd::start_scope(name_, pid, options); !failed.empty())
        throw PlacementError("cannot start the systemd scope " + name_ + ": " + failed);
    // Read while the child still waits, as root: ProtectProc=invisible hides it once it runs
    // as its user.
    const std::string dir = cgroup_dir_of(pid);
    if (!dir.ends_with("/" + name_))
        throw PlacementError("systemd started " + name_ + " but process " + std::to_string(pid) +
                             " is in '" + dir + "'");
    cgroup_dir_ = dir;
}

bool JobScope::kill() {
    if (cgroup_dir_.empty()) return true;  // never held anything
    if (!cgroup_populated(cgroup_dir_)) return true;
    if (const std::string failed = systemd::kill_unit(name_, SIGKILL); !failed.empty())
        spdlog::error("{}", failed);
    return wait_cgroup_empty(cgroup_dir_, std::chrono::steady_clock::now() + kKillWait);
}

void remove_leftover_job_scopes(const std::string& daemon_unit) {
    const std::string prefix = scope_prefix(daemon_unit);
    std::string error;
    const auto names = systemd::list_units(prefix + "*-job-*.scope", &error);
    if (!error.empty()) {
        spdlog::warn("cannot look for job scopes left by an earlier run: {}", error);
        return;
    }
    int killed = 0;
    for (const auto& name : names) {
        const long owner = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
        // Another running daemon's stay; a dead owner's are leftovers.
        if (owner > 0 && owner != getpid() &&
            (::kill(static_cast<pid_t>(owner), 0) == 0 || errno != ESRCH))
            continue;
        if (const std::string failed = systemd::kill_unit(name, SIGKILL); !failed.empty())
            spdlog::error("{}", failed);
        else
            ++killed;
    }
    if (killed > 0) spdlog::warn("killed {} job scope(s) left by an earlier run", killed);
}

}  // namespace ch
