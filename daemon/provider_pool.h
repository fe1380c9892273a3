// Which provider (login) runs a job. A model's candidates are tried in its strategy's order,
// skipping those that are not ready, suspended after repeated authentication failures, cooling
// down after a usage limit, or full (their max_concurrent, or one job at a time while an
// expired OAuth access token waits for a job to renew it, so CLIs never race on the refresh).
// A conversation stays on the provider that started it while that one can take it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/config.h"
#include "daemon/job.h"
#include "daemon/provider_health.h"

namespace ch {

class ProviderPool {
  public:
    // Without `health` (tests) every provider counts as ready.
    explicit ProviderPool(ProviderHealth* health) : health_(health) {}

    struct Choice {
        enum class Kind { Run, Wait, Refuse };
        Kind kind = Kind::Wait;
        ProviderConfig provider;  // Run
        JobOutcome refusal;       // Refuse: 429 when all are cooling down (Retry-After), else 503
    };
    // Where `spec` may run now, skipping the providers in `tried`.
    Choice choose(const JobSpec& spec, const std::vector<std::string>& tried);
    // Whether a job that just failed on the providers in `tried` could still run elsewhere.
    bool can_move(const JobSpec& spec, const std::vector<std::string>& tried);

    void started(const JobSpec& spec, const std::string& provider);
    void ended(const std::string& provider);
    // What a run's outcome says about its provider: a usage limit cools it down until the
    // reset, an authentication failure counts towards suspension, a success clears the count.
    void record(const ProviderConfig& provider, const JobOutcome& outcome, int auth_failure_limit);
    // A refusal for a usage limit that may name a later reset than the earliest of the other
    // candidates: when every candidate is cooling down, the earliest reset is the answer.
    void adjust_retry_after(const JobSpec& spec, JobOutcome& outcome);
    // After a job on `provider`: if its access token had expired, read its login again.
    void after_run(const std::string& provider);

    // A reload lifts suspensions (the operator may have fixed the login) and starts counting
    // authentication failures afresh; cool-downs stay, they are the subscription's.
    void reset_suspensions();

    // The health statuses with the pool's scheduling state filled in.
    std::vector<ProviderStatus> statuses();

  private:
    struct State {
        int running = 0;
        std::chrono::system_clock::time_point cooldown_until{};
        int auth_failures = 0;
        bool suspended = false;
        std::string suspension;   // the message clients and logs get
        std::string fingerprint;  // of the credentials file when suspended
        std::string last_error;
    };
    enum class Availability { Ready, Busy, Cooling, Suspended, NotReady };
    struct Candidate {
        const ProviderConfig* config;
        Availability availability;
        std::string reason;
    };
    std::vector<Candidate> candidates(const JobSpec& spec, const std::vector<std::string>& tried);
    Availability availability(const ProviderConfig& provider, const ProviderStatus* status,
                              std::string& reason);
    const ProviderStatus* status_of(const std::string& name) const;
    void remember(const std::string& conversation, const std::string& provider);

    ProviderHealth* const health_;
    std::mutex mutex_;
    std::vector<ProviderStatus> health_view_;  // refreshed by each choose()
    std::map<std::string, State> state_;
    std::map<std::string, std::size_t> round_robin_;  // per model id: the next to try first
    struct Sticky {
        std::string provider;
        std::chrono::steady_clock::time_point used;
    };
    std::unordered_map<std::string, Sticky> sticky_;  // conversation -> provider
};

}  // namespace ch
