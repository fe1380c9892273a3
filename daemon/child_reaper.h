// The one place that waits for children. The daemon is a child subreaper, so every process a
// job leaves behind is re-parented to it; this reaps them all and hands each job the exit
// status of its own CLI process.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

namespace ch {

class ChildReaper {
  public:
    // SIGCHLD must already be blocked in every thread (see block_daemon_signals()).
    ChildReaper();
    ~ChildReaper();
    ChildReaper(const ChildReaper&) = delete;
    ChildReaper& operator=(const ChildReaper&) = delete;

    // Held across fork() and watch(), so an exit is never taken for an orphan's.
    std::unique_lock<std::mutex> lock() { return std::unique_lock(mutex_); }
    void watch(pid_t pid, const std::unique_lock<std::mutex>& held);

    // Waits until `pid` (watched) has been reaped; its wait status, or nullopt on timeout.
    std::optional<int> wait_for(pid_t pid, std::chrono::steady_clock::time_point deadline);
    // Whether `pid` (watched) has been reaped and its status awaits wait_for.
    bool reaped(pid_t pid) const;

    // SIGKILLs every process re-parented to the daemon that is not a watched CLI process:
    // what a finished job left behind outside its process group. Returns how many.
    int kill_orphans();
    // The same, soon, on the reaper's thread: keeps the /proc scan off a job's path.
    void request_sweep();

  private:
    void run();
    void reap_all();

    mutable std::mutex mutex_;
    std::condition_variable exited_;
    std::set<pid_t> watched_;
    std::map<pid_t, int> statuses_;  // reaped, not yet collected by wait_for
    int signal_fd_ = -1;
    int stop_fd_ = -1;
    int sweep_fd_ = -1;
    std::thread thread_;
};

// Blocks SIGCHLD, SIGTERM, SIGINT, SIGHUP and SIGPIPE in the calling thread (call first in
// main, so every later thread inherits the mask); the daemon takes them through signalfd.
void block_daemon_signals();

}  // namespace ch
