#include "ctl/bus_json.h"

namespace ch::ctl {

using nlohmann::json;

json to_json(const DaemonState& s) {
    json last = nullptr;
    if (s.last_error.at_us)
        last = {{"time_us", s.last_error.at_us},
                {"job", s.last_error.job_id},
                {"error", s.last_error.text}};
    return {{"version", s.version},
            {"started_us", s.started_us},
            {"listen", s.listen},
            {"ready", s.ready},
            {"not_ready_reason", s.not_ready_reason},
            {"active_jobs", s.active_jobs},
            {"queued_jobs", s.queued_jobs},
            {"requests_total", s.requests_total},
            {"requests_failed", s.requests_failed},
            {"config_path", s.config_path},
            {"last_error", last}};
}

json to_json(const ProviderInfo& p) {
    return {{"name", p.name},
            {"user", p.user},
            {"cli", p.cli_path},
            {"cli_version", p.cli_version},
            {"login", p.login},
            {"login_expires_us", p.login_expires_us},
            {"ready", p.ready},
            {"last_error", p.last_error},
            {"state", p.state},
            {"cooldown_until_us", p.cooldown_until_us},
            {"running", p.running},
            {"max_concurrent", p.max_concurrent},
            {"auth_failures", p.auth_failures}};
}

json to_json(const ModelInfo& m) {
    return {
        {"id", m.id}, {"cli_model", m.cli_model}, {"provider", m.provider}, {"aliases", m.aliases}};
}

json to_json(const JobInfo& j) {
    return {{"id", j.id},
            {"model", j.model},
            {"provider", j.provider},
            {"state", j.state},
            {"client", j.client},
            {"created_us", j.created_us},
            {"started_us", j.started_us},
            {"pid", j.pid}};
}

json to_json(const SessionInfo& s) {
    return {{"id", s.id},
            {"provider", s.provider},
            {"client", s.client},
            {"last_used_us", s.last_used_us},
            {"busy", s.busy}};
}

json to_json(const UsageInfo& u) {
    return {{"model", u.model},
            {"provider", u.provider},
            {"requests", u.requests},
            {"failed", u.failed},
            {"input_tokens", u.input_tokens},
            {"output_tokens", u.output_tokens},
            {"cache_read_tokens", u.cache_read_tokens},
            {"cache_creation_tokens", u.cache_creation_tokens}};
}

}  // namespace ch::ctl
