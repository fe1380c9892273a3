// Client-defined tools with the real Claude Code CLI against the mock upstream of tests/e2e:
// what the tool bridge costs. A streamed request whose model calls one of the client's tools
// (the CLI starts the bridge, the daemon returns the call and stops the CLI) against a plain
// streamed request, both on fresh CLI processes.
#pragma once

#include <string>

#include "bench/options.h"
#include "bench/report.h"

namespace bench {

// Starts the mock (node) and a daemon with warm_pool = 0, runs opt.warm_requests interleaved
// rounds and writes the "Client-defined tools" section. False when a sample failed, a CLI or
// bridge outlived its request, or the daemon did not exit cleanly.
bool measure_tools(Report& out, const Options& opt, const std::string& dir);

}  // namespace bench
