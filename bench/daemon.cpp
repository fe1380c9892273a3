#include "bench/daemon.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "bench/process.h"
#include "bench/util.h"

extern char** environ;

namespace bench {

using namespace std::chrono_literals;

namespace {

constexpr auto kStartupTimeout = 20s;  // the daemon runs `fake --version` before listening
constexpr auto kStopTimeout = 30s;     // SIGTERM to exit

std::string toml_string(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

Daemon::Daemon(const std::string& binary, const std::string& claude, const std::string& dir,
               int max_jobs, int max_queued, int warm_pool, const std::string& env) {
    std::filesystem::create_directories(dir + "/state");
    config_ = dir + "/config.toml";
    log_ = dir + "/daemon.log";
    std::ofstream cfg(config_);
    cfg << "[server]\nlisten = [\"127.0.0.1:0\"]\nstate_dir = " << toml_string(dir + "/state")
        << "\n\n[limits]\nmax_concurrent_jobs = " << max_jobs
        << "\nmax_queued_jobs = " << max_queued
        << "\nmax_queued_per_client = 0"  // the benchmark is one client on purpose
        << "\n\n[[providers]]\nname = \"default\"\nclaude = " << toml_string(claude)
        << "\nwarm_pool = " << warm_pool << "\nenv = { ANTHROPIC_API_KEY = \"dummy\"" << env
        << " }\n\n[[models]]\nid = \"claude-sonnet\"\n"
           "aliases = [\"sonnet\"]\ncli_model = \"sonnet\"\nprovider = \"default\"\n";
    cfg.close();
    if (!cfg) die("cannot write " + config_);

    const std::vector<std::string> args = {binary, "--config", config_};
    const auto argv = c_strings(args);
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e) {
        // Logs go to a file, never to the journal, even when the bench runs under systemd.
        if (std::strncmp(*e, "JOURNAL_STREAM=", 15) != 0) env_strings.emplace_back(*e);
    }
    const auto envp = c_strings(env_strings);
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    int log_fd = open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (null_fd < 0 || log_fd < 0) {
        close_fd(null_fd);
        close_fd(log_fd);
        die("cannot open /dev/null or " + log_);
    }
    pid_ = fork();
    if (pid_ == 0)
        exec_child(binary.c_str(), argv.data(), envp.data(), dir.c_str(), null_fd, log_fd, log_fd,
                   SIGTERM);
    if (pid_ < 0) die(std::string("fork: ") + std::strerror(errno));
    register_group(pid_);
    close_fd(null_fd);
    close_fd(log_fd);

    const auto deadline = Clock::now() + kStartupTimeout;
    const std::string marker = "listening on 127.0.0.1:";
    while (port_ == 0) {
        const std::string log = read_file(log_);
        if (const auto at = log.find(marker); at != std::string::npos) {
            const auto digits = log.substr(at + marker.size());
            if (digits.find('\n') != std::string::npos) port_ = std::atoi(digits.c_str());
        }
        if (port_ != 0) break;
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            unregister_group(pid_);
            pid_ = -1;
            die("the daemon exited during start-up (" + describe_status(status) + "):\n" + log);
        }
        if (Clock::now() >= deadline) {
            kill(-pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
            unregister_group(pid_);
            pid_ = -1;
            die("the daemon did not start listening within 20 s:\n" + log);
        }
        std::this_thread::sleep_for(5ms);
    }
}

Daemon::~Daemon() {
    if (pid_ > 0) stop();
}

std::string Daemon::stop() {
    if (pid_ <= 0) return stop_result_;
    const auto t0 = Clock::now();
    kill(pid_, SIGTERM);
    auto status = wait_until(pid_, t0 + kStopTimeout);
    if (!status) {
        kill(-pid_, SIGKILL);
        status = wait_until(pid_, Clock::now() + 5s);
        stop_result_ = "did not exit within 30 s of SIGTERM; killed";
    } else {
        stop_result_ = describe_status(*status);
        clean_exit_ = WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
    }
    kill(-pid_, SIGKILL);  // a CLI left in the daemon's group, if any
    unregister_group(pid_);
    char took[64];
    std::snprintf(took, sizeof took, " after %.0f ms", ms_between(t0, Clock::now()));
    stop_result_ += took;
    if (!clean_exit_) {
        std::string log = read_file(log_);
        std::replace(log.begin(), log.end(), '\n', ' ');
        stop_result_ += "; the end of its log: " +
                        log.substr(log.size() - std::min<std::size_t>(log.size(), 400));
    }
    pid_ = -1;
    return stop_result_;
}

}  // namespace bench
