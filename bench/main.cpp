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
//      slot per stream) idle and with --streams concurrent streams held open;
//   4. with --claude (the real CLI) and --mock (the e2e mock upstream): time to first token and
//      total latency of a short streamed completion with the warm pool on and off.
//
// Everything runs against 127.0.0.1, every wait has a deadline, and the whole run is bounded
// by --time-limit: on expiry (or SIGINT/SIGTERM) everything the bench started is killed.
// Daemons are stopped with SIGTERM and their exit status is checked and reported.
//
// This file: the order of the measures and the report around them. See options.h (command
// line), process.h (children, emergency stop), direct.h, daemon.h, http_client.h, load.h,
// proc_stats.h, latency.h, throughput.h, memory_phase.h, warm_phase.h, tools_phase.h,
// real_cli.h and report.h.
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "bench/daemon.h"
#include "bench/direct.h"
#include "bench/latency.h"
#include "bench/memory_phase.h"
#include "bench/options.h"
#include "bench/proc_stats.h"
#include "bench/process.h"
#include "bench/report.h"
#include "bench/throughput.h"
#include "bench/tools_phase.h"
#include "bench/util.h"
#include "bench/warm_phase.h"

namespace bench {
namespace {

using namespace std::chrono_literals;

int finish(Report& out, const Options& opt, bool all_ok) {
    if (!all_ok)
        out("\n**Some measurements failed or a daemon did not exit cleanly; see above.**\n");
    if (!opt.out.empty()) {
        std::ofstream file(opt.out);
        file << out.text();
        if (!file) die("cannot write " + opt.out);
    }
    kill_everything();  // nothing is left by now; this removes the scratch directory
    return all_ok ? 0 : 1;
}

int run(const Options& opt) {
    char tmpl[] = "/tmp/harness-bench-XXXXXX";
    if (!mkdtemp(tmpl)) die("mkdtemp failed");
    const std::string tmp = tmpl;
    set_temp_dir(tmp);
    std::filesystem::create_directories(tmp + "/direct-cwd");
    const DirectCommand direct = direct_command(opt.fake, tmp + "/direct-cwd");
    const int n = opt.requests;
    Report out;
    bool all_ok = true;

    const auto started = std::chrono::system_clock::now();
    const std::time_t started_t = std::chrono::system_clock::to_time_t(started);
    char when[64];
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %Z", std::localtime(&started_t));
    out(sfmt("# harness-bench\n\n- Machine: %s\n- Date: %s; load average at start %s\n",
             machine_line().c_str(), when, loadavg().c_str()));
    if (opt.only_warm_pool || opt.only_tools) {
        all_ok = opt.only_tools ? measure_tools(out, opt, tmp + "/tools")
                                : measure_warm_pool(out, opt, tmp + "/warm");
        out(sfmt(
            "\n- Load average at the end: %s; bench wall time %.0f s\n", loadavg().c_str(),
            std::chrono::duration<double>(std::chrono::system_clock::now() - started).count()));
        return finish(out, opt, all_ok);
    }
    out(sfmt("- Requests per measure: %d; open streams for the memory measure: %d\n\n", n,
             opt.streams));

    // ---- the daemons: A as asked (16 jobs, 256 queued), C with a small HTTP thread pool -----
    progress("starting daemon A (16 jobs, 256 queued) and daemon C (2 jobs, 2 queued)");
    Daemon a(opt.daemon, opt.fake, tmp + "/a", 16, 256);
    Daemon c(opt.daemon, opt.fake, tmp + "/c", 2, 2);
    std::this_thread::sleep_for(500ms);  // let start-up settle before the idle samples
    SamplesAC ac;
    ac.a_idle = memory_of(a.pid());
    ac.c_idle = memory_of(c.pid());
    ac.a_maps = rss_by_mapping(a.pid());

    // ---- 1+2: latency, every kind of sample interleaved ---------------------------------------
    if (!measure_latency(out, direct, a, c, n)) all_ok = false;

    // ---- 3: throughput (daemon A) -------------------------------------------------------------
    if (!measure_throughput(out, direct, a, n)) all_ok = false;
    std::this_thread::sleep_for(1s);
    ac.a_after = memory_of(a.pid());
    ac.c_after = memory_of(c.pid());
    progress("stopping daemons A and C");
    const std::string a_stop = a.stop();
    const std::string c_stop = c.stop();
    if (!a.clean_exit() || !c.clean_exit()) all_ok = false;

    // ---- 4: memory with open streams (daemon B) -----------------------------------------------
    const SamplesB b = measure_daemon_b(opt, tmp + "/b");
    if (!b.ok) all_ok = false;
    report_memory(out, opt.streams, ac, b);
    report_burst(out, opt.streams, b.burst);
    out(sfmt("\n## Shutdown\n\n- A: SIGTERM → %s\n- C: SIGTERM → %s\n- B: SIGTERM → %s\n",
             a_stop.c_str(), c_stop.c_str(), b.b_stop.c_str()));
    out(sfmt("- Load average at the end: %s; bench wall time %.0f s\n", loadavg().c_str(),
             std::chrono::duration<double>(std::chrono::system_clock::now() - started).count()));
    if (!opt.claude.empty() && !measure_warm_pool(out, opt, tmp + "/warm")) all_ok = false;
    if (!opt.claude.empty() && !measure_tools(out, opt, tmp + "/tools")) all_ok = false;
    return finish(out, opt, all_ok);
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) {
    using namespace bench;
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
