// Memory of the daemons: daemon B (one job slot per stream) idle, with --streams streams held
// open and after them, a burst of connections to B, and the "Daemon memory" and "Connection
// burst" sections, which also show the samples of A and C taken by run().
#pragma once

#include <string>
#include <vector>

#include "bench/load.h"
#include "bench/options.h"
#include "bench/proc_stats.h"
#include "bench/report.h"

namespace bench {

// Daemons A and C, sampled around the latency and throughput runs.
struct SamplesAC {
    Memory a_idle, a_after, c_idle, c_after;
    std::vector<MappingUse> a_maps;  // A idle after start-up
};

struct SamplesB {
    Memory b_idle, b_busy, b_after;
    std::vector<MappingUse> b_busy_maps;
    int open_at_sample = 0;  // streams open when b_busy was sampled
    double open_ms = 0;      // since the first stream started
    StreamBatch held, burst;
    std::string b_stop;  // Daemon::stop()
    bool ok = true;      // false when a stream failed or B did not exit cleanly
};

// Starts daemon B under `dir`, holds opt.streams streams open, sends the burst, stops B.
SamplesB measure_daemon_b(const Options& opt, const std::string& dir);

void report_memory(Report& out, int streams, const SamplesAC& ac, const SamplesB& b);
void report_burst(Report& out, int streams, const StreamBatch& burst);

}  // namespace bench
