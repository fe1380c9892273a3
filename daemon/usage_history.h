// Where the dashboard's "today" and "7 days" totals come from. The default counts the jobs
// this process has seen; a durable ledger can stand in for it without the dashboard changing.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace ch {

struct UsageTotal {
    std::string key;  // a model id or a client id
    std::uint64_t requests = 0;
    std::uint64_t failed = 0;
    std::uint64_t input_tokens = 0;
    std::uint64_t output_tokens = 0;
    std::uint64_t cache_read_tokens = 0;
    std::uint64_t cache_creation_tokens = 0;
};

struct UsageSummary {
    std::vector<UsageTotal> by_model;   // sorted by key
    std::vector<UsageTotal> by_client;  // sorted by key
};

class UsageHistory {
  public:
    virtual ~UsageHistory() = default;
    // Totals of the requests that ended on or after the local day of `from` (from its midnight).
    virtual UsageSummary since(std::chrono::system_clock::time_point from) const = 0;
    // What the totals cover, for the page: "since the daemon started", "usage ledger", ...
    virtual std::string coverage() const = 0;
};

}  // namespace ch
