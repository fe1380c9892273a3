// The dashboard's "today" and "7 days" totals from the durable usage ledger, so they survive
// restarts. The ledger only grows, so it is read once and then only what was appended since
// the last call, into totals per local day; a ledger replaced or cut short is read afresh.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
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
    struct Day {
        std::map<std::string, UsageTotals> by_model;
        std::map<std::string, UsageTotals> by_client;
    };
    void catch_up() const;  // with mutex_ held
    void add_lines(std::string_view text) const;

    const std::string path_;
    mutable std::mutex mutex_;
    mutable std::map<std::chrono::system_clock::time_point, Day> days_;  // by local midnight
    mutable dev_t device_ = 0;
    mutable ino_t inode_ = 0;
    mutable std::uint64_t offset_ = 0;  // end of the last complete line read
};

}  // namespace ch
