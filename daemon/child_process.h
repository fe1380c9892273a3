// Starting the CLI: its own process group, only its three pipes, a clean environment, the
// run-as user's credentials (groups, gid, uid, each checked) and, after switching, its
// working directory. Exec failures come back as a precise message instead of a dead child.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/run_as.h"

namespace ch {

class ChildReaper;

struct ProcessSpec {
    std::string path;               // absolute executable
    std::vector<std::string> argv;  // including argv[0]
    std::vector<std::string> env;   // "NAME=value"
    RunAs run_as;
    std::string cwd;  // entered after switching user; "" = stay
    // A cgroup's cgroup.procs, open for writing: the child enters that group before anything
    // else, so nothing it starts can be outside it. -1 = stay in the daemon's.
    int cgroup_procs_fd = -1;
};

struct SpawnError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The child could not be put where it must run (e.g. its systemd scope); it was killed.
struct PlacementError : SpawnError {
    using SpawnError::SpawnError;
};

// Called in the daemon with the new child's pid while the child waits, before it does anything
// of its own; throws PlacementError to abandon the start.
using PlaceChild = std::function<void(pid_t)>;

class ChildProcess {
  public:
    // Throws SpawnError, e.g. "setuid(1001): Operation not permitted" or
    // "exec /usr/bin/claude: No such file or directory". With `place`, the child is forked
    // rather than vforked (a vforked child cannot wait for its parent) and held until `place`
    // returns.
    static ChildProcess spawn(const ProcessSpec& spec, ChildReaper& reaper,
                              const PlaceChild& place = nullptr);

    ChildProcess(ChildProcess&& other) noexcept;
    ChildProcess& operator=(ChildProcess&&) = delete;
    ~ChildProcess();  // kills the whole group and reaps, if the caller has not

    pid_t pid() const { return pid_; }
    int stdin_fd() const { return stdin_fd_; }
    int stdout_fd() const { return stdout_fd_; }
    int stderr_fd() const { return stderr_fd_; }
    int pidfd() const { return pidfd_; }  // readable once the process has exited

    void close_stdin();
    void signal_group(int sig);  // the CLI and everything it started in its group
    bool has_exited() const;

    // Reaps the CLI (blocking until it has exited or `deadline`); then kills what is left of
    // its process group. Returns the wait status, or nullopt if it did not exit in time.
    std::optional<int> reap(std::chrono::steady_clock::time_point deadline);
    std::optional<int> status() const { return status_; }

  private:
    ChildProcess(ChildReaper& reaper, pid_t pid) : reaper_(&reaper), pid_(pid) {}

    ChildReaper* reaper_;
    pid_t pid_ = -1;
    int stdin_fd_ = -1;
    int stdout_fd_ = -1;
    int stderr_fd_ = -1;
    int pidfd_ = -1;
    std::optional<int> status_;
};

// "exited with status 1", "killed by signal 9 (Killed)".
std::string describe_wait_status(int status);

}  // namespace ch
