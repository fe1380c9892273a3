#include "daemon/job_cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include <spdlog/spdlog.h>

#include "daemon/cgroup_fs.h"

namespace ch {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kKillWait = std::chrono::seconds(5);
constexpr const char* kPrefix = "claude-harness-";

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

bool write_text(const std::string& path, const std::string& text) {
    const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    close(fd);
    return ok;
}

// Kills each listed process until none is left or the deadline passes: for kernels without
// cgroup.kill (before 5.14).
void kill_listed(const std::string& dir, Clock::time_point deadline) {
    while (Clock::now() < deadline) {
        std::istringstream pids(read_text(dir + "/cgroup.procs"));
        pid_t pid;
        bool any = false;
        while (pids >> pid) {
            ::kill(pid, SIGKILL);
            any = true;
        }
        if (!any) return;
        // Freshly forked children appear after the scan; the next round gets them.
        pollfd none{-1, 0, 0};
        poll(&none, 0, 10);
    }
}

// SIGKILLs everything in the group and waits until it is empty; true when it is.
bool kill_cgroup(const std::string& dir) {
    const auto deadline = Clock::now() + kKillWait;
    if (!cgroup_populated(dir)) return true;
    if (!write_text(dir + "/cgroup.kill", "1")) kill_listed(dir, deadline);
    return wait_cgroup_empty(dir, deadline);
}

}  // namespace

std::unique_ptr<JobCgroup> JobCgroup::create(const std::string& job_id, std::string* error) {
    const std::string parent = cgroup_dir_of(0);
    if (parent.empty()) {
        *error = "no cgroup v2 hierarchy is mounted";
        return nullptr;
    }
    const std::string path = parent + "/" + kPrefix + std::to_string(getpid()) + "-job-" + job_id;
    if (mkdir(path.c_str(), 0755) != 0) {
        const int err = errno;
        *error = "cannot create the cgroup " + path + ": " + std::strerror(err);
        return nullptr;
    }
    const int fd = open((path + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        *error = "cannot open " + path + "/cgroup.procs: " + std::strerror(errno);
        rmdir(path.c_str());
        return nullptr;
    }
    return std::unique_ptr<JobCgroup>(new JobCgroup(path, fd));
}

JobCgroup::~JobCgroup() {
    close(procs_fd_);
    if (!kill()) spdlog::error("cgroup {}: processes still running after SIGKILL", path_);
    if (rmdir(path_.c_str()) != 0)
        spdlog::error("cgroup {}: cannot remove it: {}", path_, std::strerror(errno));
}

bool JobCgroup::kill() {
    return kill_cgroup(path_);
}

int remove_leftover_job_cgroups() {
    const std::string parent = cgroup_dir_of(0);
    if (parent.empty()) return 0;
    DIR* dir = opendir(parent.c_str());
    if (dir == nullptr) return 0;
    std::vector<std::string> stale;
    while (const dirent* entry = readdir(dir)) {
        const std::string name = entry->d_name;
        if (name.rfind(kPrefix, 0) != 0 || name.find("-job-") == std::string::npos) continue;
        const long owner = std::strtol(name.c_str() + std::strlen(kPrefix), nullptr, 10);
        // Another daemon's (tests run several) stay; a dead owner's are leftovers.
        if (owner > 0 && owner != getpid() &&
            (::kill(static_cast<pid_t>(owner), 0) == 0 || errno != ESRCH))
            continue;
        stale.push_back(parent + "/" + name);
    }
    closedir(dir);
    int removed = 0;
    for (const auto& path : stale) {
        if (kill_cgroup(path) && rmdir(path.c_str()) == 0) ++removed;
    }
    if (removed > 0) spdlog::warn("removed {} job cgroup(s) left by an earlier run", removed);
    return removed;
}

}  // namespace ch
