// harness-bench's command line.
#pragma once

#include <optional>
#include <string>

namespace bench {

struct Options {
    std::string daemon;
    std::string fake;
    std::string out;
    int requests = 200;
    int streams = 64;
    int time_limit_s = 900;
    // The warm pool phase, run when `claude` is set.
    std::string claude;  // the real Claude Code CLI
    std::string mock;    // tests/e2e/mock_anthropic.mjs
    std::string node = "node";
    int warm_pool = 1;
    int warm_requests = 20;
    bool only_warm_pool = false;  // skip the fake CLI's measures (--fake not needed then)
    bool only_tools = false;      // the same for the client-defined tools phase
};

inline constexpr const char* kUsage =
    "Usage: harness-bench --daemon PATH --fake PATH [--requests N] [--streams N]\n"
    "                     [--out FILE] [--time-limit SECONDS]\n"
    "                     [--claude PATH --mock PATH [--node PATH] [--warm-pool N]\n"
    "                      [--warm-requests N] [--only warm-pool|tools]]\n"
    "\n"
    "  --daemon PATH        the claude-harnessd binary\n"
    "  --fake PATH          the fake-claude binary (tests/fake)\n"
    "  --requests N         samples per latency measure and requests per throughput level\n"
    "                       (default 200)\n"
    "  --streams N          concurrent open streams for the memory measure (default 64)\n"
    "  --out FILE           also write the Markdown report to FILE\n"
    "  --time-limit SECONDS kill everything and exit 3 after this long (default 900)\n"
    "  --claude PATH        also measure the warm pool and client-defined tools with this\n"
    "                       real Claude Code CLI\n"
    "  --mock PATH          the mock upstream for it (tests/e2e/mock_anthropic.mjs)\n"
    "  --node PATH          node, to run the mock (default: node from PATH)\n"
    "  --warm-pool N        warm_pool of the pooled daemon (default 1)\n"
    "  --warm-requests N    measured rounds in those phases (default 20)\n"
    "  --only warm-pool     run only the warm pool phase\n"
    "  --only tools         run only the client-defined tools phase\n";

// std::nullopt on a malformed command line; --help prints kUsage and exits.
std::optional<Options> parse_options(int argc, char** argv);

}  // namespace bench
