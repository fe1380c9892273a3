// The dashboard's "today" and "7 days" totals from the durable usage ledger, so they survive
// restarts. Reading the ledger costs a pass over the file, so a result is reused for a few
// seconds; the page polls far more often than the totals change.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "daemon/usage_history.h"

namespace ch {

class LedgerHistory : public UsageHistory {
  public:
    explicit LedgerHistory(std::string path) : path_(std::move(path)) {}
    UsageSummary since(std::chrono::system_clock::time_point from) const override;
    std::string coverage() const override { return "usage ledger"; }

  private:
    struct Cached {
        std::chrono::steady_clock::time_point read;
        UsageSummary summary;
    };
    const std::string path_;
    mutable std::mutex mutex_;
    mutable std::map<std::chrono::system_clock::time_point, Cached> cache_;
};

}  // namespace ch
