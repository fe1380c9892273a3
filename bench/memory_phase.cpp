#include "bench/memory_phase.h"

#include <cstddef>
#include <thread>

#include "bench/daemon.h"
#include "bench/util.h"

namespace bench {

using namespace std::chrono_literals;

SamplesB measure_daemon_b(const Options& opt, const std::string& dir) {
    SamplesB r;
    const int streams = opt.streams;
    progress(sfmt("memory: daemon B with %d job slots and %d open streams", streams, streams));
    Daemon b(opt.daemon, opt.fake, dir, streams, 256);
    std::this_thread::sleep_for(500ms);
    r.b_idle = memory_of(b.pid());
    // 4 deltas, 5 s after each but the last: a stream stays open about 15 s after its first
    // content delta, long enough for all of them to be open at once. The clients start 20 ms
    // apart: the burst below shows what happens when they all connect at once.
    r.held = stream_batch(b.port(), streams, 20ms, "FAKE[delay_ms=5000] Say hello slowly.", 12s,
                          [&](int open, double ms) {
                              r.open_at_sample = open;
                              r.open_ms = ms;
                              for (int i = 0; i < 10; ++i) {  // the largest of ten samples over 1 s
                                  const Memory m = memory_of(b.pid());
                                  if (m.rss_kb >= r.b_busy.rss_kb) r.b_busy = m;
                                  std::this_thread::sleep_for(100ms);
                              }
                              r.b_busy_maps = rss_by_mapping(b.pid());
                          });
    if (r.held.failures || r.open_at_sample != streams) r.ok = false;
    std::this_thread::sleep_for(1s);
    r.b_after = memory_of(b.pid());

    progress(sfmt("connection burst: %d streaming requests on new connections at once", streams));
    r.burst = stream_batch(b.port(), streams, 0ms, kPrompt, 0ms, {});
    std::this_thread::sleep_for(500ms);
    progress("stopping daemon B");
    r.b_stop = b.stop();
    if (!b.clean_exit()) r.ok = false;
    return r;
}

void report_memory(Report& out, int streams, const SamplesAC& ac, const SamplesB& b) {
    out("## Daemon memory\n\n");
    out(
        sfmt("VmRSS/VmHWM/RssAnon/RssFile from /proc/<pid>/status, Pss from smaps_rollup (a "
             "shared page counts 1/N in each of the N processes that map it). A: 16 jobs, 256 "
             "queued; C: 2 and 2; B: %d and 256. B's %d streaming clients started 20 ms apart; "
             "%d streams were open at once when B was sampled, %.0f ms after the first request "
             "(the sample waits up to 12 s for all); stream failures: %d%s%s.\n\n",
             streams, streams, b.open_at_sample, b.open_ms, b.held.failures,
             b.held.failures ? ", first: " : "", b.held.first_error.c_str()));
    out("| state | VmRSS | VmHWM | RssAnon | RssFile | Pss | Pss_Anon | Pss_File | threads | "
        "VmSize |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    const auto mem_row = [&](const std::string& name, const Memory& m) {
        out(sfmt("| %s | %s | %s | %s | %s | %s | %s | %s | %ld | %s |\n", name.c_str(),
                 mb(m.rss_kb).c_str(), mb(m.hwm_kb).c_str(), mb(m.anon_kb).c_str(),
                 mb(m.file_kb).c_str(), mb(m.pss_kb).c_str(), mb(m.pss_anon_kb).c_str(),
                 mb(m.pss_file_kb).c_str(), m.threads, mb(m.vm_kb).c_str()));
    };
    mem_row("A idle after start-up", ac.a_idle);
    mem_row("A idle after the latency and throughput runs", ac.a_after);
    mem_row("C idle after start-up", ac.c_idle);
    mem_row("C idle after the latency runs", ac.c_after);
    mem_row("B idle after start-up", b.b_idle);
    mem_row(sfmt("B with %d open streams (largest of 10 samples)", b.open_at_sample), b.b_busy);
    mem_row("B idle after the streams ended", b.b_after);
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
    mapping_table(ac.a_maps, 14);
    out(sfmt("\nThe same for B with %d open streams:\n\n", b.open_at_sample));
    mapping_table(b.b_busy_maps, 5);
}

void report_burst(Report& out, int streams, const StreamBatch& burst) {
    out(
        sfmt("\n## Connection burst (daemon B)\n\n%d clients each open a new connection at the "
             "same instant and send a streaming request (no delay in the fake); B has a job "
             "slot for each.\n\n| requests | failed | first error | TcpExt ListenOverflows | "
             "TcpExt SyncookiesSent |\n|---:|---:|---|---:|---:|\n| %d | %d | %s | %ld | %ld "
             "|\n",
             streams, streams, burst.failures, burst.failures ? burst.first_error.c_str() : "-",
             burst.overflows, burst.cookies));
}

}  // namespace bench
