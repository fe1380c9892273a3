// Requests and tokens per minute for each client and each model, over a sliding minute. A
// request is counted when admitted; its tokens when it finishes (they are known only then), so
// a tokens-per-minute limit refuses the requests that come after the minute's budget is spent.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "common/config.h"
#include "daemon/job.h"

namespace ch {

class RateLimiter {
  public:
    using Clock = std::chrono::steady_clock;

    // A 429 refusal with Retry-After when one more request of `client` for `model` would pass
    // a limit; otherwise the request is counted and nullopt returned.
    std::optional<JobOutcome> admit(const std::string& client, const ClientLimits& limits,
                                    const ModelConfig& model, Clock::time_point now);
    void add_tokens(const std::string& client, const std::string& model, std::int64_t tokens,
                    Clock::time_point now);

  private:
    struct Window {
        std::deque<std::pair<Clock::time_point, std::int64_t>> events;
        std::int64_t sum = 0;
        void expire(Clock::time_point now);
        void add(Clock::time_point now, std::int64_t amount);
        // How long until the sum is below `limit` again.
        std::chrono::seconds wait_below(std::int64_t limit, Clock::time_point now) const;
    };
    void prune(Clock::time_point now);

    std::mutex mutex_;
    std::map<std::string, Window> requests_;  // "client:<id>" or "model:<id>"
    std::map<std::string, Window> tokens_;
    std::uint64_t calls_ = 0;
};

}  // namespace ch
