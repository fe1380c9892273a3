// A claude-harnessd started for the bench: its own config (127.0.0.1, an ephemeral port, the
// fake CLI as the model), its log in a file, stopped with SIGTERM.
#pragma once

#include <sys/types.h>

#include <string>

namespace bench {

class Daemon {
  public:
    // Writes the config under `dir`, starts the daemon and waits until it is listening.
    // `claude` is the provider's CLI; `env` extra provider environment as TOML inline-table
    // entries (", NAME = \"value\"..."). The warm pool is off unless asked for, so that the
    // fake CLI's measures stay those of a process per request.
    Daemon(const std::string& binary, const std::string& claude, const std::string& dir,
           int max_jobs, int max_queued, int warm_pool = 0, const std::string& env = "");
    ~Daemon();

    // SIGTERM, then the exit status ("exit 0" is the good outcome) and how long it took.
    std::string stop();

    pid_t pid() const { return pid_; }
    int port() const { return port_; }
    bool clean_exit() const { return clean_exit_; }
    const std::string& log_path() const { return log_; }

  private:
    std::string config_, log_;
    pid_t pid_ = -1;
    int port_ = 0;
    std::string stop_result_;
    bool clean_exit_ = false;
};

}  // namespace bench
