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
#include "bench/real_cli.h"

extern char** environ;

namespace bench {
namespace {

using namespace std::chrono_literals;

constexpr int kWarmUpRounds = 2;
constexpr auto kQuietTimeout = 30s;

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
    const std::string node = find_node(opt);
    std::filesystem::create_directories(dir + "/home");
    progress("warm pool: starting the mock upstream and two daemons with the real CLI");
    MockUpstream mock(node, opt.mock);
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
