// The background jobs of /v1/jobs by id: kept while they run, and once finished for
// [limits] job_retention and at most max_retained_jobs of them, then forgotten. Pruned on
// every access, so nothing needs a timer.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/config.h"
#include "daemon/job.h"

namespace ch {

class JobStore {
  public:
    void add(std::shared_ptr<Job> job, const LimitsConfig& limits);
    // Null when unknown or forgotten.
    std::shared_ptr<Job> find(const std::string& id, const LimitsConfig& limits);
    // The jobs of `client` still kept, newest first.
    std::vector<std::shared_ptr<Job>> list(const std::string& client, const LimitsConfig& limits);

  private:
    void prune(const LimitsConfig& limits);  // called with the lock held

    std::mutex mutex_;
    std::map<std::string, std::shared_ptr<Job>> jobs_;
};

}  // namespace ch
