// Running claude-harnessctl (and other tools) in the integration tests: to completion with
// its output collected, or in the background with its stdout read line by line.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace it {

struct ProcessResult {
    int status = -1;  // wait status, -1 after a timeout
    std::string out;
    std::string err;
    int exit_code() const;  // -1 unless it exited
};

// The test's environment with `env` ("NAME=value") added or replacing same-named entries.
std::vector<std::string> environment_with(const std::vector<std::string>& env);

// Runs argv to completion (SIGKILL after `timeout`), stdin from `stdin_path` or /dev/null.
ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::vector<std::string>& env = {},
                          const std::string& stdin_path = "",
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

// claude-harnessctl with these arguments.
ProcessResult run_ctl(const std::vector<std::string>& args,
                      const std::vector<std::string>& env = {});

// The non-empty lines of text.
std::vector<std::string> lines_of(const std::string& text);

// A process in the background whose stdout is read line by line (stderr is collected).
class BackgroundProcess {
  public:
    BackgroundProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env);
    ~BackgroundProcess();  // SIGKILL and reap if still running
    BackgroundProcess(const BackgroundProcess&) = delete;
    BackgroundProcess& operator=(const BackgroundProcess&) = delete;

    // The next stdout line (without '\n'); nullopt at EOF or after `timeout`.
    std::optional<std::string> read_line(std::chrono::milliseconds timeout);
    void signal(int sig);
    // The wait status, or nullopt after `timeout` (then it is killed).
    std::optional<int> wait(std::chrono::milliseconds timeout);
    std::string stderr_text() const { return err_; }

  private:
    void read_some(int timeout_ms);

    pid_t pid_ = -1;
    int out_fd_ = -1;
    int err_fd_ = -1;
    std::string pending_;
    std::string err_;
    bool eof_ = false;
    bool err_eof_ = false;
};

}  // namespace it
