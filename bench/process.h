// Child processes of harness-bench: spawning, waiting with a deadline, and the record of
// everything the bench started so that an emergency stop (the Guard) can kill it.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench/util.h"
#include "daemon/exec_util.h"

namespace bench {

// Each child leads its own process group; these record the groups alive.
void register_group(pid_t pid);
void unregister_group(pid_t pid);

// The bench's scratch directory, removed by kill_everything too.
void set_temp_dir(const std::string& dir);

// Kills every registered group, reaps them and removes the scratch directory.
void kill_everything();

// Owns SIGINT/SIGTERM/SIGHUP (blocked in every other thread) and the overall deadline.
class Guard {
  public:
    explicit Guard(std::chrono::seconds limit);
    ~Guard();

  private:
    void run();

    Clock::time_point deadline_;
    std::atomic<bool> done_{false};
    std::thread thread_;
};

using ch::c_strings;
using ch::close_fd;

// In the forked child: async-signal-safe calls only.
[[noreturn]] void exec_child(const char* path, char* const* argv, char* const* envp,
                             const char* cwd, int in, int out, int err, int deathsig);

// Waits for `pid` until the deadline; std::nullopt when it is still running.
std::optional<int> wait_until(pid_t pid, Clock::time_point deadline);

std::string describe_status(int status);

}  // namespace bench
