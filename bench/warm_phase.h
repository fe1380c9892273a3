// The warm pool with the real Claude Code CLI against the mock upstream of tests/e2e: time to
// first token and total latency of a short streamed completion, pool on against pool off.
#pragma once

#include <string>

#include "bench/options.h"
#include "bench/report.h"

namespace bench {

// Starts the mock (node), a daemon with warm_pool = opt.warm_pool and one with warm_pool = 0,
// runs opt.warm_requests interleaved rounds and writes the "Warm pool" section. False when a
// sample failed or a daemon did not exit cleanly.
bool measure_warm_pool(Report& out, const Options& opt, const std::string& dir);

}  // namespace bench
