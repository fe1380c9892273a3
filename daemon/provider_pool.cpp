#include "daemon/provider_pool.h"

#include <sys/stat.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "daemon/job_outcome.h"
#include "daemon/run_as.h"

namespace ch {
namespace {

using SystemClock = std::chrono::system_clock;
using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t kMaxConversations = 10000;
constexpr auto kConversationIdle = std::chrono::hours(1);

std::int64_t epoch_ms(SystemClock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// Changes when the login is renewed: `claude auth login` rewrites the credentials file.
std::string credentials_fingerprint(const ProviderConfig& provider) {
    std::string error;
    const auto who = resolve_run_as(provider.user, &error);
    if (!who) return "";
    struct stat st {};
    if (stat(credentials_path(provider, who->home).c_str(), &st) != 0) return "absent";
    return std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
           std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

const ProviderStatus* ProviderPool::status_of(const std::string& name) const {
    for (const auto& s : health_view_)
        if (s.name == name) return &s;
    return nullptr;
}

ProviderPool::Availability ProviderPool::availability(const ProviderConfig& provider,
                                                      const ProviderStatus* status,
                                                      std::string& reason) {
    State& st = state_[provider.name];
    if (health_ && (!status || !status->ready)) {
        reason = status ? status->reason : "provider '" + provider.name + "' is not checked yet";
        return Availability::NotReady;
    }
    if (st.suspended) {
        if (credentials_fingerprint(provider) == st.fingerprint) {
            reason = st.suspension;
            return Availability::Suspended;
        }
        spdlog::info("provider {}: its credentials changed; trying it again", provider.name);
        st.suspended = false;
        st.auth_failures = 0;
    }
    if (SystemClock::now() < st.cooldown_until) return Availability::Cooling;
    const bool renewing = status && status->login_refreshable && status->login_expires_ms > 0 &&
                          status->login_expires_ms < epoch_ms(SystemClock::now());
    const int limit = renewing ? 1 : provider.max_concurrent;
    if (limit > 0 && st.running >= limit) return Availability::Busy;
    return Availability::Ready;
}

std::vector<ProviderPool::Candidate> ProviderPool::candidates(
    const JobSpec& spec, const std::vector<std::string>& tried) {
    if (health_) health_view_ = health_->snapshot();
    std::vector<Candidate> out;
    for (const auto& provider : spec.providers) {
        if (contains(tried, provider.name)) continue;
        std::string reason;
        const auto a = availability(provider, status_of(provider.name), reason);
        out.push_back({&provider, a, std::move(reason)});
    }
    return out;
}

ProviderPool::Choice ProviderPool::choose(const JobSpec& spec,
                                          const std::vector<std::string>& tried) {
    std::lock_guard guard(mutex_);
    auto list = candidates(spec, tried);
    Choice choice;
    // The conversation's provider first; while it is merely busy the job waits for it.
    if (const auto it = sticky_.find(spec.conversation);
        !spec.conversation.empty() && it != sticky_.end()) {
        for (const auto& c : list) {
            if (c.config->name != it->second.provider) continue;
            if (c.availability == Availability::Ready) {
                choice.kind = Choice::Kind::Run;
                choice.provider = *c.config;
                return choice;
            }
            if (c.availability == Availability::Busy) return choice;  // Wait
        }
    }
    std::vector<const Candidate*> ready;
    for (const auto& c : list)
        if (c.availability == Availability::Ready) ready.push_back(&c);
    if (!ready.empty()) {
        const Candidate* pick = ready.front();
        if (spec.model.strategy == "round-robin") {
            std::size_t& next = round_robin_[spec.model.id];
            pick = ready[next % ready.size()];
            next = (next % ready.size()) + 1;
        } else if (spec.model.strategy == "least-loaded") {
            for (const auto* c : ready)
                if (state_[c->config->name].running < state_[pick->config->name].running) pick = c;
        }
        choice.kind = Choice::Kind::Run;
        choice.provider = *pick->config;
        return choice;
    }
    for (const auto& c : list)
        if (c.availability == Availability::Busy) return choice;  // Wait

    // Nothing can take it: say why in the most useful order.
    choice.kind = Choice::Kind::Refuse;
    std::optional<SystemClock::time_point> reset;
    std::string reasons;
    for (const auto& c : list) {
        if (c.availability == Availability::Cooling) {
            const auto until = state_[c.config->name].cooldown_until;
            reset = reset ? std::min(*reset, until) : until;
        } else if (!c.reason.empty()) {
            reasons += (reasons.empty() ? "" : "; ") + c.reason;
        }
    }
    if (reset) {
        const long seconds = std::max<long>(
            1, std::chrono::ceil<std::chrono::seconds>(*reset - SystemClock::now()).count());
        choice.refusal =
            failed_outcome(429, "usage_limit",
                           "every login that serves '" + spec.model.id +
                               "' has reached its usage limit; the earliest resets in " +
                               std::to_string(seconds) + " s",
                           seconds);
    } else {
        choice.refusal = failed_outcome(503, "not_ready",
                                        "no provider can serve '" + spec.model.id + "'" +
                                            (reasons.empty() ? "" : ": ") + reasons);
    }
    return choice;
}

bool ProviderPool::can_move(const JobSpec& spec, const std::vector<std::string>& tried) {
    std::lock_guard guard(mutex_);
    for (const auto& c : candidates(spec, tried))
        if (c.availability == Availability::Ready || c.availability == Availability::Busy)
            return true;
    return false;
}

void ProviderPool::started(const JobSpec& spec, const std::string& provider) {
    std::lock_guard guard(mutex_);
    ++state_[provider].running;
    if (!spec.conversation.empty()) remember(spec.conversation, provider);
}

void ProviderPool::remember(const std::string& conversation, const std::string& provider) {
    const auto now = SteadyClock::now();
    sticky_[conversation] = {provider, now};
    if (sticky_.size() <= kMaxConversations) return;
    std::erase_if(sticky_, [&](const auto& e) { return now - e.second.used > kConversationIdle; });
    while (sticky_.size() > kMaxConversations)
        sticky_.erase(std::min_element(
            sticky_.begin(), sticky_.end(),
            [](const auto& a, const auto& b) { return a.second.used < b.second.used; }));
}

void ProviderPool::ended(const std::string& provider) {
    std::lock_guard guard(mutex_);
    State& st = state_[provider];
    if (st.running > 0) --st.running;
}

void ProviderPool::record(const ProviderConfig& config, const JobOutcome& outcome,
                          int auth_failure_limit) {
    const std::string& provider = config.name;
    std::lock_guard guard(mutex_);
    State& st = state_[provider];
    if (outcome.ok) {
        st.auth_failures = 0;
        return;
    }
    st.last_error = outcome.code + ": " + outcome.message;
    if (outcome.code == "usage_limit") {
        st.cooldown_until =
            SystemClock::now() + std::chrono::seconds(outcome.retry_after.value_or(60));
        spdlog::warn("provider {}: usage limit reached; no new jobs for {} s", provider,
                     outcome.retry_after.value_or(60));
    } else if (outcome.code == "auth_failed") {
        ++st.auth_failures;
        if (st.auth_failures < auth_failure_limit || st.suspended) return;
        std::string user = "its user";
        for (const auto& s : health_view_)
            if (s.name == provider && !s.user.empty()) user = "user '" + s.user + "'";
        st.suspended = true;
        st.suspension = "provider '" + provider + "' is suspended after " +
                        std::to_string(st.auth_failures) +
                        " authentication failures in a row: log in again with `claude auth "
                        "login` as " +
                        user + " (or replace its token) and run `claude-harnessctl reload`";
        st.fingerprint = credentials_fingerprint(config);
        spdlog::error("{}", st.suspension);
    }
}

void ProviderPool::adjust_retry_after(const JobSpec& spec, JobOutcome& outcome) {
    if (outcome.code != "usage_limit") return;
    std::lock_guard guard(mutex_);
    const auto now = SystemClock::now();
    std::optional<SystemClock::time_point> earliest;
    for (const auto& provider : spec.providers) {
        const auto until = state_[provider.name].cooldown_until;
        if (until <= now) return;  // one is usable: the client may retry soon
        earliest = earliest ? std::min(*earliest, until) : until;
    }
    if (earliest)
        outcome.retry_after =
            std::max<long>(1, std::chrono::ceil<std::chrono::seconds>(*earliest - now).count());
}

void ProviderPool::after_run(const std::string& provider) {
    if (!health_) return;
    for (const auto& s : health_->snapshot())
        if (s.name == provider && s.login_refreshable && s.login_expires_ms > 0 &&
            s.login_expires_ms < epoch_ms(SystemClock::now()))
            health_->reread_login(provider);
}

void ProviderPool::reset_suspensions() {
    std::lock_guard guard(mutex_);
    for (auto& [name, st] : state_) {
        if (st.suspended) spdlog::info("provider {}: suspension lifted by the reload", name);
        st.suspended = false;
        st.auth_failures = 0;
    }
}

std::vector<ProviderStatus> ProviderPool::statuses() {
    auto out = health_ ? health_->current() : std::vector<ProviderStatus>{};
    std::lock_guard guard(mutex_);
    const auto now = SystemClock::now();
    for (auto& s : out) {
        const State& st = state_[s.name];
        s.running = st.running;
        s.auth_failures = st.auth_failures;
        s.last_error = st.last_error;
        if (st.cooldown_until > now) s.cooldown_until_ms = epoch_ms(st.cooldown_until);
        if (!s.ready)
            s.state = "not_ready";
        else if (st.suspended)
            s.state = "suspended", s.reason = st.suspension;
        else if (st.cooldown_until > now)
            s.state = "cooling_down";
        else
            s.state = "ready";
    }
    return out;
}

}  // namespace ch
