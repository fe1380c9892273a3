#include "daemon/child_reaper.h"

#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "daemon/pidfd.h"

namespace ch {

void block_daemon_signals() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGPIPE})
        sigaddset(&set, sig);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

ChildReaper::ChildReaper() {
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
        spdlog::warn("cannot become a child subreaper: {}", std::strerror(errno));
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    signal_fd_ = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    sweep_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (signal_fd_ < 0 || stop_fd_ < 0 || sweep_fd_ < 0)
        throw std::runtime_error("signalfd/eventfd failed");
    thread_ = std::thread([this] { run(); });
}

ChildReaper::~ChildReaper() {
    const std::uint64_t one = 1;
    if (write(stop_fd_, &one, sizeof one) < 0)
        spdlog::error("reaper stop: {}", std::strerror(errno));
    thread_.join();
    reap_all();
    close(signal_fd_);
    close(stop_fd_);
    close(sweep_fd_);
}

void ChildReaper::watch(pid_t pid, const std::unique_lock<std::mutex>&) {
    watched_.insert(pid);
}

void ChildReaper::run() {
    pollfd fds[3] = {{signal_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}, {sweep_fd_, POLLIN, 0}};
    for (;;) {
        // The timeout also reaps children that exited before SIGCHLD was blocked.
        const int n = poll(fds, 3, 1000);
        if (n > 0 && (fds[1].revents & POLLIN)) return;
        if (n > 0 && (fds[0].revents & POLLIN)) {
            signalfd_siginfo info;
            while (read(signal_fd_, &info, sizeof info) == sizeof info) {
            }
        }
        reap_all();
        std::uint64_t requests = 0;
        if (n > 0 && (fds[2].revents & POLLIN) && read(sweep_fd_, &requests, sizeof requests) > 0)
            kill_orphans();  // one scan however many jobs asked since the last
    }
}

void ChildReaper::reap_all() {
    for (;;) {
        int status = 0;
        const pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid <= 0) return;
        std::lock_guard guard(mutex_);
        if (watched_.erase(pid) != 0) {  // else an orphan: reaping it is all it needs
            statuses_[pid] = status;
            exited_.notify_all();
        }
    }
}

std::optional<int> ChildReaper::wait_for(pid_t pid,
                                         std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    if (!exited_.wait_until(lock, deadline, [&] { return statuses_.count(pid) != 0; }))
        return std::nullopt;
    const int status = statuses_[pid];
    statuses_.erase(pid);
    return status;
}

bool ChildReaper::reaped(pid_t pid) const {
    std::lock_guard guard(mutex_);
    return statuses_.count(pid) != 0;
}

void ChildReaper::request_sweep() {
    const std::uint64_t one = 1;
    if (write(sweep_fd_, &one, sizeof one) < 0)
        spdlog::error("reaper sweep: {}", std::strerror(errno));
}

namespace {

// Parent pid from /proc/PID/stat; the command name may contain spaces and parentheses.
pid_t parent_of(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    std::getline(in, stat);
    const auto close_paren = stat.rfind(')');
    if (close_paren == std::string::npos) return -1;
    char state = 0;
    int ppid = -1;
    if (std::sscanf(stat.c_str() + close_paren + 1, " %c %d", &state, &ppid) != 2) return -1;
    if (state == 'Z') return -1;  // already dead; the reaper collects it
    return ppid;
}

}  // namespace

int ChildReaper::kill_orphans() {
    std::vector<pid_t> candidates;
    if (DIR* dir = opendir("/proc")) {
        const pid_t self = getpid();
        while (const dirent* entry = readdir(dir)) {
            char* end = nullptr;
            const long pid = std::strtol(entry->d_name, &end, 10);
            if (*end != '\0' || pid <= 0) continue;
            if (parent_of(static_cast<pid_t>(pid)) == self)
                candidates.push_back(static_cast<pid_t>(pid));
        }
        closedir(dir);
    }
    int killed = 0;
    std::lock_guard guard(mutex_);
    for (pid_t pid : candidates) {
        if (watched_.count(pid) != 0) continue;
        // The pidfd pins the process, so a pid recycled since the scan is never signalled.
        const int pidfd = open_pidfd(pid);
        if (pidfd < 0) continue;
        if (parent_of(pid) == getpid() && pidfd_signal(pidfd, SIGKILL) == 0) ++killed;
        close(pidfd);
    }
    if (killed > 0) spdlog::info("killed {} process(es) left behind by finished jobs", killed);
    return killed;
}

}  // namespace ch
