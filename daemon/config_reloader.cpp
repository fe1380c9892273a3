#include "daemon/config_reloader.h"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <spdlog/spdlog.h>

#include "daemon/http_context.h"
#include "daemon/job_manager.h"
#include "daemon/provider_health.h"
#include "daemon/provider_pool.h"
#include "daemon/warm_pool.h"

namespace ch {
namespace {

// systemd (253 and later, Type=notify-reload) wants the monotonic time with RELOADING=1.
void notify_reloading() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    const auto usec = static_cast<unsigned long long>(ts.tv_sec) * 1000000ull +
                      static_cast<unsigned long long>(ts.tv_nsec) / 1000ull;
    sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu", usec);
}

std::string listen_text(const Config& config) {
    std::string out;
    for (const auto& a : config.server.listen)
        out += (out.empty() ? "" : ", ") + a.text;
    return out;
}

// What the running servers fixed at start and only a restart changes.
void warn_restart_needed(const Config& old, const Config& now) {
    if (listen_text(old) != listen_text(now))
        spdlog::warn("reload: listen addresses changed ({} -> {}); restart the service to apply",
                     listen_text(old), listen_text(now));
    if (old.server.state_dir != now.server.state_dir)
        spdlog::warn("reload: state_dir changed; restart the service to apply");
    if (old.server.max_body_bytes != now.server.max_body_bytes)
        spdlog::warn("reload: max_body_bytes changed; restart the service to apply");
    if (old.limits.max_concurrent_jobs + old.limits.max_queued_jobs <
        now.limits.max_concurrent_jobs + now.limits.max_queued_jobs)
        spdlog::warn(
            "reload: more concurrent and queued jobs than HTTP workers until the service is "
            "restarted");
}

}  // namespace

std::vector<std::string> ConfigReloader::reload() {
    std::lock_guard guard(mutex_);
    notify_reloading();
    spdlog::info("reloading {}", path_);
    SettingsLoad load = load_settings(path_);
    if (!load.settings) {
        for (const auto& e : load.errors)
            spdlog::error("reload: {}", e);
        spdlog::error("reload failed; still running with the previous configuration");
        sd_notify(0, "READY=1");
        return load.errors;
    }
    const auto old = ctx_.settings();
    const Config& config = load.settings->config;
    warn_restart_needed(old->config, config);
    jobs_.set_limits(config.limits);
    health_.set_providers(config.providers);
    health_.set_warning_days(config.server.login_warning_days);
    pool_.reset_suspensions();
    ctx_.set_settings(load.settings);
    // Pools of changed providers are drained and rebuilt; unchanged ones keep their processes.
    if (warm_pool_) warm_pool_->configure(config);
    spdlog::info("configuration reloaded: {} model(s), {} provider(s), {} API key(s)",
                 config.models.size(), config.providers.size(), load.settings->keys.size());
    sd_notify(0, "READY=1");
    return {};
}

}  // namespace ch
