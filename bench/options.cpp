#include "bench/options.h"

#include <cstdio>
#include <cstdlib>

namespace bench {

std::optional<Options> parse_options(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            std::fputs(kUsage, stdout);
            std::exit(0);
        }
        if (i + 1 >= argc) return std::nullopt;
        const std::string value = argv[++i];
        if (arg == "--daemon") {
            o.daemon = value;
        } else if (arg == "--fake") {
            o.fake = value;
        } else if (arg == "--out") {
            o.out = value;
        } else if (arg == "--requests") {
            o.requests = std::atoi(value.c_str());
        } else if (arg == "--streams") {
            o.streams = std::atoi(value.c_str());
        } else if (arg == "--time-limit") {
            o.time_limit_s = std::atoi(value.c_str());
        } else if (arg == "--claude") {
            o.claude = value;
        } else if (arg == "--mock") {
            o.mock = value;
        } else if (arg == "--node") {
            o.node = value;
        } else if (arg == "--warm-pool") {
            o.warm_pool = std::atoi(value.c_str());
        } else if (arg == "--warm-requests") {
            o.warm_requests = std::atoi(value.c_str());
        } else if (arg == "--only" && value == "warm-pool") {
            o.only_warm_pool = true;
        } else if (arg == "--only" && value == "tools") {
            o.only_tools = true;
        } else {
            return std::nullopt;
        }
    }
    if (!o.claude.empty() && (o.mock.empty() || o.warm_pool < 1 || o.warm_pool > 16 ||
                              o.warm_requests < 1 || o.warm_requests > 10000))
        return std::nullopt;
    const bool only_real_cli = o.only_warm_pool || o.only_tools;
    if (only_real_cli && (o.claude.empty() || (o.only_warm_pool && o.only_tools)))
        return std::nullopt;
    if (o.daemon.empty() || (o.fake.empty() && !only_real_cli) || o.requests < 1 ||
        o.requests > 100000 || o.streams < 1 || o.streams > 1000 || o.time_limit_s < 10)
        return std::nullopt;
    return o;
}

}  // namespace bench
