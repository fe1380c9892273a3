#include "daemon/dashboard_ticker.h"

#include <chrono>

#include <nlohmann/json.hpp>

#include "daemon/activity_recorder.h"
#include "daemon/dashboard.h"
#include "daemon/event_feed.h"
#include "daemon/http_context.h"
#include "daemon/job_manager.h"
#include "daemon/provider_health.h"
#include "daemon/readiness.h"

namespace ch {
namespace {

// Providers are looked at less often than the clock ticks: a check may run `claude --version`.
constexpr int kProviderEveryTicks = 2;

std::string summary(const ProviderStatus& s) {
    return s.state + "|" + (s.ready ? "ready" : "not ready") + "|" + s.login + "|" + s.reason +
           "|" + std::to_string(s.cooldown_until_ms) + "|" + s.last_error;
}

}  // namespace

void DashboardTicker::start() {
    settings_seen_ = ctx_.settings();
    thread_ = std::thread([this] { run(); });
}

void DashboardTicker::stop() {
    {
        std::lock_guard guard(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    if (ctx_.dashboard != nullptr) ctx_.dashboard->feed->close();
}

void DashboardTicker::run() {
    using namespace std::chrono;
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        // On the second boundary, so each tick covers the second that just ended.
        const auto now = system_clock::now();
        const auto next = time_point_cast<seconds>(now) + seconds(1);
        if (wake_.wait_until(lock, next, [this] { return stopping_; })) break;
        lock.unlock();
        tick();
        lock.lock();
    }
}

void DashboardTicker::tick() {
    using namespace std::chrono;
    DashboardSources& dash = *ctx_.dashboard;
    const auto now = system_clock::now();
    nlohmann::json t = {{"at_ms", duration_cast<milliseconds>(now.time_since_epoch()).count()}};
    if (ctx_.jobs != nullptr) {
        const auto counts = ctx_.jobs->counts();
        t["running"] = counts.running;
        t["queued"] = counts.queued;
        t["finished"] = counts.finished;
        t["failed"] = counts.failed;
    }
    TokenTally second;
    for (const auto& b : dash.activity->seconds(1, now))
        for (const auto& [model, tally] : b.by_model)
            second.add(tally);
    t["second"] = {{"requests", second.requests},
                   {"failed", second.failed},
                   {"tokens", second.input_tokens + second.output_tokens}};
    dash.feed->set_tick(std::move(t));

    const auto settings = ctx_.settings();
    if (settings != settings_seen_) {
        settings_seen_ = settings;
        dash.feed->publish("reload", {{"config", settings->config.path}});
    }
    if (++ticks_ % kProviderEveryTicks == 0) check_providers();
}

void DashboardTicker::check_providers() {
    if (ctx_.health == nullptr) return;
    for (const auto& s : provider_statuses(ctx_)) {
        const std::string now = summary(s);
        auto [it, inserted] = provider_seen_.try_emplace(s.name, now);
        if (inserted || it->second == now) continue;
        it->second = now;
        ctx_.dashboard->feed->publish("provider", {{"provider", s.name},
                                                   {"state", s.state},
                                                   {"ready", s.ready},
                                                   {"login", s.login},
                                                   {"reason", s.reason},
                                                   {"last_error", s.last_error}});
    }
}

}  // namespace ch
