#include "daemon/rate_limiter.h"

#include <algorithm>

#include "daemon/job_outcome.h"

namespace ch {
namespace {

constexpr auto kMinute = std::chrono::seconds(60);

}  // namespace

void RateLimiter::Window::expire(Clock::time_point now) {
    while (!events.empty() && now - events.front().first >= kMinute) {
        sum -= events.front().second;
        events.pop_front();
    }
}

void RateLimiter::Window::add(Clock::time_point now, std::int64_t amount) {
    events.emplace_back(now, amount);
    sum += amount;
}

std::chrono::seconds RateLimiter::Window::wait_below(std::int64_t limit,
                                                     Clock::time_point now) const {
    std::int64_t left = sum;
    for (const auto& [at, amount] : events) {
        left -= amount;
        if (left < limit)
            return std::max(std::chrono::seconds(1),
                            std::chrono::ceil<std::chrono::seconds>(at + kMinute - now));
    }
    return std::chrono::seconds(1);
}

std::optional<JobOutcome> RateLimiter::admit(const std::string& client, const ClientLimits& limits,
                                             const ModelConfig& model, Clock::time_point now) {
    std::lock_guard guard(mutex_);
    if (++calls_ % 1024 == 0) prune(now);
    struct Check {
        std::map<std::string, Window>* windows;
        std::string key;
        std::int64_t limit;
        std::string what;
    };
    const Check checks[] = {
        {&requests_, "client:" + client, limits.requests_per_minute,
         "requests per minute for client '" + client + "'"},
        {&tokens_, "client:" + client, limits.tokens_per_minute,
         "tokens per minute for client '" + client + "'"},
        {&requests_, "model:" + model.id, model.requests_per_minute,
         "requests per minute for model '" + model.id + "'"},
        {&tokens_, "model:" + model.id, model.tokens_per_minute,
         "tokens per minute for model '" + model.id + "'"},
    };
    for (const auto& check : checks) {
        if (check.limit <= 0) continue;
        Window& window = (*check.windows)[check.key];
        window.expire(now);
        if (window.sum >= check.limit) {
            const auto wait = window.wait_below(check.limit, now);
            return failed_outcome(429, "rate_limited",
                                  "rate limit reached: " + std::to_string(check.limit) + " " +
                                      check.what + "; retry in " + std::to_string(wait.count()) +
                                      " s",
                                  wait.count());
        }
    }
    if (limits.requests_per_minute > 0) requests_["client:" + client].add(now, 1);
    if (model.requests_per_minute > 0) requests_["model:" + model.id].add(now, 1);
    return std::nullopt;
}

void RateLimiter::add_tokens(const std::string& client, const std::string& model,
                             std::int64_t tokens, Clock::time_point now) {
    if (tokens <= 0) return;
    std::lock_guard guard(mutex_);
    tokens_["client:" + client].add(now, tokens);
    tokens_["model:" + model].add(now, tokens);
}

void RateLimiter::prune(Clock::time_point now) {
    for (auto* windows : {&requests_, &tokens_}) {
        for (auto& [key, window] : *windows)
            window.expire(now);
        std::erase_if(*windows, [](const auto& entry) { return entry.second.events.empty(); });
    }
}

}  // namespace ch
