// fake-claude: a deterministic test double of the Claude Code CLI 2.1.197 in
// headless stream-json mode, i.e. what claude-harnessd runs as
//
//   claude -p --input-format stream-json --output-format stream-json --verbose
//          --include-partial-messages --tools "" ... (prompt on stdin)
//
// The line shapes, their order, the signal behaviour and the error texts
// follow the real CLI's observed output (the transcripts in tests/data/cli/).
//
// Protocol
//   * `--version` (or -v) prints "2.1.197 (Claude Code)\n" and exits 0.
//   * Nothing is printed until the first {"type":"user"} line arrives.
//   * control_request lines are answered with a success control_response;
//     `initialize` stores request.systemPrompt (string, or array of strings
//     joined with "\n\n"); `set_model` changes the model; `interrupt` aborts the
//     running turn (partial assistant, "[Request interrupted by user]", result
//     error_during_execution) and the process stays usable.
//   * A line that is not JSON: stderr "Error parsing streaming input line: ...",
//     exit 1.  A user line whose role is not "user": stderr
//     "Error: Expected message role 'user', got '<role>'", exit 1.  Valid JSON
//     that is not an object, unknown types and blank lines are ignored.
//   * Every user line runs one turn (system/init ... result).  User lines that
//     arrive during a turn are queued.  On stdin EOF the process exits: rc 1 if
//     the last result was an API error (is_error with api_error_status), else 0.
//   * stream_event and system/status lines are only written with
//     --include-partial-messages (like the real CLI).
//
// Default turn: message id msg_fake_<n> (msg_fake_1 for the first message of
// the process), usage input 11 / cache_creation 17 / cache_read 13 / output 1
// in message_start and assistant, output 5 in message_delta and result.  Text
// "Hello from the fake." as deltas "Hello", " from", " the", " fake.".
//
// Scenario markers: FAKE[opt,opt=value,...] anywhere in the user content
// (string content, or the text of any text block of array content).  Several
// markers are merged.
//   echo               reply = the content as received (string: the string;
//                      array: the compact JSON dump of the array)
//   echo_system        reply = the system prompt (initialize.systemPrompt, else
//                      --system-prompt, else "<none>")
//   echo_env=NAME      reply = getenv(NAME) or "<unset>"
//   echo_identity      reply = JSON {uid,gid,groups,cwd,pgid,pid,ppid,sid,fds,
//                      argv,env}
//   delay_ms=N         N ms after each text delta except the last
//   slow_start_ms=N    N ms before system/init
//   hang               after init (and status) write nothing more, wait for a
//                      signal (a control interrupt also ends the turn)
//   hang_before_init   write nothing at all, wait for a signal
//   ignore_signals     SIGINT/SIGTERM ignored, control interrupts ignored
//   grandchild         fork a child (same process group, keeps stdout/stderr
//                      open, sleeps 300 s) before answering
//   grandchild_setsid  the same, but the child calls setsid() first
//   crash_after=K      after K text deltas: stderr
//                      "fake-claude: simulated crash\n", _exit(1), no result
//   exit_silently      after init: exit 0, no result
//   usage_limit        synthetic assistant (error rate_limit) + result
//                      is_error, api_error_status 429,
//                      "You've hit your session limit · resets 4pm (UTC)"
//   usage_limit_noreset  the same with "You've hit your weekly limit"
//   error=STATUS       synthetic assistant + result is_error with the CLI's
//                      text for STATUS (400 401 403 404 413 429 500 529 ...)
//   utf8_split         reply "héllo 世界 🎉 ok"; the delta lines holding "世界"
//                      and "🎉" are written in two write() calls 50 ms apart,
//                      split inside a multi-byte character
//   big=N              reply of exactly N ASCII bytes (the 45-byte pattern
//                      "The quick brown fox jumps over the lazy dog. "
//                      repeated and cut), deltas of 16 KiB
//   resend             message_start msg_fake_1, delta "Hello ", then an
//                      assistant line with id msg_fake_2 and the full text,
//                      then result (usage zero, like samples/55)
//   max_tokens         stop_reason "max_tokens" in message_delta and result
//   garbage            {"type":"bogus_future_event"} before init, an unknown
//                      system subtype and a rate_limit_event after it
//   stderr_flood       2 MiB to stderr before answering
//   thinking           a thinking block (thinking_delta, signature_delta)
//                      before the text block
//
// Signals (like the real CLI): SIGTERM -> _exit(143) at once, no result;
// SIGHUP -> _exit(129); SIGINT while streaming -> partial assistant, user
// "[Request interrupted by user]", result error_during_execution, exit 0;
// SIGINT before the first stream event or while idle -> exit 0, nothing more.
// SIGINT is delivered through a self-pipe; every wait is a poll() on it.
//
// FAKE_CLAUDE_PID_DIR: when set, <dir>/<pid> is created at start and for each
// grandchild; the files are never removed.

#include <nlohmann/json.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

extern char** environ;

namespace {

using ojson = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

constexpr int kInputTokens = 11;
constexpr int kCacheCreation = 17;
constexpr int kCacheRead = 13;
constexpr int kOutputTokens = 5;
constexpr std::size_t kBigChunk = 16 * 1024;

// ---------------------------------------------------------------------------
// Signals

int g_sig_pipe[2] = {-1, -1};
volatile sig_atomic_t g_sigint = 0;

extern "C" void on_sigint(int) {
    const int saved = errno;
    g_sigint = 1;
    const char c = 'i';
    [[maybe_unused]] ssize_t r = ::write(g_sig_pipe[1], &c, 1);
    errno = saved;
}
extern "C" void on_sigterm(int) {
    _exit(143);
}
extern "C" void on_sighup(int) {
    _exit(129);
}

void install(int sig, void (*handler)(int)) {
    struct sigaction sa {};
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: blocking calls return EINTR
    sigaction(sig, &sa, nullptr);
}

void setup_signals() {
    if (pipe2(g_sig_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        std::perror("fake-claude: pipe2");
        std::exit(2);
    }
    install(SIGINT, on_sigint);
    install(SIGTERM, on_sigterm);
    install(SIGHUP, on_sighup);
    signal(SIGPIPE, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_UNBLOCK, &set, nullptr);
}

void drain_sig_pipe() {
    char buf[64];
    while (::read(g_sig_pipe[0], buf, sizeof buf) > 0) {
    }
}

// ---------------------------------------------------------------------------
// Output

bool g_stdout_dead = false;

// Write all of [data, data+len) to fd; retries after EINTR and partial writes.
// Returns false on a hard error (EPIPE...).
bool write_all(int fd, const char* data, std::size_t len) {
    while (len > 0) {
        const ssize_t n = ::write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) {
                pollfd p{fd, POLLOUT, 0};
                ::poll(&p, 1, -1);
                continue;
            }
            return false;
        }
        data += n;
        len -= static_cast<std::size_t>(n);
    }
    return true;
}

void write_stdout_raw(std::string_view s) {
    if (g_stdout_dead) return;
    // The real CLI does not die when its reader goes away (EPIPE ignored).
    if (!write_all(STDOUT_FILENO, s.data(), s.size())) g_stdout_dead = true;
}

void write_stderr(std::string_view s) {
    write_all(STDERR_FILENO, s.data(), s.size());
}

std::string dump(const ojson& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// One line, one write().
void emit(const ojson& j) {
    std::string line = dump(j);
    line.push_back('\n');
    write_stdout_raw(line);
}

// ---------------------------------------------------------------------------
// Helpers

std::mt19937_64& rng() {
    static std::mt19937_64 r{std::random_device{}() ^ (static_cast<std::uint64_t>(getpid()) << 32)};
    return r;
}

std::string uuid4() {
    std::uniform_int_distribution<int> d(0, 15);
    static const char* hex = "0123456789abcdef";
    std::string s;
    for (int i = 0; i < 36; ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            s.push_back('-');
        } else if (i == 14) {
            s.push_back('4');
        } else if (i == 19) {
            s.push_back(hex[8 + d(rng()) % 4]);
        } else {
            s.push_back(hex[d(rng())]);
        }
    }
    return s;
}

std::string iso_now() {
    const auto now = std::chrono::system_clock::now();
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    const time_t secs = static_cast<time_t>(ms / 1000);
    struct tm tmv {};
    gmtime_r(&secs, &tmv);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tmv.tm_year + 1900,
                  tmv.tm_mon + 1, tmv.tm_mday, tmv.tm_hour, tmv.tm_min, tmv.tm_sec,
                  static_cast<int>(ms % 1000));
    return buf;
}

long long ms_since(Clock::time_point t0) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
}

std::string getcwd_str() {
    std::vector<char> buf(4096);
    if (::getcwd(buf.data(), buf.size()) == nullptr) return "";
    return buf.data();
}

std::string env_or(const char* name, const std::string& dflt) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : dflt;
}

// Cut text into chunks of at most max_bytes, never inside a UTF-8 sequence.
std::vector<std::string> split_utf8(const std::string& text, std::size_t max_bytes) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = std::min(text.size(), pos + max_bytes);
        if (end < text.size()) {
            std::size_t e = end;
            while (e > pos && (static_cast<unsigned char>(text[e]) & 0xC0) == 0x80)
                --e;
            if (e > pos) end = e;
        }
        out.push_back(text.substr(pos, end - pos));
        pos = end;
    }
    return out;
}

void record_pid(pid_t pid) {
    const char* dir = std::getenv("FAKE_CLAUDE_PID_DIR");
    if (dir == nullptr || *dir == '\0') return;
    const std::string path = std::string(dir) + "/" + std::to_string(pid);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        write_stderr("fake-claude: cannot create " + path + ": " + std::strerror(errno) + "\n");
        return;
    }
    const std::string content = std::to_string(pid) + "\n";
    write_all(fd, content.data(), content.size());
    ::close(fd);
}

// Sleep for ms milliseconds without reacting to anything but SIGTERM/SIGHUP
// (which terminate the process from their handlers).  Used in grandchildren.
void plain_sleep_ms(long long ms) {
    struct timespec ts {};
    ts.tv_sec = static_cast<time_t>(ms / 1000);
    ts.tv_nsec = static_cast<long>((ms % 1000) * 1000000);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

// ---------------------------------------------------------------------------
// Scenario options

struct Options {
    std::map<std::string, std::string> opts;
    bool has(const std::string& k) const { return opts.count(k) != 0; }
    long long num(const std::string& k, long long dflt) const {
        auto it = opts.find(k);
        if (it == opts.end() || it->second.empty()) return dflt;
        try {
            return std::stoll(it->second);
        } catch (...) {
            return dflt;
        }
    }
    std::string str(const std::string& k) const {
        auto it = opts.find(k);
        return it == opts.end() ? std::string() : it->second;
    }
};

void parse_markers(const std::string& text, Options& o) {
    std::size_t pos = 0;
    while ((pos = text.find("FAKE[", pos)) != std::string::npos) {
        const std::size_t start = pos + 5;
        const std::size_t end = text.find(']', start);
        if (end == std::string::npos) break;
        const std::string body = text.substr(start, end - start);
        std::size_t p = 0;
        while (p <= body.size()) {
            std::size_t comma = body.find(',', p);
            if (comma == std::string::npos) comma = body.size();
            std::string item = body.substr(p, comma - p);
            // trim
            while (!item.empty() && item.front() == ' ')
                item.erase(item.begin());
            while (!item.empty() && item.back() == ' ')
                item.pop_back();
            if (!item.empty()) {
                const std::size_t eq = item.find('=');
                if (eq == std::string::npos) {
                    o.opts[item] = "";
                } else {
                    o.opts[item.substr(0, eq)] = item.substr(eq + 1);
                }
            }
            p = comma + 1;
        }
        pos = end + 1;
    }
}

// ---------------------------------------------------------------------------
// The fake CLI

enum class Abort { None, Sigint, Interrupt };

struct ErrorSpec {
    int status = 0;
    std::string text;
    std::string kind;
    std::string terminal_reason = "completed";
    bool retried = false;
};

class Fake {
  public:
    Fake(int argc, char** argv) : t_start_(Clock::now()) {
        for (int i = 0; i < argc; ++i)
            argv_.emplace_back(argv[i]);
        for (std::size_t i = 1; i < argv_.size(); ++i) {
            const std::string& a = argv_[i];
            auto take = [&](const char* name, std::string& dst) {
                const std::string n = name;
                if (a == n && i + 1 < argv_.size()) {
                    dst = argv_[++i];
                    return true;
                }
                if (a.rfind(n + "=", 0) == 0) {
                    dst = a.substr(n.size() + 1);
                    return true;
                }
                return false;
            };
            std::string v;
            if (take("--model", v)) {
                model_arg_ = v;
                continue;
            }
            if (take("--system-prompt", v)) {
                argv_system_prompt_ = v;
                continue;
            }
            if (take("--output-format", v)) {
                output_format_ = v;
                continue;
            }
            if (take("--input-format", v)) {
                input_format_ = v;
                continue;
            }
            if (a == "--verbose") verbose_ = true;
            if (a == "--include-partial-messages") partial_ = true;
        }
        set_model(model_arg_);
        session_id_ = uuid4();
    }

    int run() {
        if (input_format_ == "stream-json" && output_format_ != "stream-json") {
            write_stderr("Error: --input-format=stream-json requires output-format=stream-json.\n");
            return 1;
        }
        if (output_format_ == "stream-json" && !verbose_) {
            write_stderr(
                "Error: When using --print, --output-format=stream-json requires --verbose\n");
            return 1;
        }
        if (partial_ && output_format_ != "stream-json") {
            write_stderr(
                "Error: --include-partial-messages requires --print and "
                "--output-format=stream-json.\n");
            return 1;
        }
        if (input_format_ != "stream-json" || output_format_ != "stream-json") {
            write_stderr(
                "fake-claude: only --input-format stream-json --output-format stream-json is "
                "supported\n");
            return 2;
        }

        for (;;) {
            std::optional<ojson> msg = next_user_message();
            if (!msg) return last_result_api_error_ ? 1 : 0;
            run_turn(*msg);
        }
    }

  private:
    // ----- input ------------------------------------------------------------

    // Parse and dispatch the complete lines in inbuf_.  Control requests are
    // answered at once; user lines are queued.  Sets interrupt_requested_.
    void process_lines() {
        for (;;) {
            const std::size_t nl = inbuf_.find('\n', scan_pos_);
            if (nl == std::string::npos) {
                scan_pos_ = inbuf_.size();
                return;
            }
            std::string line = inbuf_.substr(0, nl);
            inbuf_.erase(0, nl + 1);
            scan_pos_ = 0;
            handle_line(line);
        }
    }

    void handle_line(const std::string& raw) {
        std::string line = raw;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t\r") == std::string::npos) return;
        ojson j;
        try {
            j = ojson::parse(line);
        } catch (const std::exception& e) {
            std::string shown = line.size() > 200 ? line.substr(0, 200) + "..." : line;
            write_stderr("Error parsing streaming input line: " + shown +
                         ": SyntaxError: JSON Parse error: " + e.what() + "\n");
            std::exit(1);
        }
        if (!j.is_object()) return;
        const std::string type = j.value("type", "");
        if (type == "user") {
            std::string role = "undefined";
            if (j.contains("message") && j["message"].is_object() &&
                j["message"].contains("role")) {
                role = j["message"]["role"].is_string() ? j["message"]["role"].get<std::string>()
                                                        : dump(j["message"]["role"]);
            }
            if (role != "user") {
                write_stderr("Error: Expected message role 'user', got '" + role + "'\n");
                std::exit(1);
            }
            queued_.push_back(std::move(j));
        } else if (type == "control_request") {
            handle_control(j);
        }
        // control_response, keep_alive, update_environment_variables, unknown: ignored
    }

    void handle_control(const ojson& j) {
        const ojson id = j.contains("request_id") ? j["request_id"] : ojson(nullptr);
        const ojson req =
            j.contains("request") && j["request"].is_object() ? j["request"] : ojson::object();
        const std::string subtype = req.value("subtype", "");
        ojson resp = {{"subtype", "success"}, {"request_id", id}};
        if (subtype == "initialize") {
            if (req.contains("systemPrompt")) {
                const ojson& sp = req["systemPrompt"];
                if (sp.is_string()) {
                    system_prompt_ = sp.get<std::string>();
                } else if (sp.is_array()) {
                    std::string joined;
                    bool first = true;
                    for (const auto& part : sp) {
                        if (!first) joined += "\n\n";
                        first = false;
                        joined += part.is_string() ? part.get<std::string>() : dump(part);
                    }
                    system_prompt_ = joined;
                }
            }
            resp["response"] = ojson::object();
        } else if (subtype == "set_model") {
            set_model(req.value("model", ""));
        } else if (subtype == "interrupt") {
            if (!ignore_signals_) interrupt_requested_ = true;
        } else {
            resp["response"] = ojson::object();
        }
        emit({{"type", "control_response"}, {"response", resp}});
    }

    // One read() from stdin (called when poll() says it is readable); complete
    // lines are processed at once.
    void read_stdin_once() {
        char buf[65536];
        const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n > 0) {
            inbuf_.append(buf, static_cast<std::size_t>(n));
            process_lines();
        } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
            stdin_eof_ = true;
            // A final line without '\n' still counts.
            if (!inbuf_.empty()) {
                std::string rest;
                rest.swap(inbuf_);
                scan_pos_ = 0;
                handle_line(rest);
            }
        }
    }

    // Wait until the deadline (or forever with timeout_ms < 0) while reading
    // stdin.  Returns early with the reason when a SIGINT or a control interrupt
    // arrives, and with Abort::None when until_input is set and a user message
    // was queued or stdin reached EOF.
    Abort pause(long long timeout_ms, bool until_input = false) {
        const auto deadline =
            Clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
        for (;;) {
            if (g_sigint) {
                if (ignore_signals_) {
                    g_sigint = 0;
                } else {
                    return Abort::Sigint;
                }
            }
            if (interrupt_requested_) {
                interrupt_requested_ = false;
                return Abort::Interrupt;
            }
            int wait_ms = -1;
            if (timeout_ms >= 0) {
                const auto left =
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now())
                        .count();
                if (left <= 0) {
                    if (timeout_ms > 0 || !poll_ready()) return Abort::None;
                    wait_ms = 0;
                } else {
                    wait_ms = static_cast<int>(std::min<long long>(left, 1000 * 1000));
                }
            }
            pollfd fds[2] = {{g_sig_pipe[0], POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
            const nfds_t nfds = stdin_eof_ ? 1 : 2;
            const int r = ::poll(fds, nfds, wait_ms);
            if (r < 0) {
                if (errno == EINTR) continue;
                return Abort::None;
            }
            if (fds[0].revents & POLLIN) drain_sig_pipe();
            if (nfds == 2 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) read_stdin_once();
            if (until_input && (!queued_.empty() || stdin_eof_)) return Abort::None;
            if (r == 0 && timeout_ms == 0) return Abort::None;
        }
    }

    bool poll_ready() {
        pollfd fds[2] = {{g_sig_pipe[0], POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
        const nfds_t nfds = stdin_eof_ ? 1 : 2;
        return ::poll(fds, nfds, 0) > 0;
    }

    // Block until a user message is available (or EOF).
    std::optional<ojson> next_user_message() {
        for (;;) {
            if (!queued_.empty()) {
                ojson m = std::move(queued_.front());
                queued_.pop_front();
                return m;
            }
            if (stdin_eof_) return std::nullopt;
            const Abort a = pause(-1, true);
            if (a == Abort::Sigint) std::exit(0);  // idle: SIGINT gives rc 0
            // a control interrupt while idle: answered, nothing else to do
        }
    }

    // ----- model / identity ---------------------------------------------------

    void set_model(const std::string& m) {
        if (m.empty() || m == "default") {
            init_model_ = "claude-opus-4-8[1m]";
        } else if (m == "sonnet" || m == "opusplan") {
            init_model_ = "claude-sonnet-5";
        } else if (m == "opus" || m == "best") {
            init_model_ = "claude-opus-4-8";
        } else if (m == "haiku") {
            init_model_ = "claude-haiku-4-5-20251001";
        } else if (m == "fable") {
            init_model_ = "claude-fable-5";
        } else {
            init_model_ = m;
        }
        api_model_ = init_model_;
        const auto p = api_model_.find("[1m]");
        if (p != std::string::npos) api_model_.erase(p, 4);
    }

    std::string effective_system_prompt() const {
        if (system_prompt_) return *system_prompt_;
        if (argv_system_prompt_) return *argv_system_prompt_;
        return "<none>";
    }

    std::string identity_json() const {
        ojson j;
        j["uid"] = getuid();
        j["gid"] = getgid();
        std::vector<gid_t> groups(256);
        const int ng = getgroups(static_cast<int>(groups.size()), groups.data());
        ojson g = ojson::array();
        for (int i = 0; i < ng; ++i)
            g.push_back(groups[static_cast<std::size_t>(i)]);
        j["groups"] = g;
        j["cwd"] = getcwd_str();
        j["pgid"] = getpgrp();
        j["pid"] = getpid();
        j["ppid"] = getppid();
        j["sid"] = getsid(0);
        ojson fds = ojson::array();
        if (DIR* d = opendir("/proc/self/fd")) {
            const int self = dirfd(d);
            std::vector<int> v;
            while (dirent* e = readdir(d)) {
                if (e->d_name[0] == '.') continue;
                const int fd = std::atoi(e->d_name);
                if (fd == self) continue;
                v.push_back(fd);
            }
            closedir(d);
            std::sort(v.begin(), v.end());
            // The fake's own signal self-pipe is not inherited state; leave it out.
            for (int fd : v)
                if (fd != g_sig_pipe[0] && fd != g_sig_pipe[1]) fds.push_back(fd);
        }
        j["fds"] = fds;
        j["argv"] = argv_;
        ojson env = ojson::object();
        for (char** e = environ; e && *e; ++e) {
            const std::string kv = *e;
            const auto eq = kv.find('=');
            if (eq == std::string::npos) {
                env[kv] = "";
            } else {
                env[kv.substr(0, eq)] = kv.substr(eq + 1);
            }
        }
        j["env"] = env;
        return dump(j);
    }

    // ----- line builders ------------------------------------------------------

    ojson base_usage(int output) const {
        return {{"input_tokens", kInputTokens},
                {"output_tokens", output},
                {"cache_creation_input_tokens", kCacheCreation},
                {"cache_read_input_tokens", kCacheRead}};
    }

    static ojson full_usage(int input, int cc, int cr, int output) {
        return {{"input_tokens", input},
                {"cache_creation_input_tokens", cc},
                {"cache_read_input_tokens", cr},
                {"output_tokens", output},
                {"server_tool_use", {{"web_search_requests", 0}, {"web_fetch_requests", 0}}},
                {"service_tier", "standard"},
                {"cache_creation",
                 {{"ephemeral_1h_input_tokens", 0}, {"ephemeral_5m_input_tokens", 0}}},
                {"inference_geo", ""},
                {"iterations", ojson::array()},
                {"speed", "standard"}};
    }

    ojson init_line() const {
        const std::string cwd = getcwd_str();
        std::string slug = cwd;
        for (char& c : slug)
            if (!std::isalnum(static_cast<unsigned char>(c))) c = '-';
        const std::string home = env_or("HOME", "/root");
        const bool api_key = std::getenv("ANTHROPIC_API_KEY") != nullptr;
        return {{"type", "system"},
                {"subtype", "init"},
                {"cwd", cwd},
                {"session_id", session_id_},
                {"tools", ojson::array()},
                {"mcp_servers", ojson::array()},
                {"model", init_model_},
                {"permissionMode", "default"},
                {"slash_commands",
                 {"clear", "compact", "config", "context", "init", "review", "usage"}},
                {"apiKeySource", api_key ? "ANTHROPIC_API_KEY" : "none"},
                {"claude_code_version", "2.1.197"},
                {"output_style", "default"},
                {"agents", {"claude", "Explore", "general-purpose", "Plan", "statusline-setup"}},
                {"skills", ojson::array()},
                {"plugins", ojson::array()},
                {"analytics_disabled", true},
                {"product_feedback_disabled", true},
                {"uuid", uuid4()},
                {"memory_paths", {{"auto", home + "/.claude/projects/" + slug + "/memory/"}}},
                {"fast_mode_state", "off"}};
    }

    void emit_status() {
        if (!partial_) return;
        emit({{"type", "system"},
              {"subtype", "status"},
              {"status", "requesting"},
              {"uuid", uuid4()},
              {"session_id", session_id_}});
    }

    ojson stream_event(ojson event) const {
        return {{"type", "stream_event"},
                {"event", std::move(event)},
                {"session_id", session_id_},
                {"parent_tool_use_id", nullptr},
                {"uuid", uuid4()}};
    }

    void emit_event(ojson event) {
        if (!partial_) return;
        emit(stream_event(std::move(event)));
    }

    void emit_event_line_split(ojson event, std::string_view split_before) {
        if (!partial_) return;
        std::string line = dump(stream_event(std::move(event)));
        line.push_back('\n');
        std::size_t at = line.find(split_before);
        if (at == std::string::npos) {
            write_stdout_raw(line);
            return;
        }
        at += 1;  // inside the first multi-byte character of split_before
        write_stdout_raw(std::string_view(line).substr(0, at));
        plain_pause_ms(50);
        write_stdout_raw(std::string_view(line).substr(at));
    }

    // A pause that does not abort the half-written line; a SIGINT is kept
    // pending (g_sigint stays set) and handled at the next check.
    void plain_pause_ms(long long ms) {
        const auto deadline = Clock::now() + std::chrono::milliseconds(ms);
        for (;;) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now())
                    .count();
            if (left <= 0) return;
            pollfd p{g_sig_pipe[0], POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left)) > 0) drain_sig_pipe();
        }
    }

    ojson assistant_line(const std::string& id, ojson content, ojson usage) const {
        return {{"type", "assistant"},
                {"message",
                 {{"id", id},
                  {"type", "message"},
                  {"role", "assistant"},
                  {"model", api_model_},
                  {"content", std::move(content)},
                  {"stop_reason", nullptr},
                  {"stop_sequence", nullptr},
                  {"usage", std::move(usage)},
                  {"context_management", nullptr}}},
                {"parent_tool_use_id", nullptr},
                {"session_id", session_id_},
                {"uuid", uuid4()},
                {"request_id", "req_fake_" + std::to_string(request_counter_)}};
    }

    ojson model_usage() const {
        ojson mu = ojson::object();
        for (const auto& [model, u] : model_usage_) {
            mu[model] = {
                {"inputTokens", u.input},
                {"outputTokens", u.output},
                {"cacheReadInputTokens", u.cache_read},
                {"cacheCreationInputTokens", u.cache_creation},
                {"webSearchRequests", 0},
                {"costUSD", u.cost},
                {"contextWindow", model.find("[1m]") != std::string::npos ? 1000000 : 200000},
                {"maxOutputTokens", 64000}};
        }
        return mu;
    }

    void account_usage() {
        // $3 / $15 per MTok, cache read 0.1x, cache write 1.25x.
        const double cost =
            (kInputTokens * 3.0 + kOutputTokens * 15.0 + kCacheRead * 0.3 + kCacheCreation * 3.75) /
            1e6;
        auto& u = model_usage_[init_model_];
        u.input += kInputTokens;
        u.output += kOutputTokens;
        u.cache_read += kCacheRead;
        u.cache_creation += kCacheCreation;
        u.cost += cost;
        total_cost_ += cost;
        api_ms_ += ms_since(turn_start_);
    }

    void emit_success_result(const std::string& text, const std::string& stop_reason,
                             bool zero_usage) {
        const long long dur = ms_since(turn_start_);
        account_usage();
        const ojson usage =
            zero_usage ? full_usage(0, 0, 0, 0)
                       : full_usage(kInputTokens, kCacheCreation, kCacheRead, kOutputTokens);
        emit({{"type", "result"},
              {"subtype", "success"},
              {"is_error", false},
              {"api_error_status", nullptr},
              {"duration_ms", dur},
              {"duration_api_ms", api_ms_},
              {"ttft_ms", ttft_ms_},
              {"ttft_stream_ms", ttft_ms_},
              {"time_to_request_ms", 1},
              {"num_turns", 1},
              {"result", text},
              {"stop_reason", stop_reason},
              {"session_id", session_id_},
              {"total_cost_usd", total_cost_},
              {"usage", usage},
              {"modelUsage", model_usage()},
              {"permission_denials", ojson::array()},
              {"terminal_reason", "completed"},
              {"fast_mode_state", "off"},
              {"uuid", uuid4()}});
        last_result_api_error_ = false;
    }

    void emit_interrupted(bool streaming, const std::string& partial_text) {
        if (streaming) {
            ojson content = ojson::array();
            content.push_back({{"type", "text"}, {"text", partial_text}});
            emit(assistant_line(message_id_, content, base_usage(1)));
        }
        emit({{"type", "user"},
              {"message",
               {{"role", "user"},
                {"content",
                 ojson::array({{{"type", "text"}, {"text", "[Request interrupted by user]"}}})}}},
              {"parent_tool_use_id", nullptr},
              {"session_id", session_id_},
              {"uuid", uuid4()},
              {"timestamp", iso_now()}});
        emit({{"type", "result"},
              {"subtype", "error_during_execution"},
              {"duration_ms", ms_since(turn_start_)},
              {"duration_api_ms", 0},
              {"is_error", true},
              {"num_turns", 2},
              {"stop_reason", nullptr},
              {"session_id", session_id_},
              {"total_cost_usd", total_cost_},
              {"usage", full_usage(0, 0, 0, 0)},
              {"modelUsage", ojson::object()},
              {"permission_denials", ojson::array()},
              {"terminal_reason", "aborted_streaming"},
              {"fast_mode_state", "off"},
              {"uuid", uuid4()},
              {"errors",
               {"[ede_diagnostic] result_type=user last_content_type=n/a stop_reason=null"}}});
        last_result_api_error_ = false;
    }

    ErrorSpec error_spec(const Options& o) const {
        ErrorSpec e;
        if (o.has("usage_limit")) {
            e.status = 429;
            e.kind = "rate_limit";
            e.text = "You've hit your session limit \xC2\xB7 resets 4pm (UTC)";
            return e;
        }
        if (o.has("usage_limit_noreset")) {
            e.status = 429;
            e.kind = "rate_limit";
            e.text = "You've hit your weekly limit";
            return e;
        }
        e.status = static_cast<int>(o.num("error", 500));
        std::string gateway = env_or("ANTHROPIC_BASE_URL", "https://api.anthropic.com");
        if (auto p = gateway.find("://"); p != std::string::npos) gateway = gateway.substr(p + 3);
        if (auto p = gateway.find('/'); p != std::string::npos) gateway = gateway.substr(0, p);
        const std::string server_tail =
            ". This is a server-side issue, usually temporary \xE2\x80\x94 try again in a moment. "
            "If it persists, "
            "check your inference gateway (" +
            gateway + ").";
        switch (e.status) {
            case 400:
                e.kind = "unknown";
                e.text = "API Error: 400 bad request";
                break;
            case 401:
                e.kind = "authentication_failed";
                e.text = "Invalid API key \xC2\xB7 Fix external API key";
                e.retried = true;
                break;
            case 403:
                e.kind = "authentication_failed";
                e.text =
                    "Failed to authenticate. API Error: 403 Your API key does not have permission "
                    "to use the specified "
                    "resource.";
                break;
            case 404:
                e.kind = "model_not_found";
                e.text = "There's an issue with the selected model (" + init_model_ +
                         "). It may not exist or you may not have access to it. Run --model to "
                         "pick a different model.";
                break;
            case 413:
                e.kind = "invalid_request";
                e.text = "Request too large (max 32MB). Try with a smaller file.";
                e.terminal_reason = "image_error";
                break;
            case 429:
                e.kind = "rate_limit";
                e.text =
                    "API Error: Request rejected (429) \xC2\xB7 Number of request tokens has "
                    "exceeded your per-minute rate "
                    "limit";
                e.retried = true;
                break;
            case 500:
                e.kind = "server_error";
                e.text = "API Error: 500 Internal server error" + server_tail;
                e.retried = true;
                break;
            case 529:
                e.kind = "server_error";
                e.text = "API Error: 529 Overloaded" + server_tail;
                e.retried = true;
                break;
            default:
                e.kind = e.status >= 500 ? "server_error" : "unknown";
                e.text = "API Error: " + std::to_string(e.status) + " error";
                e.retried = e.status >= 500;
                break;
        }
        return e;
    }

    void emit_api_error(const ErrorSpec& e) {
        if (e.retried) {
            for (int attempt = 1; attempt <= 2; ++attempt) {
                emit({{"type", "system"},
                      {"subtype", "api_retry"},
                      {"attempt", attempt},
                      {"max_retries", 2},
                      {"retry_delay_ms", 0.5 * attempt},
                      {"error_status", e.status},
                      {"error", e.status == 529 ? "overloaded" : e.kind},
                      {"session_id", session_id_},
                      {"uuid", uuid4()}});
            }
        }
        ojson usage = {{"input_tokens", 0},
                       {"output_tokens", 0},
                       {"cache_creation_input_tokens", 0},
                       {"cache_read_input_tokens", 0},
                       {"server_tool_use", {{"web_search_requests", 0}, {"web_fetch_requests", 0}}},
                       {"service_tier", nullptr},
                       {"cache_creation",
                        {{"ephemeral_1h_input_tokens", 0}, {"ephemeral_5m_input_tokens", 0}}},
                       {"inference_geo", nullptr},
                       {"iterations", nullptr},
                       {"speed", nullptr}};
        emit({{"type", "assistant"},
              {"message",
               {{"id", uuid4()},
                {"container", nullptr},
                {"model", "<synthetic>"},
                {"role", "assistant"},
                {"stop_details", nullptr},
                {"stop_reason", "stop_sequence"},
                {"stop_sequence", ""},
                {"type", "message"},
                {"usage", usage},
                {"content", ojson::array({{{"type", "text"}, {"text", e.text}}})},
                {"context_management", nullptr}}},
              {"parent_tool_use_id", nullptr},
              {"session_id", session_id_},
              {"uuid", uuid4()},
              {"error", e.kind},
              {"request_id", "req_fake_" + std::to_string(request_counter_)}});
        emit({{"type", "result"},
              {"subtype", "success"},
              {"is_error", true},
              {"api_error_status", e.status},
              {"duration_ms", ms_since(turn_start_)},
              {"duration_api_ms", 0},
              {"num_turns", 1},
              {"result", e.text},
              {"stop_reason", "stop_sequence"},
              {"session_id", session_id_},
              {"total_cost_usd", total_cost_},
              {"usage", full_usage(0, 0, 0, 0)},
              {"modelUsage", ojson::object()},
              {"permission_denials", ojson::array()},
              {"terminal_reason", e.terminal_reason},
              {"fast_mode_state", "off"},
              {"uuid", uuid4()}});
        last_result_api_error_ = true;
    }

    // ----- a turn ---------------------------------------------------------------

    void spawn_grandchild(bool new_session) {
        // The child reports over this pipe once it is set up (setsid done), so the
        // answer never races with it: by the first output line it has escaped.
        int ready[2];
        if (pipe2(ready, O_CLOEXEC) != 0) {
            write_stderr(std::string("fake-claude: pipe2: ") + std::strerror(errno) + "\n");
            return;
        }
        const pid_t pid = fork();
        if (pid < 0) {
            write_stderr(std::string("fake-claude: fork: ") + std::strerror(errno) + "\n");
            ::close(ready[0]);
            ::close(ready[1]);
            return;
        }
        if (pid == 0) {
            ::close(ready[0]);
            signal(SIGINT, SIG_DFL);
            signal(SIGTERM, SIG_DFL);
            signal(SIGHUP, SIG_DFL);
            if (new_session) setsid();
            ::close(ready[1]);
            // Keeps stdin/stdout/stderr open, like a background `sleep 300 &`.
            plain_sleep_ms(300 * 1000);
            _exit(0);
        }
        record_pid(pid);
        ::close(ready[1]);
        char c;
        while (::read(ready[0], &c, 1) < 0 && errno == EINTR) {
        }
        ::close(ready[0]);
    }

    // Handles an abort while no stream event was written yet.
    void abort_before_stream(Abort a) {
        if (a == Abort::Sigint) std::exit(0);  // SIGINT while waiting for headers: rc 0, no result
        emit_interrupted(false, "");
    }

    // The reply text for the options, and how to cut it into deltas.
    void choose_reply(const Options& o, const ojson& content, std::string& text,
                      std::vector<std::string>& deltas) {
        if (o.has("echo")) {
            text = content.is_string() ? content.get<std::string>() : dump(content);
            deltas = split_utf8(text, text.size() > 64
                                          ? kBigChunk
                                          : std::max<std::size_t>(1, (text.size() + 1) / 2));
        } else if (o.has("echo_system")) {
            text = effective_system_prompt();
            deltas = split_utf8(text, kBigChunk);
        } else if (o.has("echo_env")) {
            text = env_or(o.str("echo_env").c_str(), "<unset>");
            deltas = split_utf8(text, kBigChunk);
        } else if (o.has("echo_identity")) {
            text = identity_json();
            deltas = split_utf8(text, kBigChunk);
        } else if (o.has("big")) {
            const long long n = std::max<long long>(0, o.num("big", 0));
            static const std::string pattern = "The quick brown fox jumps over the lazy dog. ";
            text.reserve(static_cast<std::size_t>(n));
            while (text.size() < static_cast<std::size_t>(n))
                text += pattern;
            text.resize(static_cast<std::size_t>(n));
            deltas = split_utf8(text, kBigChunk);
        } else if (o.has("utf8_split")) {
            deltas = {"h\xC3\xA9llo ", "\xE4\xB8\x96\xE7\x95\x8C ", "\xF0\x9F\x8E\x89 ok"};
            text = deltas[0] + deltas[1] + deltas[2];
        } else {
            deltas = {"Hello", " from", " the", " fake."};
            text = "Hello from the fake.";
        }
        if (deltas.empty()) deltas.push_back("");  // an empty reply still streams one (empty) delta
    }

    void run_turn(const ojson& msg) {
        turn_start_ = Clock::now();
        ++request_counter_;
        const ojson content = msg.contains("message") && msg["message"].contains("content")
                                  ? msg["message"]["content"]
                                  : ojson("");

        Options o;
        if (content.is_string()) {
            parse_markers(content.get<std::string>(), o);
        } else if (content.is_array()) {
            for (const auto& block : content)
                if (block.is_object() && block.contains("text") && block["text"].is_string())
                    parse_markers(block["text"].get<std::string>(), o);
        }

        if (o.has("ignore_signals")) {
            ignore_signals_ = true;
            signal(SIGINT, SIG_IGN);
            signal(SIGTERM, SIG_IGN);
        }

        if (o.has("hang_before_init")) {
            for (;;) {
                const Abort a = pause(-1);
                if (a == Abort::Sigint) std::exit(0);
                if (a == Abort::Interrupt) {
                    abort_before_stream(a);
                    return;
                }
            }
        }

        if (o.has("grandchild")) spawn_grandchild(false);
        if (o.has("grandchild_setsid")) spawn_grandchild(true);

        if (o.has("stderr_flood")) {
            const std::string chunk(64 * 1024, 'E');
            std::string line = chunk;
            line.back() = '\n';
            for (int i = 0; i < 32; ++i)
                write_stderr(line);  // 2 MiB
        }

        if (o.has("slow_start_ms")) {
            const Abort a = pause(o.num("slow_start_ms", 0));
            if (a != Abort::None) {
                abort_before_stream(a);
                return;
            }
        }

        if (o.has("garbage")) emit({{"type", "bogus_future_event"}});
        emit(init_line());
        if (o.has("garbage")) {
            emit({{"type", "system"},
                  {"subtype", "some_future_subtype"},
                  {"detail", {{"x", 1}}},
                  {"uuid", uuid4()},
                  {"session_id", session_id_}});
            emit({{"type", "rate_limit_event"},
                  {"rate_limit_info", {{"status", "allowed"}, {"isUsingOverage", false}}},
                  {"uuid", uuid4()},
                  {"session_id", session_id_}});
        }

        if (o.has("exit_silently")) std::exit(0);

        emit_status();

        if (o.has("hang")) {
            for (;;) {
                const Abort a = pause(-1);
                if (a != Abort::None) {
                    abort_before_stream(a);
                    return;
                }
            }
        }

        if (Abort a = pause(0); a != Abort::None) {
            abort_before_stream(a);
            return;
        }

        if (o.has("usage_limit") || o.has("usage_limit_noreset") || o.has("error")) {
            emit_api_error(error_spec(o));
            return;
        }

        std::string text;
        std::vector<std::string> deltas;
        choose_reply(o, content, text, deltas);
        const long long delay = o.num("delay_ms", 0);
        const long long crash_after = o.has("crash_after") ? o.num("crash_after", 0) : -1;
        const std::string stop_reason = o.has("max_tokens") ? "max_tokens" : "end_turn";

        message_id_ = "msg_fake_" + std::to_string(++message_counter_);
        ttft_ms_ = ms_since(turn_start_);
        if (partial_) {
            ojson ev = stream_event({{"type", "message_start"},
                                     {"message",
                                      {{"id", message_id_},
                                       {"type", "message"},
                                       {"role", "assistant"},
                                       {"model", api_model_},
                                       {"content", ojson::array()},
                                       {"stop_reason", nullptr},
                                       {"stop_sequence", nullptr},
                                       {"usage", base_usage(1)}}}});
            ev["ttft_ms"] = ttft_ms_;
            emit(ev);
        }

        std::string streamed;
        auto interrupted = [&](Abort a) {
            emit_interrupted(true, streamed);
            if (a == Abort::Sigint) std::exit(0);
        };

        int text_index = 0;
        if (o.has("thinking")) {
            const std::string thought = "Let me think about this carefully.";
            emit_event(
                {{"type", "content_block_start"},
                 {"index", 0},
                 {"content_block", {{"type", "thinking"}, {"thinking", ""}, {"signature", ""}}}});
            emit({{"type", "system"},
                  {"subtype", "thinking_tokens"},
                  {"estimated_tokens", 9},
                  {"estimated_tokens_delta", 9},
                  {"uuid", uuid4()},
                  {"session_id", session_id_}});
            emit_event({{"type", "content_block_delta"},
                        {"index", 0},
                        {"delta", {{"type", "thinking_delta"}, {"thinking", thought}}}});
            emit_event({{"type", "content_block_delta"},
                        {"index", 0},
                        {"delta", {{"type", "signature_delta"}, {"signature", "sig_fake"}}}});
            emit(assistant_line(
                message_id_,
                ojson::array(
                    {{{"type", "thinking"}, {"thinking", thought}, {"signature", "sig_fake"}}}),
                base_usage(1)));
            emit_event({{"type", "content_block_stop"}, {"index", 0}});
            text_index = 1;
            if (Abort a = pause(0); a != Abort::None) return interrupted(a);
        }

        emit_event({{"type", "content_block_start"},
                    {"index", text_index},
                    {"content_block", {{"type", "text"}, {"text", ""}}}});
        if (Abort a = pause(0); a != Abort::None) return interrupted(a);

        if (o.has("resend")) {
            emit_event({{"type", "content_block_delta"},
                        {"index", text_index},
                        {"delta", {{"type", "text_delta"}, {"text", "Hello "}}}});
            streamed = "Hello ";
            if (Abort a = pause(delay); a != Abort::None) return interrupted(a);
            const std::string full = "Hello from the fake.";
            message_id_ = "msg_fake_" + std::to_string(++message_counter_);
            ojson m =
                assistant_line(message_id_, ojson::array({{{"type", "text"}, {"text", full}}}),
                               full_usage(kInputTokens, kCacheCreation, kCacheRead, kOutputTokens));
            m["message"]["stop_reason"] = stop_reason;
            emit(m);
            emit_success_result(full, stop_reason, true);
            return;
        }

        for (std::size_t i = 0; i < deltas.size(); ++i) {
            if (crash_after >= 0 && static_cast<long long>(i) == crash_after) {
                write_stderr("fake-claude: simulated crash\n");
                _exit(1);
            }
            ojson ev = {{"type", "content_block_delta"},
                        {"index", text_index},
                        {"delta", {{"type", "text_delta"}, {"text", deltas[i]}}}};
            if (o.has("utf8_split") && deltas[i].find('\xE4') != std::string::npos) {
                emit_event_line_split(std::move(ev), "\xE4\xB8\x96");
            } else if (o.has("utf8_split") && deltas[i].find('\xF0') != std::string::npos) {
                emit_event_line_split(std::move(ev), "\xF0\x9F\x8E\x89");
            } else {
                emit_event(std::move(ev));
            }
            streamed += deltas[i];
            const bool last = i + 1 == deltas.size();
            if (Abort a = pause(last ? 0 : delay); a != Abort::None) return interrupted(a);
        }
        if (crash_after >= 0 && static_cast<long long>(deltas.size()) <= crash_after) {
            write_stderr("fake-claude: simulated crash\n");
            _exit(1);
        }

        emit(assistant_line(message_id_, ojson::array({{{"type", "text"}, {"text", text}}}),
                            base_usage(1)));
        emit_event({{"type", "content_block_stop"}, {"index", text_index}});
        emit_event({{"type", "message_delta"},
                    {"delta", {{"stop_reason", stop_reason}, {"stop_sequence", nullptr}}},
                    {"usage", {{"output_tokens", kOutputTokens}}}});
        emit_event({{"type", "message_stop"}});
        // A SIGINT after the response completed: the real CLI still writes the
        // normal result (samples/71c-sigint-midstream-before-delta.log).
        emit_success_result(text, stop_reason, false);
        if (g_sigint && !ignore_signals_) std::exit(0);
    }

    struct ModelUsage {
        long long input = 0, output = 0, cache_read = 0, cache_creation = 0;
        double cost = 0;
    };

    std::vector<std::string> argv_;
    std::string model_arg_;
    std::optional<std::string> argv_system_prompt_;
    std::optional<std::string> system_prompt_;
    std::string output_format_ = "text";
    std::string input_format_ = "text";
    bool verbose_ = false;
    bool partial_ = false;
    std::string init_model_;
    std::string api_model_;
    std::string session_id_;

    std::string inbuf_;
    std::size_t scan_pos_ = 0;
    bool stdin_eof_ = false;
    std::deque<ojson> queued_;
    bool interrupt_requested_ = false;
    bool ignore_signals_ = false;

    Clock::time_point t_start_;
    Clock::time_point turn_start_;
    long long ttft_ms_ = 0;
    long long api_ms_ = 0;
    int request_counter_ = 0;
    int message_counter_ = 0;
    std::string message_id_;
    double total_cost_ = 0;
    std::map<std::string, ModelUsage> model_usage_;
    bool last_result_api_error_ = false;
};

}  // namespace

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--version") == 0 || std::strcmp(argv[i], "-v") == 0) {
            write_stdout_raw("2.1.197 (Claude Code)\n");
            return 0;
        }
    }
    setup_signals();
    record_pid(getpid());
    Fake fake(argc, argv);
    return fake.run();
}
