// The integration tests' daemon: a temporary directory with a generated config, a running
// claude-harnessd whose stderr is collected line by line, and on teardown a clean SIGTERM stop
// (exit status 0) followed by the check that no process fake-claude recorded is still alive.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ctl_helpers.h"

namespace it {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Polls `condition` every 10 ms until it holds or `timeout` passes; true if it held.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

// Alive and not a zombie (this machine's PID 1 does not reap orphans).
bool pid_alive(pid_t pid);

long long ms_since(Clock::time_point start);

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& content);
bool path_exists(const std::string& path);

// posix_spawn with stdin from `stdin_path` ("" = /dev/null), stdout and stderr to the given
// descriptors, default signal dispositions and an empty mask; throws on failure.
pid_t spawn(std::vector<std::string> argv, std::vector<std::string> env, int out_fd, int err_fd,
            const std::string& cwd, const std::string& stdin_path = "");
// This process's environment with `extra` "NAME=value" entries added or replacing.
std::vector<std::string> current_environment(const std::vector<std::string>& extra = {});
// Waits for the child with a deadline; SIGKILLs it when the deadline passes.
std::optional<int> wait_child(pid_t pid, std::chrono::milliseconds timeout);

// TOML basic string with the JSON escapes TOML accepts.
std::string toml_string(const std::string& s);

// A mkdtemp directory under /tmp, removed recursively on destruction.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

// One more [[providers]] entry running the same fake CLI with the same pid directory.
struct ExtraProvider {
    std::string name;
    std::map<std::string, std::string> env{};  // besides ANTHROPIC_API_KEY and the pid dir
    std::vector<std::string> lines{};          // further "key = value" lines
};

struct DaemonOptions {
    std::string listen = "127.0.0.1:0";
    std::string claude{};         // default: CH_FAKE_CLAUDE
    bool copy_fake = false;       // run a 0755 copy in the 0755 temp dir (run-as tests)
    std::string provider_user{};  // [[providers]] user
    std::map<std::string, std::string> env{};  // extra provider env; ANTHROPIC_API_KEY "" = none
    // [[providers]] warm_pool. Most tests count the CLI processes their own requests start,
    // so none is pre-started unless a test asks; -1 leaves the key out (its default applies).
    int warm_pool = 0;
    std::vector<std::string> server{};           // extra "key = value" lines of [server]
    std::vector<std::string> limits{};           // "key = value" lines of [limits]
    std::vector<std::string> model{};            // extra lines of the [[models]] table
    std::vector<std::string> api_keys{};         // non-empty: api_keys_file with these keys
    std::vector<std::string> daemon_env{};       // extra "NAME=value" for the daemon process
    std::string bus = "none";                    // --bus: tests of the bus use a private one
    std::vector<ExtraProvider> providers{};      // more providers after "default"
    std::vector<std::string> model_providers{};  // the model's `providers` (default: "default")
    std::string extra_toml{};                    // appended as is, e.g. [clients."key@2"]
    std::string state_dir{};  // default: "state" in its temporary directory; a restart reuses one
};

class Daemon {
  public:
    explicit Daemon(DaemonOptions options = {});
    ~Daemon();  // stop(), leak check
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    int port() const { return port_; }
    pid_t pid() const { return pid_; }
    const std::string& dir() const { return dir_.path(); }
    const std::string& state_dir() const { return state_dir_; }
    std::string pid_dir() const { return dir_.path() + "/pids"; }
    const std::string& config_text() const { return config_; }

    // Everything the daemon wrote to stderr so far.
    std::vector<std::string> log_lines() const;
    std::string log() const;
    // Waits for a stderr line containing `needle`; the line, or nullopt on timeout.
    std::optional<std::string> wait_log(const std::string& needle,
                                        std::chrono::milliseconds timeout) const;

    // Pids fake-claude recorded (the CLI processes and their grandchildren), sorted.
    std::vector<pid_t> recorded_pids() const;
    std::vector<pid_t> alive_pids() const;
    // Waits until at least n pids are recorded.
    bool wait_pids(std::size_t n, std::chrono::milliseconds timeout) const;

    // SIGTERM and wait for the exit; the wait status (or nullopt on timeout, after SIGKILL).
    std::optional<int> terminate(std::chrono::milliseconds timeout = 20s);
    // SIGKILL (a crash) and reap; the teardown then only checks for leaks.
    void kill_hard();
    // Fails the test if a recorded pid is still alive after `grace`; kills the leftovers.
    void check_no_leaks(std::chrono::milliseconds grace = 2s);

  private:
    void read_stderr();

    TempDir dir_;
    std::string state_dir_;
    std::string config_;
    pid_t pid_ = -1;
    int port_ = 0;
    int stderr_fd_ = -1;
    std::thread reader_;
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::vector<std::string> lines_;
    bool eof_ = false;
    bool stopped_ = false;
};

// Runs claude-harnessd with args to completion (for --check-config, --version, ...).
using CommandResult = ProcessResult;
CommandResult run_daemon_command(const std::vector<std::string>& args,
                                 std::chrono::milliseconds timeout = 20s);

}  // namespace it
