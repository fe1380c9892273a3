#include "daemon_fixture.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

extern char** environ;

namespace it {
namespace {

std::vector<char*> c_strings(std::vector<std::string>& v) {
    std::vector<char*> out;
    for (auto& s : v)
        out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

std::string cmdline_of(pid_t pid) {
    std::string c = read_file("/proc/" + std::to_string(pid) + "/cmdline");
    std::replace(c.begin(), c.end(), '\0', ' ');
    return c;
}

}  // namespace

// posix_spawn with stdin from /dev/null, stdout and stderr to the given descriptors, default
// signal dispositions and an empty mask; throws on failure.
pid_t spawn(std::vector<std::string> argv, std::vector<std::string> env, int out_fd, int err_fd,
            const std::string& cwd, const std::string& stdin_path) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(
        &actions, 0, stdin_path.empty() ? "/dev/null" : stdin_path.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
    posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
    if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    auto cargv = c_strings(argv);
    auto cenv = c_strings(env);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, argv[0].c_str(), &actions, &attr, cargv.data(), cenv.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) throw std::runtime_error("posix_spawn " + argv[0] + ": " + std::strerror(rc));
    return pid;
}

// This process's environment with `extra` "NAME=value" entries added or replacing.
std::vector<std::string> current_environment(const std::vector<std::string>& extra) {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e) {
        const std::string entry = *e;
        const auto name = entry.substr(0, entry.find('=') + 1);
        const bool replaced = std::any_of(extra.begin(), extra.end(), [&](const std::string& x) {
            return x.compare(0, name.size(), name) == 0;
        });
        if (!replaced) env.push_back(entry);
    }
    env.insert(env.end(), extra.begin(), extra.end());
    return env;
}

// Waits for the child with a deadline; SIGKILLs it when the deadline passes.
std::optional<int> wait_child(pid_t pid, std::chrono::milliseconds timeout) {
    int status = 0;
    const bool exited = wait_until(
        [&] {
            const pid_t r = waitpid(pid, &status, WNOHANG);
            return r == pid || (r < 0 && errno != EINTR);
        },
        timeout);
    if (exited) return status;
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return std::nullopt;
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        if (condition()) return true;
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(10ms);
    }
}

bool pid_alive(pid_t pid) {
    if (pid <= 0) return false;
    const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    const auto paren = stat.rfind(')');
    if (paren == std::string::npos || paren + 2 >= stat.size()) return false;
    const char state = stat[paren + 2];
    return state != 'Z' && state != 'X';
}

long long ms_since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_file(const std::string& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out) throw std::runtime_error("cannot write " + path);
}

bool path_exists(const std::string& path) {
    struct stat st;
    return lstat(path.c_str(), &st) == 0;
}

std::string toml_string(const std::string& s) {
    return nlohmann::json(s).dump();
}

TempDir::TempDir() {
    char templ[] = "/tmp/ch-it-XXXXXX";
    if (!mkdtemp(templ)) throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
    path_ = templ;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

Daemon::Daemon(DaemonOptions options) {
    const std::string& d = dir_.path();
    state_dir_ = options.state_dir.empty() ? d + "/state" : options.state_dir;
    mkdir(state_dir_.c_str(), 0755);
    mkdir(pid_dir().c_str(), 0777);
    chmod(pid_dir().c_str(), 0777);  // a run-as user records its pids too
    std::string claude = options.claude.empty() ? std::string(CH_FAKE_CLAUDE) : options.claude;
    if (options.copy_fake) {
        chmod(d.c_str(), 0755);
        const std::string copy = d + "/fake-claude";
        std::filesystem::copy_file(CH_FAKE_CLAUDE, copy);
        chmod(copy.c_str(), 0755);
        claude = copy;
    }

    std::string c = "[server]\nlisten = [" + toml_string(options.listen) + "]\n";
    c += "state_dir = " + toml_string(state_dir()) + "\n";
    if (!options.api_keys.empty()) {
        std::string keys = "# test keys\n";
        for (const auto& k : options.api_keys)
            keys += k + "\n";
        write_file(d + "/keys", keys);
        c += "api_keys_file = " + toml_string(d + "/keys") + "\n";
    }
    for (const auto& line : options.server)
        c += line + "\n";
    c += "\n[limits]\n";
    for (const auto& line : options.limits)
        c += line + "\n";
    c += "\n[[providers]]\nname = \"default\"\nclaude = " + toml_string(claude) + "\n";
    if (!options.provider_user.empty()) c += "user = " + toml_string(options.provider_user) + "\n";
    const auto env_table = [&](std::map<std::string, std::string> env) {
        // An empty ANTHROPIC_API_KEY means none: the provider logs in some other way.
        if (const auto key = env.find("ANTHROPIC_API_KEY"); key != env.end() && key->second.empty())
            env.erase(key);
        else
            env.emplace("ANTHROPIC_API_KEY", "sk-test-dummy");
        env["FAKE_CLAUDE_PID_DIR"] = pid_dir();
        std::string t = "env = {";
        bool first = true;
        for (const auto& [k, v] : env) {
            t += (first ? " " : ", ") + k + " = " + toml_string(v);
            first = false;
        }
        return t + " }\n";
    };
    const std::string warm =
        options.warm_pool >= 0 ? "warm_pool = " + std::to_string(options.warm_pool) + "\n" : "";
    c += warm + env_table(options.env);
    for (const auto& p : options.providers) {
        c += "\n[[providers]]\nname = " + toml_string(p.name) +
             "\nclaude = " + toml_string(claude) + "\n" + warm + env_table(p.env);
        for (const auto& line : p.lines)
            c += line + "\n";
    }
    c += "\n[[models]]\nid = \"claude-sonnet\"\naliases = [\"sonnet\"]\n";
    c += "cli_model = \"sonnet\"\n";
    if (options.model_providers.empty()) {
        c += "provider = \"default\"\n";
    } else {
        c += "providers = [";
        for (std::size_t i = 0; i < options.model_providers.size(); ++i)
            c += (i ? ", " : "") + toml_string(options.model_providers[i]);
        c += "]\n";
    }
    for (const auto& line : options.model)
        c += line + "\n";
    c += options.extra_toml;
    config_ = c;
    write_file(d + "/config.toml", config_);

    int err[2];
    if (pipe2(err, O_CLOEXEC) != 0) BOOST_FAIL("pipe2: " << std::strerror(errno));
    const auto env_vars = current_environment(options.daemon_env);
    try {
        pid_ = spawn({CH_DAEMON_BINARY, "--config", d + "/config.toml", "--bus", options.bus},
                     env_vars, err[1], err[1], d);
    } catch (const std::exception& e) {
        close(err[0]);
        close(err[1]);
        BOOST_FAIL(e.what());
    }
    close(err[1]);
    stderr_fd_ = err[0];
    reader_ = std::thread([this] { read_stderr(); });

    const auto line = wait_log("listening on ", 15s);
    if (line) port_ = std::atoi(line->substr(line->rfind(':') + 1).c_str());
    if (port_ <= 0) {
        terminate(2s);
        const std::string log = this->log();
        stopped_ = true;
        if (reader_.joinable()) reader_.join();
        close(stderr_fd_);
        BOOST_FAIL("claude-harnessd did not announce its port\n--- log ---\n"
                   << log << "--- config ---\n"
                   << config_);
    }
}

Daemon::~Daemon() {
    if (!stopped_) {
        const auto status = terminate();
        BOOST_CHECK_MESSAGE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0,
                            "claude-harnessd did not exit 0 on SIGTERM (wait status "
                                << (status ? *status : -1) << ")\n"
                                << log());
    }
    check_no_leaks();
    if (reader_.joinable()) reader_.join();
    if (stderr_fd_ >= 0) close(stderr_fd_);
}

void Daemon::read_stderr() {
    std::string partial;
    char buf[8192];
    for (;;) {
        pollfd p{stderr_fd_, POLLIN, 0};
        const int r = poll(&p, 1, 100);
        if (r == 0) {
            std::lock_guard guard(mutex_);
            if (stopped_) break;  // a leftover holds the pipe: do not wait for EOF forever
            continue;
        }
        const ssize_t n = read(stderr_fd_, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        partial.append(buf, static_cast<std::size_t>(n));
        std::lock_guard guard(mutex_);
        std::size_t nl;
        while ((nl = partial.find('\n')) != std::string::npos) {
            lines_.push_back(partial.substr(0, nl));
            partial.erase(0, nl + 1);
        }
        changed_.notify_all();
    }
    std::lock_guard guard(mutex_);
    if (!partial.empty()) lines_.push_back(partial);
    eof_ = true;
    changed_.notify_all();
}

std::vector<std::string> Daemon::log_lines() const {
    std::lock_guard guard(mutex_);
    return lines_;
}

std::string Daemon::log() const {
    std::string out;
    for (const auto& l : log_lines())
        out += l + "\n";
    return out;
}

std::optional<std::string> Daemon::wait_log(const std::string& needle,
                                            std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    std::size_t checked = 0;
    std::optional<std::string> found;
    changed_.wait_for(lock, timeout, [&] {
        for (; checked < lines_.size(); ++checked) {
            if (lines_[checked].find(needle) != std::string::npos) {
                found = lines_[checked];
                return true;
            }
        }
        return eof_;
    });
    return found;
}

std::vector<pid_t> Daemon::recorded_pids() const {
    std::vector<pid_t> pids;
    if (DIR* d = opendir(pid_dir().c_str())) {
        while (const dirent* e = readdir(d)) {
            char* end = nullptr;
            const long pid = std::strtol(e->d_name, &end, 10);
            if (*end == '\0' && pid > 0) pids.push_back(static_cast<pid_t>(pid));
        }
        closedir(d);
    }
    std::sort(pids.begin(), pids.end());
    return pids;
}

std::vector<pid_t> Daemon::alive_pids() const {
    // pid_max is small here: a recorded pid only counts while the process still carries this
    // daemon's FAKE_CLAUDE_PID_DIR, so a recycled pid is never taken for a leak.
    const std::string marker = "FAKE_CLAUDE_PID_DIR=" + pid_dir() + '\0';
    std::vector<pid_t> alive;
    for (pid_t pid : recorded_pids()) {
        if (!pid_alive(pid)) continue;
        const std::string env = read_file("/proc/" + std::to_string(pid) + "/environ");
        if (env.find(marker) != std::string::npos && pid_alive(pid)) alive.push_back(pid);
    }
    return alive;
}

bool Daemon::wait_pids(std::size_t n, std::chrono::milliseconds timeout) const {
    return wait_until([&] { return recorded_pids().size() >= n; }, timeout);
}

std::optional<int> Daemon::terminate(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return std::nullopt;
    kill(pid_, SIGTERM);
    const auto status = wait_child(pid_, timeout);
    pid_ = -1;
    {
        std::lock_guard guard(mutex_);
        stopped_ = true;
    }
    if (reader_.joinable()) reader_.join();
    return status;
}

void Daemon::kill_hard() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    wait_child(pid_, 20s);
    pid_ = -1;
    {
        std::lock_guard guard(mutex_);
        stopped_ = true;
    }
    if (reader_.joinable()) reader_.join();
}

void Daemon::check_no_leaks(std::chrono::milliseconds grace) {
    std::vector<pid_t> left;
    wait_until(
        [&] {
            left = alive_pids();
            return left.empty();
        },
        grace);
    for (pid_t pid : left) {
        BOOST_ERROR("process " << pid << " (" << cmdline_of(pid)
                               << ") started by a job is still alive after the daemon stopped");
        kill(pid, SIGKILL);
    }
}

CommandResult run_daemon_command(const std::vector<std::string>& args,
                                 std::chrono::milliseconds timeout) {
    std::vector<std::string> argv{CH_DAEMON_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, {}, "", timeout);
}

}  // namespace it
