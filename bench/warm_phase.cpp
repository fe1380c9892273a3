#include "bench/warm_phase.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "bench/daemon.h"
#include "bench/http_client.h"
#include "bench/proc_stats.h"
#include "bench/process.h"
#include "daemon/run_as.h"

extern char** environ;

namespace bench {
namespace {

using namespace std::chrono_literals;

constexpr const char* kMockReply = "Hello from the mock upstream.";  // tests/e2e/mock_anthropic
constexpr int kWarmUpRounds = 2;
constexpr auto kQuietTimeout = 30s;

// node tests/e2e/mock_anthropic.mjs --port 0, which prints "listening <port>".
class Mock {
  public:
    Mock(const std::string& node, const std::string& script) {
        int out[2];
        if (pipe2(out, O_CLOEXEC) != 0) die("pipe2 failed");
        int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        // The child runs in /: the script's path must not depend on the bench's directory.
        const std::vector<std::string> args{node, std::filesystem::absolute(script).string(),
                                            "--port", "0"};
        const auto argv = c_strings(args);
        pid_ = fork();
        if (pid_ == 0)
            exec_child(node.c_str(), argv.data(), environ, "/", null_fd, out[1], null_fd, SIGTERM);
        if (pid_ < 0) die(std::string("fork: ") + std::strerror(errno));
        register_group(pid_);
        close_fd(out[1]);
        close_fd(null_fd);
        std::string text;
        char buf[256];
        ssize_t n;
        while (text.find('\n') == std::string::npos && (n = read(out[0], buf, sizeof buf)) > 0)
            text.append(buf, static_cast<std::size_t>(n));
        close_fd(out[0]);
        if (text.rfind("listening ", 0) != 0) die("the mock upstream did not start: " + text);
        port_ = std::atoi(text.c_str() + 10);
    }
    ~Mock() {
        kill(-pid_, SIGTERM);
        if (!wait_until(pid_, Clock::now() + 5s))
            kill(-pid_, SIGKILL), wait_until(pid_, Clock::now() + 5s);
        unregister_group(pid_);
    }
    int port() const { return port_; }

  private:
    pid_t pid_ = -1;
    int port_ = 0;
};

// The daemon's children: the CLI processes it holds (only idle ones between requests).
std::vector<pid_t> children_of(pid_t parent) {
    std::vector<pid_t> out;
    DIR* dir = opendir("/proc");
    if (!dir) return out;
    while (const dirent* e = readdir(dir)) {
        char* end = nullptr;
        const long pid = std::strtol(e->d_name, &end, 10);
        if (*end != '\0' || pid <= 0) continue;
        std::ifstream stat("/proc/" + std::string(e->d_name) + "/stat");
        std::string line;
        std::getline(stat, line);
        const auto close = line.rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream rest(line.substr(close + 2));
        char state;
        pid_t ppid = 0;
        rest >> state >> ppid;
        if (ppid == parent && state != 'Z') out.push_back(static_cast<pid_t>(pid));
    }
    closedir(dir);
    return out;
}

double cpu_ms_of_all(const std::vector<pid_t>& pids) {
    double sum = 0;
    for (pid_t pid : pids)
        sum += cpu_ms_of(pid).first;
    return sum;
}

// Waits until the daemon holds exactly `n` children and they have used no CPU for 200 ms: a
// pre-started CLI has then finished starting and waits for its first line. False on timeout.
bool wait_quiet(const Daemon& d, std::size_t n) {
    const auto deadline = Clock::now() + kQuietTimeout;
    double last = -1;
    int still = 0;
    while (Clock::now() < deadline) {
        const auto pids = children_of(d.pid());
        const double cpu = pids.size() == n ? cpu_ms_of_all(pids) : -1;
        still = cpu >= 0 && cpu == last ? still + 1 : 0;
        last = cpu;
        if (still >= 2) return true;
        std::this_thread::sleep_for(100ms);
    }
    return false;
}

std::size_t count_in_log(const Daemon& d, const std::string& needle) {
    std::ifstream in(d.log_path());
    std::size_t count = 0;
    for (std::string line; std::getline(in, line);)
        count += line.find(needle) != std::string::npos ? 1 : 0;
    return count;
}

std::string row(const char* what, const std::vector<double>& on, const std::vector<double>& off) {
    const double on50 = percentile(on, 0.5), off50 = percentile(off, 0.5);
    return sfmt("| %s | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %.0f ms | **%.1f×** |\n",
                what, percentile(off, 0.5), percentile(off, 0.9), percentile(off, 0.0), on50,
                percentile(on, 0.9), percentile(on, 0.0), off50 / on50);
}

}  // namespace

bool measure_warm_pool(Report& out, const Options& opt, const std::string& dir) {
    const std::string node =
        opt.node.find('/') != std::string::npos
            ? opt.node
            : ch::find_executable(opt.node, std::getenv("PATH") ? std::getenv("PATH") : "");
    if (node.empty()) die("node not found in PATH (needed for the mock upstream)");
    std::filesystem::create_directories(dir + "/home");
    progress("warm pool: starting the mock upstream and two daemons with the real CLI");
    Mock mock(node, opt.mock);
    const std::string env =
        ", ANTHROPIC_BASE_URL = \"http://127.0.0.1:" + std::to_string(mock.port()) +
        "\", HOME = \"" + dir + "/home\"";
    Daemon on(opt.daemon, opt.claude, dir + "/on", 4, 16, opt.warm_pool, env);
    Daemon off(opt.daemon, opt.claude, dir + "/off", 4, 16, 0, env);
    auto on_client = make_client(on.port());
    auto off_client = make_client(off.port());
    const auto pool = static_cast<std::size_t>(opt.warm_pool);

    std::vector<double> on_first, on_total, off_first, off_total;
    std::vector<Memory> idle;
    int failures = 0;
    std::string first_error;
    const int rounds = kWarmUpRounds + opt.warm_requests;
    for (int i = 0; i < rounds; ++i) {
        if (i % 5 == 0) progress(sfmt("warm pool: round %d of %d", i + 1, rounds));
        // Both measures start from a quiet daemon: on's pool full and its newest process done
        // starting (else it would compete with the request for the CPU), off with no child.
        if (!wait_quiet(on, pool)) die("warm pool: the pool did not fill within 30 s");
        for (pid_t pid : children_of(on.pid()))
            idle.push_back(memory_of(pid));
        const Sample a = post_stream(*on_client, kPrompt, {}, kMockReply);
        if (!wait_quiet(on, pool) || !wait_quiet(off, 0))
            die("warm pool: the daemons did not settle within 30 s");
        const Sample b = post_stream(*off_client, kPrompt, {}, kMockReply);
        for (const Sample* s : {&a, &b}) {
            if (!s->ok) {
                ++failures;
                if (first_error.empty()) first_error = s->error;
            }
        }
        if (i < kWarmUpRounds || !a.ok || !b.ok) continue;
        on_first.push_back(a.first_delta_ms);
        on_total.push_back(a.total_ms);
        off_first.push_back(b.first_delta_ms);
        off_total.push_back(b.total_ms);
    }
    const std::size_t taken = count_in_log(on, "took pre-started");
    const std::string on_stop = on.stop();
    const std::string off_stop = off.stop();

    out("\n## Warm pool (real Claude Code CLI, mock upstream)\n\n");
    out(
        sfmt("%d rounds after %d warm-up rounds, one request at a time: a streamed completion of "
             "\"%s\" (reply \"%s\") to a daemon with `warm_pool = %d`, then the same to one "
             "with `warm_pool = 0`. Before each request the daemons are quiet: the pool is full "
             "and its newest process has used no CPU for 200 ms (done starting), and no other "
             "CLI runs. CLI: `%s`; upstream: tests/e2e/mock_anthropic.mjs on 127.0.0.1. "
             "Failures: %d%s. Requests served by a pre-started process: %zu of %d.\n\n",
             opt.warm_requests, kWarmUpRounds, kPrompt, kMockReply, opt.warm_pool,
             opt.claude.c_str(), failures,
             first_error.empty() ? "" : (" (first: " + first_error + ")").c_str(), taken, rounds));
    out("| measure | pool off p50 | p90 | min | pool on p50 | p90 | min | off / on (p50) |\n");
    out("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    out(row("time to first token (request sent → first content delta)", on_first, off_first));
    out(row("total (request sent → end of the stream)", on_total, off_total));
    if (!idle.empty()) {
        std::vector<double> pss, rss, anon;
        for (const Memory& m : idle) {
            pss.push_back(static_cast<double>(m.pss_kb));
            rss.push_back(static_cast<double>(m.rss_kb));
            anon.push_back(static_cast<double>(m.anon_kb));
        }
        out(
            sfmt("\nMemory of an idle pre-started CLI process (median of %zu samples): VmRSS %s, "
                 "RssAnon %s, Pss %s.\n",
                 idle.size(), mb(static_cast<long>(percentile(rss, 0.5))).c_str(),
                 mb(static_cast<long>(percentile(anon, 0.5))).c_str(),
                 mb(static_cast<long>(percentile(pss, 0.5))).c_str()));
    }
    out(sfmt("\nShutdown: pool on: SIGTERM → %s; pool off: SIGTERM → %s.\n", on_stop.c_str(),
             off_stop.c_str()));
    return failures == 0 && on.clean_exit() && off.clean_exit() &&
           taken == static_cast<std::size_t>(rounds);
}

}  // namespace bench
