#include "bench/throughput.h"

#include <memory>
#include <string>
#include <thread>

#include "bench/http_client.h"
#include "bench/load.h"
#include "bench/proc_stats.h"
#include "bench/util.h"

namespace bench {

using namespace std::chrono_literals;

bool measure_throughput(Report& out, const DirectCommand& direct, const Daemon& a, int n) {
    bool all_ok = true;
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
    return all_ok;
}

}  // namespace bench
