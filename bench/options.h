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
};

inline constexpr const char* kUsage =
    "Usage: harness-bench --daemon PATH --fake PATH [--requests N] [--streams N]\n"
    "                     [--out FILE] [--time-limit SECONDS]\n"
    "\n"
    "  --daemon PATH        the claude-harnessd binary\n"
    "  --fake PATH          the fake-claude binary (tests/fake)\n"
    "  --requests N         samples per latency measure and requests per throughput level\n"
    "                       (default 200)\n"
    "  --streams N          concurrent open streams for the memory measure (default 64)\n"
    "  --out FILE           also write the Markdown report to FILE\n"
    "  --time-limit SECONDS kill everything and exit 3 after this long (default 900)\n";

// std::nullopt on a malformed command line; --help prints kUsage and exits.
std::optional<Options> parse_options(int argc, char** argv);

}  // namespace bench
