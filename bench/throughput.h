// Throughput of daemon A with 1, 4 and 16 concurrent keep-alive clients, against the direct
// spawn rate at the same concurrency, with the CPU time per request.
#pragma once

#include "bench/daemon.h"
#include "bench/direct.h"
#include "bench/report.h"

namespace bench {

// Writes the "Throughput" section, `n` requests per level. False when a request failed.
bool measure_throughput(Report& out, const DirectCommand& direct, const Daemon& a, int n);

}  // namespace bench
