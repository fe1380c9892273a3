// A claude-harnessd started for the bench: its own config (127.0.0.1, an ephemeral port, the
// fake CLI as the model), its log in a file, stopped with SIGTERM.
#pragma once

#include <sys/types.h>

#include <string>

namespace bench {

class Daemon {
  public:
    // Writes the config under `dir`, starts the daemon and waits until it is listening.
    Daemon(const std::string& binary, const std::string& fake, const std::string& dir, int max_jobs,
           int max_queued);
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
