#include "bench/latency.h"

#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bench/http_client.h"
#include "bench/proc_stats.h"
#include "bench/util.h"

namespace bench {

using namespace std::chrono_literals;

namespace {

// One daemon in the latency comparison, with its keep-alive client and samples.
struct LatencyTarget {
    std::string name;
    Daemon* daemon;
    std::unique_ptr<httplib::Client> client;
    std::vector<double> total, first, stream_total, paired_total, paired_first;
};

}  // namespace

bool measure_latency(Report& out, const DirectCommand& direct, Daemon& a, Daemon& c, int n) {
    bool all_ok = true;
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
    return all_ok;
}

}  // namespace bench
