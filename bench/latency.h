// Sequential latency: direct runs of the fake against non-streaming and streaming requests to
// daemons A and C, interleaved round by round, with the CPU time per request.
#pragma once

#include "bench/daemon.h"
#include "bench/direct.h"
#include "bench/report.h"

namespace bench {

// Runs 10 warm-up rounds and `n` measured rounds, then writes the "Latency" section. False
// when a sample failed.
bool measure_latency(Report& out, const DirectCommand& direct, Daemon& a, Daemon& c, int n);

}  // namespace bench
