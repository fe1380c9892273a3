// harness-bench: what claude-harnessd adds over running the same CLI directly.
//
//   harness-bench --daemon PATH --fake PATH [--requests N] [--streams N] [--out FILE]
//                 [--time-limit SECONDS]
//
// A program run by hand, not a test (see bench/run.sh and bench/RESULTS.md). With the fake CLI
// of tests/fake as the "model", it measures:
//   1. latency: spawning the fake directly (the daemon's argv, environment and stdin lines)
//      against one request through the daemon, non-streaming and streaming. Two daemons are
//      compared: A (16 jobs, 256 queued, as in a busy deployment) and C (2 jobs, 2 queued, a
//      small HTTP thread pool). All sample kinds are interleaved round by round so that the
//      load of a shared machine hits them alike; CPU time per request is reported too;
//   2. throughput of A with 1, 4 and 16 concurrent keep-alive clients, against the direct
//      spawn rate at the same concurrency, with the CPU time per request;
//   3. memory (VmRSS, VmHWM, anonymous/file-backed split, Pss): A and C idle, and B (one job
//      slot per stream) idle and with --streams concurrent streams held open.
//
// Everything runs against 127.0.0.1, every wait has a deadline, and the whole run is bounded
// by --time-limit: on expiry (or SIGINT/SIGTERM) everything the bench started is killed.
// Daemons are stopped with SIGTERM and their exit status is checked and reported.
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "common/prompt.h"
#include "daemon/cli_command.h"
#include "daemon/run_as.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr auto kRequestTimeout = 30s;  // one CLI run or one HTTP request
constexpr auto kStartupTimeout = 20s;  // the daemon runs `fake --version` before listening
constexpr auto kStopTimeout = 30s;     // SIGTERM to exit
constexpr const char* kPrompt = "Say hello.";
constexpr const char* kExpectedReply = "Hello from the fake.";

double ms_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

std::string sfmt(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string sfmt(const char* format, ...) {
    va_list args;
    va_start(args, format);
    va_list again;
    va_copy(again, args);
    const int size = std::vsnprintf(nullptr, 0, format, args);
    va_end(args);
    std::string out(size > 0 ? static_cast<std::size_t>(size) : 0, '\0');
    std::vsnprintf(out.data(), out.size() + 1, format, again);
    va_end(again);
    return out;
}

[[noreturn]] void die(const std::string& message) {
    throw std::runtime_error(message);
}

// Safe navigation of parsed JSON: a missing key, a wrong type or an index out of range
// gives null (or "") instead of an exception or undefined behaviour.
const json& field(const json& j, const char* key) {
    static const json null;
    if (!j.is_object()) return null;
    const auto it = j.find(key);
    return it == j.end() ? null : *it;
}

const json& item(const json& j, std::size_t i) {
    static const json null;
    return j.is_array() && i < j.size() ? j[i] : null;
}

std::string text_of(const json& j) {
    return j.is_string() ? j.get<std::string>() : "";
}

// ---------------------------------------------------------------------------------------------
// Everything the bench started, so that an emergency stop can kill it.

std::mutex g_live_mutex;
std::set<pid_t> g_live_groups;  // process groups (each child leads its own)

void register_group(pid_t pid) {
    std::lock_guard guard(g_live_mutex);
    g_live_groups.insert(pid);
}

void unregister_group(pid_t pid) {
    std::lock_guard guard(g_live_mutex);
    g_live_groups.erase(pid);
}

std::string g_temp_dir;  // the bench's scratch directory, removed by kill_everything too

void kill_everything() {
    std::lock_guard guard(g_live_mutex);
    for (const pid_t pid : g_live_groups)
        kill(-pid, SIGKILL);
    for (const pid_t pid : g_live_groups)
        waitpid(pid, nullptr, 0);
    g_live_groups.clear();
    if (!g_temp_dir.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(g_temp_dir, ec);
        g_temp_dir.clear();
    }
}

// Owns SIGINT/SIGTERM/SIGHUP (blocked in every other thread) and the overall deadline.
class Guard {
  public:
    explicit Guard(std::chrono::seconds limit) : deadline_(Clock::now() + limit) {
        thread_ = std::thread([this] { run(); });
    }
    ~Guard() {
        done_ = true;
        thread_.join();
    }

  private:
    void run() {
        sigset_t set;
        sigemptyset(&set);
        for (int sig : {SIGINT, SIGTERM, SIGHUP})
            sigaddset(&set, sig);
        while (!done_) {
            const timespec tick{0, 100'000'000};
            const int sig = sigtimedwait(&set, nullptr, &tick);
            if (sig > 0 || Clock::now() >= deadline_) {
                std::fprintf(stderr, "harness-bench: %s; killing everything it started\n",
                             sig > 0 ? strsignal(sig) : "time limit reached");
                kill_everything();
                _exit(3);
            }
        }
    }

    Clock::time_point deadline_;
    std::atomic<bool> done_{false};
    std::thread thread_;
};

// ---------------------------------------------------------------------------------------------
// Processes

std::vector<char*> c_strings(const std::vector<std::string>& v) {
    std::vector<char*> out;
    out.reserve(v.size() + 1);
    for (const auto& s : v)
        out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

void close_fd(int& fd) {
    if (fd >= 0) close(fd);
    fd = -1;
}

// In the forked child: async-signal-safe calls only.
[[noreturn]] void exec_child(const char* path, char* const* argv, char* const* envp,
                             const char* cwd, int in, int out, int err, int deathsig) {
    setpgid(0, 0);
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(126);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig)
        sigaction(sig, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    prctl(PR_SET_PDEATHSIG, deathsig);
    if (cwd && chdir(cwd) != 0) _exit(126);
    syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
    execve(path, argv, envp);
    _exit(127);
}

// Waits for `pid` until the deadline; std::nullopt when it is still running.
std::optional<int> wait_until(pid_t pid, Clock::time_point deadline) {
    for (;;) {
        int status = 0;
        const pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) return status;
        if (r < 0 && errno != EINTR) return std::nullopt;
        if (Clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(1ms);
    }
}

std::string describe_status(int status) {
    if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return std::string("killed by ") + strsignal(WTERMSIG(status));
    return "wait status " + std::to_string(status);
}

// ---------------------------------------------------------------------------------------------
// The fake CLI, run directly the way the daemon runs it (daemon/cli_command.cpp,
// common/prompt.cpp).

struct DirectCommand {
    std::string path;
    std::vector<std::string> argv;
    std::vector<std::string> env;
    std::string cwd;
    std::string input;  // the initialize control_request and the user line
};

DirectCommand direct_command(const std::string& fake, const std::string& cwd) {
    // The daemon's own argv, environment and stdin, so the baseline tracks what it runs.
    std::string error;
    const auto who = ch::resolve_run_as("", &error);
    if (!who) throw std::runtime_error(error);
    ch::ModelConfig model;
    model.cli_model = "sonnet";
    ch::ProviderConfig provider;
    provider.env = {{"ANTHROPIC_API_KEY", "dummy"}};
    ch::ChatRequest request;
    ch::ContentPart text;
    text.text = kPrompt;
    request.messages.push_back({"user", {text}});
    DirectCommand c;
    c.path = fake;
    c.argv = ch::cli_arguments(fake, model);
    c.env = ch::cli_environment(*who, provider, ch::LimitsConfig{}, std::nullopt);
    c.cwd = cwd;
    for (const auto& line : ch::render_cli_input(request, ""))
        c.input += line;
    return c;
}

struct Sample {
    bool ok = false;
    double first_delta_ms = 0;  // direct: spawn -> first text_delta line; HTTP: first content
    double total_ms = 0;        // direct: spawn -> result line; HTTP: the whole response
    std::string error;
};

// One direct run: spawn, write stdin, read to the result line, close stdin, reap.
Sample run_direct(const DirectCommand& cmd) {
    Sample s;
    const auto argv = c_strings(cmd.argv);
    const auto envp = c_strings(cmd.env);
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
        s.error = std::string("pipe2: ") + std::strerror(errno);
        for (int* p : {in, out, err})
            close_fd(p[0]), close_fd(p[1]);
        return s;
    }

    const auto t0 = Clock::now();
    const pid_t pid = fork();
    if (pid == 0)
        exec_child(cmd.path.c_str(), argv.data(), envp.data(), cmd.cwd.c_str(), in[0], out[1],
                   err[1], SIGKILL);
    if (pid < 0) {
        s.error = std::string("fork: ") + std::strerror(errno);
        for (int* p : {in, out, err})
            close_fd(p[0]), close_fd(p[1]);
        return s;
    }
    register_group(pid);
    close_fd(in[0]);
    close_fd(out[1]);
    close_fd(err[1]);

    // A few hundred bytes: one write into an empty pipe.
    if (write(in[1], cmd.input.data(), cmd.input.size()) != static_cast<ssize_t>(cmd.input.size()))
        s.error = "short write to the CLI's stdin";

    const auto deadline = t0 + kRequestTimeout;
    std::string buffer;
    bool got_result = false, out_open = true, err_open = true;
    char chunk[65536];
    while (s.error.empty() && !got_result && out_open) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            s.error = "no result line within the request timeout";
            break;
        }
        pollfd fds[2] = {{out[0], POLLIN, 0}, {err_open ? err[0] : -1, POLLIN, 0}};
        if (poll(fds, 2, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
        if (fds[1].revents) {
            const ssize_t n = read(err[0], chunk, sizeof chunk);
            if (n <= 0) err_open = false;
        }
        if (!fds[0].revents) continue;
        const ssize_t n = read(out[0], chunk, sizeof chunk);
        if (n <= 0) {
            out_open = false;
            break;
        }
        const auto now = Clock::now();
        buffer.append(chunk, static_cast<std::size_t>(n));
        std::size_t start = 0;
        for (std::size_t nl; (nl = buffer.find('\n', start)) != std::string::npos; start = nl + 1) {
            const auto line =
                json::parse(buffer.begin() + static_cast<std::ptrdiff_t>(start),
                            buffer.begin() + static_cast<std::ptrdiff_t>(nl), nullptr, false);
            if (!line.is_object()) continue;
            const std::string type = text_of(field(line, "type"));
            if (type == "stream_event" && s.first_delta_ms == 0) {
                const json& ev = field(line, "event");
                if (text_of(field(ev, "type")) == "content_block_delta" &&
                    text_of(field(field(ev, "delta"), "type")) == "text_delta")
                    s.first_delta_ms = ms_between(t0, now);
            } else if (type == "result") {
                s.total_ms = ms_between(t0, now);
                got_result = true;
                if (field(line, "is_error") != false) s.error = "the result is an error";
                if (text_of(field(line, "result")) != kExpectedReply) s.error = "unexpected reply";
                break;
            }
        }
        buffer.erase(0, start);
    }
    if (!got_result && s.error.empty()) s.error = "the CLI ended without a result line";

    // Like the daemon: stdin EOF ends the CLI; drain its output until it has exited.
    close_fd(in[1]);
    const auto exit_deadline = Clock::now() + 5s;
    while (out_open || err_open) {
        const auto left =
            std::chrono::ceil<std::chrono::milliseconds>(exit_deadline - Clock::now());
        if (left.count() <= 0) break;
        pollfd fds[2] = {{out_open ? out[0] : -1, POLLIN, 0}, {err_open ? err[0] : -1, POLLIN, 0}};
        if (poll(fds, 2, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
        if (fds[0].revents && read(out[0], chunk, sizeof chunk) <= 0) out_open = false;
        if (fds[1].revents && read(err[0], chunk, sizeof chunk) <= 0) err_open = false;
    }
    auto status = wait_until(pid, exit_deadline);
    if (!status) {
        kill(-pid, SIGKILL);
        status = wait_until(pid, Clock::now() + 5s);
        if (s.error.empty()) s.error = "the CLI did not exit on stdin EOF";
    }
    if (status) {
        kill(-pid, SIGKILL);  // anything left in its group
        unregister_group(pid);
        if (s.error.empty() && *status != 0) s.error = "the CLI " + describe_status(*status);
    }
    close_fd(out[0]);
    close_fd(err[0]);
    s.ok = s.error.empty();
    return s;
}

// ---------------------------------------------------------------------------------------------
// The daemon

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

class Daemon {
  public:
    Daemon(const std::string& binary, const std::string& fake, const std::string& dir, int max_jobs,
           int max_queued) {
        std::filesystem::create_directories(dir + "/state");
        config_ = dir + "/config.toml";
        log_ = dir + "/daemon.log";
        std::ofstream cfg(config_);
        cfg << "[server]\nlisten = [\"127.0.0.1:0\"]\nstate_dir = " << toml_string(dir + "/state")
            << "\n\n[limits]\nmax_concurrent_jobs = " << max_jobs
            << "\nmax_queued_jobs = " << max_queued
            << "\n\n[[providers]]\nname = \"default\"\nclaude = " << toml_string(fake)
            << "\nenv = { ANTHROPIC_API_KEY = \"dummy\" }\n\n[[models]]\nid = \"claude-sonnet\"\n"
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
            exec_child(binary.c_str(), argv.data(), envp.data(), dir.c_str(), null_fd, log_fd,
                       log_fd, SIGTERM);
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

    ~Daemon() {
        if (pid_ > 0) stop();
    }

    // SIGTERM, then the exit status ("exit 0" is the good outcome) and how long it took.
    std::string stop() {
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

// ---------------------------------------------------------------------------------------------
// HTTP clients

std::string request_body(bool stream, const std::string& content = kPrompt) {
    json body = {{"model", "claude-sonnet"},
                 {"messages", json::array({{{"role", "user"}, {"content", content}}})}};
    if (stream) body["stream"] = true;
    return body.dump();
}

std::unique_ptr<httplib::Client> make_client(int port) {
    auto client = std::make_unique<httplib::Client>("127.0.0.1", port);
    client->set_keep_alive(true);
    client->set_connection_timeout(5, 0);
    client->set_read_timeout(std::chrono::duration_cast<std::chrono::seconds>(kRequestTimeout));
    client->set_write_timeout(10, 0);
    client->set_tcp_nodelay(true);
    return client;
}

Sample post_complete(httplib::Client& client) {
    Sample s;
    const std::string body = request_body(false);
    const auto t0 = Clock::now();
    const auto res = client.Post("/v1/chat/completions", body, "application/json");
    s.total_ms = ms_between(t0, Clock::now());
    if (!res) {
        s.error = sfmt("HTTP error %s after %.0f ms", httplib::to_string(res.error()).c_str(),
                       s.total_ms);
        return s;
    }
    if (res->status != 200) {
        s.error = "HTTP " + std::to_string(res->status) + ": " + res->body.substr(0, 300);
        return s;
    }
    const auto doc = json::parse(res->body, nullptr, false);
    if (text_of(field(field(item(field(doc, "choices"), 0), "message"), "content")) !=
        kExpectedReply)
        s.error = "unexpected body: " + res->body.substr(0, 300);
    s.first_delta_ms = s.total_ms;
    s.ok = s.error.empty();
    return s;
}

// A streaming request. `on_first` runs when the first content delta has arrived; the events
// are parsed as they come so that the time is that of the bytes, not of the whole response.
Sample post_stream(httplib::Client& client, const std::string& content = kPrompt,
                   const std::function<void()>& on_first = {}) {
    Sample s;
    httplib::Request req;
    req.method = "POST";
    req.path = "/v1/chat/completions";
    req.body = request_body(true, content);
    req.set_header("Content-Type", "application/json");
    req.set_header("Accept", "text/event-stream");
    std::string buffer, text;
    bool done = false;
    const auto t0 = Clock::now();
    req.content_receiver = [&](const char* data, std::size_t n, std::uint64_t, std::uint64_t) {
        const auto now = Clock::now();
        buffer.append(data, n);
        std::size_t start = 0;
        for (std::size_t end; (end = buffer.find("\n\n", start)) != std::string::npos;
             start = end + 2) {
            const std::string event = buffer.substr(start, end - start);
            if (event.rfind("data: ", 0) != 0) continue;
            if (event == "data: [DONE]") {
                done = true;
                continue;
            }
            const auto doc = json::parse(event.substr(6), nullptr, false);
            const json& piece_json =
                field(field(item(field(doc, "choices"), 0), "delta"), "content");
            if (piece_json.is_string()) {
                const auto piece = piece_json.get<std::string>();
                if (!piece.empty() && s.first_delta_ms == 0) {
                    s.first_delta_ms = ms_between(t0, now);
                    if (on_first) on_first();
                }
                text += piece;
            }
        }
        buffer.erase(0, start);
        return true;
    };
    const auto res = client.send(req);
    s.total_ms = ms_between(t0, Clock::now());
    if (!res) {
        s.error = sfmt("HTTP error %s after %.0f ms", httplib::to_string(res.error()).c_str(),
                       s.total_ms);
        return s;
    }
    if (res->status != 200) {
        s.error = "HTTP " + std::to_string(res->status) + ": " + buffer.substr(0, 300);
        return s;
    }
    if (!done) s.error = "the stream ended without [DONE]";
    if (s.first_delta_ms == 0) s.error = "no content delta";
    s.ok = s.error.empty();
    return s;
}

// ---------------------------------------------------------------------------------------------
// /proc

std::map<std::string, long> proc_kb_fields(const std::string& path) {
    std::map<std::string, long> out;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        const std::string key = line.substr(0, colon);
        out[key] = std::atol(line.c_str() + colon + 1);
    }
    return out;
}

struct Memory {
    long rss_kb = 0, hwm_kb = 0, anon_kb = 0, file_kb = 0, shmem_kb = 0, pss_kb = 0;
    long pss_anon_kb = 0, pss_file_kb = 0, vm_kb = 0, threads = 0;
};

Memory memory_of(pid_t pid) {
    const std::string base = "/proc/" + std::to_string(pid);
    const auto status = proc_kb_fields(base + "/status");
    const auto rollup = proc_kb_fields(base + "/smaps_rollup");
    auto get = [](const std::map<std::string, long>& m, const char* key) {
        const auto it = m.find(key);
        return it == m.end() ? 0L : it->second;
    };
    Memory m;
    m.rss_kb = get(status, "VmRSS");
    m.hwm_kb = get(status, "VmHWM");
    m.anon_kb = get(status, "RssAnon");
    m.file_kb = get(status, "RssFile");
    m.shmem_kb = get(status, "RssShmem");
    m.vm_kb = get(status, "VmSize");
    m.threads = get(status, "Threads");
    m.pss_kb = get(rollup, "Pss");
    m.pss_anon_kb = get(rollup, "Pss_Anon");
    m.pss_file_kb = get(rollup, "Pss_File");
    return m;
}

// Resident, anonymous (copy-on-write: relocations, .data, .bss) and proportional kB per mapped
// file, and per [heap], [stack] and [anon] (thread stacks, malloc arenas); largest Rss first.
struct MappingUse {
    std::string name;
    long rss_kb = 0, anon_kb = 0, pss_kb = 0;
};

std::vector<MappingUse> rss_by_mapping(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/smaps");
    std::map<std::string, MappingUse> sums;
    std::string line;
    MappingUse* current = nullptr;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        if (std::isxdigit(static_cast<unsigned char>(line[0])) && line.find('-') < 17) {
            // "start-end perms offset dev inode   path"
            std::istringstream fields(line);
            std::string range, perms, offset, dev, inode;
            fields >> range >> perms >> offset >> dev >> inode;
            std::string path;
            std::getline(fields, path);
            path.erase(0, std::min(path.size(), path.find_first_not_of(' ')));
            if (path.empty()) path = "[anon]";
            current = &sums[path];
            current->name = path;
        } else if (current && line.rfind("Rss:", 0) == 0) {
            current->rss_kb += std::atol(line.c_str() + 4);
        } else if (current && line.rfind("Anonymous:", 0) == 0) {
            current->anon_kb += std::atol(line.c_str() + 10);
        } else if (current && line.rfind("Pss:", 0) == 0) {
            current->pss_kb += std::atol(line.c_str() + 4);
        }
    }
    std::vector<MappingUse> out;
    for (auto& [name, use] : sums)
        out.push_back(use);
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.rss_kb > b.rss_kb; });
    return out;
}

// utime+stime of the process (all threads) and of its reaped children, in ms.
std::pair<double, double> cpu_ms_of(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    std::getline(in, text);
    const auto paren = text.rfind(')');
    if (paren == std::string::npos) return {0, 0};
    std::istringstream fields(text.substr(paren + 2));
    std::vector<std::string> f;
    for (std::string x; fields >> x;)
        f.push_back(x);
    // After "pid (comm) ": state is field 3; utime 14, stime 15, cutime 16, cstime 17.
    if (f.size() < 15) return {0, 0};
    const double tick = 1000.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
    const auto at = [&](int field) {
        return std::atof(f[static_cast<std::size_t>(field - 3)].c_str());
    };
    return {(at(14) + at(15)) * tick, (at(16) + at(17)) * tick};
}

// ---------------------------------------------------------------------------------------------
// Statistics and output

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return NAN;
    std::sort(v.begin(), v.end());
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
    return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

std::string mb(long kb) {
    return sfmt("%.1f MB", static_cast<double>(kb) / 1024.0);
}

struct Options {
    std::string daemon;
    std::string fake;
    std::string out;
    int requests = 200;
    int streams = 64;
    int time_limit_s = 900;
};

constexpr const char* kUsage =
    "Usage: harness-bench --daemon PATH --fake PATH [--requests N] [--streams N]\n"
    "                     [--out FILE] [--time-limit SECONDS]\n"
    "\n"
    "  --daemon PATH        the claude-harnessd binary\n"
    "  --fake PATH          the fake-claude binary (tests/fake)\n"
    "  --requests N         samples per latency measure and requests per throughput level\n"
    "                       (default 200)\n"
    "  --streams N          concurrent open streams for the memory measure (default 64)\n"
    "  --out FILE           also write the Markdown report to FILE\n"
    "  --time-limit SECONDS kill everything and exit 3 after this long (default 900)\n";

std::optional<Options> parse_options(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            std::fputs(kUsage, stdout);
            std::exit(0);
        }
        if (i + 1 >= argc) return std::nullopt;
        const std::string value = argv[++i];
        if (arg == "--daemon") {
            o.daemon = value;
        } else if (arg == "--fake") {
            o.fake = value;
        } else if (arg == "--out") {
            o.out = value;
        } else if (arg == "--requests") {
            o.requests = std::atoi(value.c_str());
        } else if (arg == "--streams") {
            o.streams = std::atoi(value.c_str());
        } else if (arg == "--time-limit") {
            o.time_limit_s = std::atoi(value.c_str());
        } else {
            return std::nullopt;
        }
    }
    if (o.daemon.empty() || o.fake.empty() || o.requests < 1 || o.requests > 100000 ||
        o.streams < 1 || o.streams > 1000 || o.time_limit_s < 10)
        return std::nullopt;
    return o;
}

// Runs `total` calls of `one` spread over `clients` threads.
struct LoadResult {
    double wall_ms = 0;
    int failures = 0;
    std::string first_error;
    int total = 0;
    std::vector<double> latencies_ms;  // of the successful calls
};

template <typename MakeWorker>
LoadResult run_load(int clients, int total, MakeWorker make_worker) {
    LoadResult r;
    r.total = total;
    std::mutex mutex;
    std::condition_variable go_cv;
    bool go = false;
    int ready = 0;
    std::vector<std::thread> threads;
    Clock::time_point t0;
    for (int c = 0; c < clients; ++c) {
        const int count = total / clients + (c < total % clients ? 1 : 0);
        threads.emplace_back([&, count] {
            auto one = make_worker();  // e.g. a keep-alive client (it connects on first use)
            {
                std::unique_lock lock(mutex);
                ++ready;
                go_cv.notify_all();
                go_cv.wait(lock, [&] { return go; });
            }
            for (int i = 0; i < count; ++i) {
                const Sample s = one();
                std::lock_guard guard(mutex);
                if (s.ok) {
                    r.latencies_ms.push_back(s.total_ms);
                } else if (r.failures++ == 0) {
                    r.first_error = s.error;
                }
            }
        });
    }
    {
        std::unique_lock lock(mutex);
        go_cv.wait(lock, [&] { return ready == clients; });
        t0 = Clock::now();
        go = true;
        go_cv.notify_all();
    }
    for (auto& t : threads)
        t.join();
    r.wall_ms = ms_between(t0, Clock::now());
    return r;
}

// CPU time (user+system, ms) of the bench's reaped children: the directly spawned CLIs.
double children_cpu_ms() {
    rusage u{};
    getrusage(RUSAGE_CHILDREN, &u);
    const auto ms = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) * 1000.0 + static_cast<double>(t.tv_usec) / 1000.0;
    };
    return ms(u.ru_utime) + ms(u.ru_stime);
}

// A TcpExt counter of this network namespace, e.g. ListenOverflows: connections dropped
// because a listening socket's accept queue was full.
long tcp_ext(const std::string& counter) {
    std::ifstream in("/proc/net/netstat");
    std::string names, values;
    while (std::getline(in, names) && std::getline(in, values)) {
        if (names.rfind("TcpExt:", 0) != 0) continue;
        std::istringstream n(names), v(values);
        std::string name, value;
        while (n >> name && v >> value)
            if (name == counter) return std::atol(value.c_str());
    }
    return -1;
}

long listen_overflows() {
    return tcp_ext("ListenOverflows");
}

std::string machine_line() {
    std::string model = "unknown CPU";
    std::ifstream cpu("/proc/cpuinfo");
    for (std::string line; std::getline(cpu, line);) {
        if (line.rfind("model name", 0) == 0) {
            model = line.substr(line.find(':') + 2);
            break;
        }
    }
    utsname u{};
    uname(&u);
    return sfmt("nproc %u, %s, Linux %s", std::thread::hardware_concurrency(), model.c_str(),
                u.release);
}

std::string loadavg() {
    std::ifstream in("/proc/loadavg");
    std::string a, b, c;
    in >> a >> b >> c;
    return a + " " + b + " " + c;
}

// Streaming requests, each from its own thread on a new connection, started `stagger` apart.
// With `while_open`: once all have received their first content delta (or `wait` has passed)
// it is called with the number open and the time since the first start. Then waits for all.
struct StreamBatch {
    int failures = 0;
    std::string first_error;
    long overflows = 0;  // TcpExt ListenOverflows during the batch
    long cookies = 0;    // TcpExt SyncookiesSent during the batch
};

StreamBatch stream_batch(int port, int count, std::chrono::milliseconds stagger,
                         const std::string& content, std::chrono::milliseconds wait,
                         const std::function<void(int, double)>& while_open) {
    std::mutex mutex;
    std::condition_variable cv;
    int open = 0;
    std::vector<Sample> samples(static_cast<std::size_t>(count));
    std::vector<std::thread> threads;
    const long over0 = listen_overflows();
    const long cookies0 = tcp_ext("SyncookiesSent");
    const auto t0 = Clock::now();
    for (int i = 0; i < count; ++i) {
        std::this_thread::sleep_until(t0 + i * stagger);
        threads.emplace_back([&, i] {
            auto client = make_client(port);
            samples[static_cast<std::size_t>(i)] = post_stream(*client, content, [&] {
                std::lock_guard guard(mutex);
                ++open;
                cv.notify_all();
            });
        });
    }
    if (while_open) {
        int open_now = 0;
        {
            std::unique_lock lock(mutex);
            cv.wait_until(lock, t0 + wait, [&] { return open == count; });
            open_now = open;
        }
        while_open(open_now, ms_between(t0, Clock::now()));
    }
    for (auto& t : threads)
        t.join();
    StreamBatch r;
    r.overflows = listen_overflows() - over0;
    r.cookies = tcp_ext("SyncookiesSent") - cookies0;
    for (const auto& s : samples)
        if (!s.ok && r.failures++ == 0) r.first_error = s.error;
    return r;
}

// One daemon in the latency comparison, with its keep-alive client and samples.
struct LatencyTarget {
    std::string name;
    Daemon* daemon;
    std::unique_ptr<httplib::Client> client;
    std::vector<double> total, first, stream_total, paired_total, paired_first;
};

int run(const Options& opt) {
    char tmpl[] = "/tmp/harness-bench-XXXXXX";
    if (!mkdtemp(tmpl)) die("mkdtemp failed");
    const std::string tmp = tmpl;
    {
        std::lock_guard guard(g_live_mutex);
        g_temp_dir = tmp;
    }
    std::filesystem::create_directories(tmp + "/direct-cwd");
    const DirectCommand direct = direct_command(opt.fake, tmp + "/direct-cwd");
    const int n = opt.requests;
    std::string report;
    auto out = [&](const std::string& s) {
        report += s;
        std::fputs(s.c_str(), stdout);
        std::fflush(stdout);
    };
    auto progress = [](const std::string& s) {
        std::fprintf(stderr, "harness-bench: %s\n", s.c_str());
    };
    bool all_ok = true;

    const auto started = std::chrono::system_clock::now();
    const std::time_t started_t = std::chrono::system_clock::to_time_t(started);
    char when[64];
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %Z", std::localtime(&started_t));
    out(sfmt("# harness-bench\n\n- Machine: %s\n- Date: %s; load average at start %s\n",
             machine_line().c_str(), when, loadavg().c_str()));
    out(sfmt("- Requests per measure: %d; open streams for the memory measure: %d\n\n", n,
             opt.streams));

    // ---- the daemons: A as asked (16 jobs, 256 queued), C with a small HTTP thread pool -----
    progress("starting daemon A (16 jobs, 256 queued) and daemon C (2 jobs, 2 queued)");
    Daemon a(opt.daemon, opt.fake, tmp + "/a", 16, 256);
    Daemon c(opt.daemon, opt.fake, tmp + "/c", 2, 2);
    std::this_thread::sleep_for(500ms);  // let start-up settle before the idle samples
    const Memory a_idle = memory_of(a.pid());
    const Memory c_idle = memory_of(c.pid());
    const auto a_maps = rss_by_mapping(a.pid());

    // ---- 1+2: latency, every kind of sample interleaved ---------------------------------------
    progress(
        sfmt("latency: %d rounds of (direct run, A request, A stream, C request, C stream)", n));
    std::vector<LatencyTarget> targets;
    targets.push_back({"A (16 jobs, 256 queued)", &a, make_client(a.port()), {}, {}, {}, {}, {}});
    targets.push_back({"C (2 jobs, 2 queued)", &c, make_client(c.port()), {}, {}, {}, {}, {}});
    for (int i = 0; i < 10; ++i) {  // warm-up: page cache, connections, allocators
        run_direct(direct);
        for (auto& t : targets) {
            post_complete(*t.client);
            post_stream(*t.client);
        }
    }
    std::vector<double> d_total, d_first;
    const double direct_cpu0 = children_cpu_ms();
    std::vector<std::pair<double, double>> lat_cpu0;
    for (const auto& t : targets)
        lat_cpu0.push_back(cpu_ms_of(t.daemon->pid()));
    int lat_failures = 0;
    std::string lat_error;
    for (int i = 0; i < n; ++i) {
        const Sample d = run_direct(direct);
        std::vector<std::pair<Sample, Sample>> hs;
        for (auto& t : targets) {
            const Sample h = post_complete(*t.client);
            const Sample s = post_stream(*t.client);
            hs.emplace_back(h, s);
        }
        bool ok = d.ok;
        if (!d.ok && lat_failures++ == 0) lat_error = "direct: " + d.error;
        for (const auto& [h, s] : hs) {
            for (const Sample* x : {&h, &s})
                if (!x->ok && lat_failures++ == 0) lat_error = "daemon: " + x->error;
            ok = ok && h.ok && s.ok;
        }
        if (!ok) continue;
        d_total.push_back(d.total_ms);
        d_first.push_back(d.first_delta_ms);
        for (std::size_t k = 0; k < targets.size(); ++k) {
            auto& t = targets[k];
            const auto& [h, s] = hs[k];
            t.total.push_back(h.total_ms);
            t.first.push_back(s.first_delta_ms);
            t.stream_total.push_back(s.total_ms);
            t.paired_total.push_back(h.total_ms - d.total_ms);
            t.paired_first.push_back(s.first_delta_ms - d.first_delta_ms);
        }
    }
    for (auto& t : targets)
        t.client.reset();
    std::this_thread::sleep_for(300ms);  // the last CLIs exit and are reaped
    const double direct_cpu = (children_cpu_ms() - direct_cpu0) / n;
    std::vector<std::pair<double, double>> cpu_per_request;
    for (std::size_t k = 0; k < targets.size(); ++k) {
        const auto now = cpu_ms_of(targets[k].daemon->pid());
        cpu_per_request.emplace_back((now.first - lat_cpu0[k].first) / (2.0 * n),
                                     (now.second - lat_cpu0[k].second) / (2.0 * n));
    }
    if (lat_failures) all_ok = false;

    out("## Latency (sequential, one request at a time)\n\n");
    out(
        sfmt("%zu rounds, each a direct run of the fake, then a non-streaming and a streaming "
             "request to daemon A, then the same to daemon C, after 10 warm-up rounds; "
             "failures: %d%s%s. \"added\" = daemon − direct at the same percentile; the last "
             "column is the median of the per-round differences.\n\n",
             d_total.size(), lat_failures, lat_failures ? ", first: " : "", lat_error.c_str()));
    out("| measure | daemon | direct p50 | direct p99 | daemon p50 | daemon p99 | added p50 | "
        "added p99 | median paired difference |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (const auto& t : targets) {
        const auto row = [&](const char* name, const std::vector<double>& d,
                             const std::vector<double>& h, const std::vector<double>& paired) {
            const double d50 = percentile(d, 0.5), d99 = percentile(d, 0.99);
            const double h50 = percentile(h, 0.5), h99 = percentile(h, 0.99);
            out(
                sfmt("| %s | %s | %.2f ms | %.2f ms | %.2f ms | %.2f ms | **%+.2f ms** | %+.2f ms "
                     "| %+.2f ms |\n",
                     name, t.name.c_str(), d50, d99, h50, h99, h50 - d50, h99 - d99,
                     percentile(paired, 0.5)));
        };
        row("complete answer: direct spawn → result line; daemon non-streaming response", d_total,
            t.total, t.paired_total);
        row("first text: direct spawn → first text_delta line; daemon first content delta of a "
            "stream",
            d_first, t.first, t.paired_first);
    }
    out(sfmt("\nCPU time (user+system) per request during these rounds: direct CLI %.2f ms",
             direct_cpu));
    for (std::size_t k = 0; k < targets.size(); ++k)
        out(sfmt("; daemon %s %.2f ms in the daemon process + %.2f ms in the CLI it ran",
                 targets[k].name.c_str(), cpu_per_request[k].first, cpu_per_request[k].second));
    out(" (clock ticks of 10 ms summed over all requests).\n");
    out("\nWhole streaming response:");
    for (const auto& t : targets)
        out(sfmt(" %s p50 %.2f ms, p99 %.2f ms;", t.name.c_str(), percentile(t.stream_total, 0.5),
                 percentile(t.stream_total, 0.99)));
    out("\n\n");

    // ---- 3: throughput (daemon A) -------------------------------------------------------------
    out("## Throughput (non-streaming, keep-alive clients, daemon A)\n\n");
    out(
        sfmt("%d requests per level, split over the clients; daemon A allows 16 jobs at once "
             "(256 queued). Direct = the same number of threads, each spawning the fake directly "
             "one run after another. Latency = per request under that load. CPU: user+system "
             "time per request of the daemon process (all threads), of the CLI processes it "
             "reaped (the forked child's time before exec counts here), and of the directly "
             "spawned CLIs. Listen overflows = TcpExt ListenOverflows during the daemon run "
             "(a dropped connection attempt is retried by the client after 1 s).\n\n",
             n));
    out("| clients | direct req/s | daemon req/s | daemon / direct | daemon latency p50 / p99 | "
        "daemon CPU per req | CLI CPU per req via daemon / direct | listen overflows | failures "
        "(direct / daemon) |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (const int clients : {1, 4, 16}) {
        progress(sfmt("throughput with %d clients", clients));
        const double dcpu0 = children_cpu_ms();
        const LoadResult d =
            run_load(clients, n, [&] { return [&] { return run_direct(direct); }; });
        const double dcpu1 = children_cpu_ms();
        std::this_thread::sleep_for(200ms);
        const auto cpu0 = cpu_ms_of(a.pid());
        const long over0 = listen_overflows();
        const LoadResult h = run_load(clients, n, [&] {
            return [cl = std::shared_ptr<httplib::Client>(make_client(a.port()))] {
                return post_complete(*cl);
            };
        });
        const long over1 = listen_overflows();
        std::this_thread::sleep_for(300ms);  // the last CLIs exit and are reaped
        const auto cpu1 = cpu_ms_of(a.pid());
        const double d_rate = d.total * 1000.0 / d.wall_ms;
        const double h_rate = h.total * 1000.0 / h.wall_ms;
        std::string fail = sfmt("%d / %d", d.failures, h.failures);
        if (d.failures) fail += " (direct: " + d.first_error + ")";
        if (h.failures) fail += " (daemon: " + h.first_error + ")";
        if (d.failures || h.failures) all_ok = false;
        out(
            sfmt("| %d | %.0f | %.0f | %.2f | %.1f / %.1f ms | %.2f ms | %.2f / %.2f ms | %ld | %s "
                 "|\n",
                 clients, d_rate, h_rate, h_rate / d_rate, percentile(h.latencies_ms, 0.5),
                 percentile(h.latencies_ms, 0.99), (cpu1.first - cpu0.first) / h.total,
                 (cpu1.second - cpu0.second) / h.total, (dcpu1 - dcpu0) / d.total, over1 - over0,
                 fail.c_str()));
    }
    out("\n");
    std::this_thread::sleep_for(1s);
    const Memory a_after = memory_of(a.pid());
    const Memory c_after = memory_of(c.pid());
    progress("stopping daemons A and C");
    const std::string a_stop = a.stop();
    const std::string c_stop = c.stop();
    if (!a.clean_exit() || !c.clean_exit()) all_ok = false;

    // ---- 4: memory with open streams (daemon B) -----------------------------------------------
    const int streams = opt.streams;
    progress(sfmt("memory: daemon B with %d job slots and %d open streams", streams, streams));
    Daemon b(opt.daemon, opt.fake, tmp + "/b", streams, 256);
    std::this_thread::sleep_for(500ms);
    const Memory b_idle = memory_of(b.pid());
    // 4 deltas, 5 s after each but the last: a stream stays open about 15 s after its first
    // content delta, long enough for all of them to be open at once. The clients start 20 ms
    // apart: the burst below shows what happens when they all connect at once.
    Memory b_busy;
    std::vector<MappingUse> b_busy_maps;
    int open_at_sample = 0;
    double open_ms = 0;
    const StreamBatch held =
        stream_batch(b.port(), streams, 20ms, "FAKE[delay_ms=5000] Say hello slowly.", 12s,
                     [&](int open, double ms) {
                         open_at_sample = open;
                         open_ms = ms;
                         for (int i = 0; i < 10; ++i) {  // the largest of ten samples over 1 s
                             const Memory m = memory_of(b.pid());
                             if (m.rss_kb >= b_busy.rss_kb) b_busy = m;
                             std::this_thread::sleep_for(100ms);
                         }
                         b_busy_maps = rss_by_mapping(b.pid());
                     });
    if (held.failures || open_at_sample != streams) all_ok = false;
    std::this_thread::sleep_for(1s);
    const Memory b_after = memory_of(b.pid());

    progress(sfmt("connection burst: %d streaming requests on new connections at once", streams));
    const StreamBatch burst = stream_batch(b.port(), streams, 0ms, kPrompt, 0ms, {});
    std::this_thread::sleep_for(500ms);
    progress("stopping daemon B");
    const std::string b_stop = b.stop();
    if (!b.clean_exit()) all_ok = false;

    out("## Daemon memory\n\n");
    out(
        sfmt("VmRSS/VmHWM/RssAnon/RssFile from /proc/<pid>/status, Pss from smaps_rollup (a "
             "shared page counts 1/N in each of the N processes that map it). A: 16 jobs, 256 "
             "queued; C: 2 and 2; B: %d and 256. B's %d streaming clients started 20 ms apart; "
             "%d streams were open at once when B was sampled, %.0f ms after the first request "
             "(the sample waits up to 12 s for all); stream failures: %d%s%s.\n\n",
             streams, streams, open_at_sample, open_ms, held.failures,
             held.failures ? ", first: " : "", held.first_error.c_str()));
    out("| state | VmRSS | VmHWM | RssAnon | RssFile | Pss | Pss_Anon | Pss_File | threads | "
        "VmSize |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    const auto mem_row = [&](const std::string& name, const Memory& m) {
        out(sfmt("| %s | %s | %s | %s | %s | %s | %s | %s | %ld | %s |\n", name.c_str(),
                 mb(m.rss_kb).c_str(), mb(m.hwm_kb).c_str(), mb(m.anon_kb).c_str(),
                 mb(m.file_kb).c_str(), mb(m.pss_kb).c_str(), mb(m.pss_anon_kb).c_str(),
                 mb(m.pss_file_kb).c_str(), m.threads, mb(m.vm_kb).c_str()));
    };
    mem_row("A idle after start-up", a_idle);
    mem_row("A idle after the latency and throughput runs", a_after);
    mem_row("C idle after start-up", c_idle);
    mem_row("C idle after the latency runs", c_after);
    mem_row("B idle after start-up", b_idle);
    mem_row(sfmt("B with %d open streams (largest of 10 samples)", open_at_sample), b_busy);
    mem_row("B idle after the streams ended", b_after);
    const auto mapping_table = [&](const std::vector<MappingUse>& maps, std::size_t rows) {
        out("| mapping | Rss | of which anonymous | Pss |\n|---|---:|---:|---:|\n");
        MappingUse libs{"all shared libraries (*.so*)"}, other{"everything else"};
        for (std::size_t i = 0; i < maps.size(); ++i) {
            const auto& m = maps[i];
            if (i < rows)
                out(sfmt("| %s | %s | %s | %s |\n", m.name.c_str(), mb(m.rss_kb).c_str(),
                         mb(m.anon_kb).c_str(), mb(m.pss_kb).c_str()));
            const bool lib = m.name.find(".so") != std::string::npos && m.name[0] == '/';
            MappingUse& sum = lib ? libs : other;
            sum.rss_kb += m.rss_kb;
            sum.anon_kb += m.anon_kb;
            sum.pss_kb += m.pss_kb;
        }
        for (const auto& m : {libs, other})
            out(sfmt("| **%s** | %s | %s | %s |\n", m.name.c_str(), mb(m.rss_kb).c_str(),
                     mb(m.anon_kb).c_str(), mb(m.pss_kb).c_str()));
    };
    out("\nResident memory of A idle after start-up, summed per mapping from /proc/<pid>/smaps "
        "([anon] = unnamed anonymous mappings: thread stacks and malloc arenas):\n\n");
    mapping_table(a_maps, 14);
    out(sfmt("\nThe same for B with %d open streams:\n\n", open_at_sample));
    mapping_table(b_busy_maps, 5);

    out(
        sfmt("\n## Connection burst (daemon B)\n\n%d clients each open a new connection at the "
             "same instant and send a streaming request (no delay in the fake); B has a job "
             "slot for each.\n\n| requests | failed | first error | TcpExt ListenOverflows | "
             "TcpExt SyncookiesSent |\n|---:|---:|---|---:|---:|\n| %d | %d | %s | %ld | %ld "
             "|\n",
             streams, streams, burst.failures, burst.failures ? burst.first_error.c_str() : "-",
             burst.overflows, burst.cookies));
    out(sfmt("\n## Shutdown\n\n- A: SIGTERM → %s\n- C: SIGTERM → %s\n- B: SIGTERM → %s\n",
             a_stop.c_str(), c_stop.c_str(), b_stop.c_str()));
    out(sfmt("- Load average at the end: %s; bench wall time %.0f s\n", loadavg().c_str(),
             std::chrono::duration<double>(std::chrono::system_clock::now() - started).count()));
    if (!all_ok)
        out("\n**Some measurements failed or a daemon did not exit cleanly; see above.**\n");

    if (!opt.out.empty()) {
        std::ofstream file(opt.out);
        file << report;
        if (!file) die("cannot write " + opt.out);
    }
    kill_everything();  // nothing is left by now; this removes the scratch directory
    return all_ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    const auto options = parse_options(argc, argv);
    if (!options) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    // Signals belong to the guard thread; children get default dispositions back.
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGINT, SIGTERM, SIGHUP})
        sigaddset(&set, sig);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    signal(SIGPIPE, SIG_IGN);
    Guard guard(std::chrono::seconds(options->time_limit_s));
    try {
        return run(*options);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "harness-bench: %s\n", e.what());
        kill_everything();
        return 1;
    }
}
