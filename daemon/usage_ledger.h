// Token and request totals per model and provider since the daemon started, and the last
// failure: what `claude-harnessctl status` and the bus's GetUsage() report.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/token_tally.h"
#include "daemon/job_watcher.h"

namespace ch {

struct UsageRow : TokenTally {
    std::string model;
    std::string provider;
};

struct FailureRecord {
    std::int64_t at_us = 0;  // µs since the epoch; 0 = none yet
    std::string job_id;
    std::string provider;
    std::string text;  // "code: message"
};

class UsageLedger : public JobWatcher {
  public:
    void job_started(const Job&) override {}
    void job_finished(const Job& job, const JobOutcome& outcome) override;

    std::vector<UsageRow> rows() const;  // sorted by model, then provider
    FailureRecord last_failure() const;
    FailureRecord last_failure(const std::string& provider) const;

  private:
    mutable std::mutex mutex_;
    std::map<std::pair<std::string, std::string>, UsageRow> rows_;
    FailureRecord last_;
    std::map<std::string, FailureRecord> last_by_provider_;
};

}  // namespace ch
