// Where the dashboard's "today" and "7 days" totals come from. The default counts the jobs
// this process has seen; a durable ledger can stand in for it without the dashboard changing.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/usage_report.h"

namespace ch {

struct UsageSummary {
    std::vector<UsageTotals> by_model;   // sorted by group (the model id)
    std::vector<UsageTotals> by_client;  // sorted by group (the client id)
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
