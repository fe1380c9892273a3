#include "daemon/bus_harness.h"

#include <sys/stat.h>

#include <cerrno>
#include <memory>
#include <system_error>

#include <spdlog/spdlog.h>

#include "common/bus_names.h"
#include "common/since.h"
#include "common/usage_report.h"
#include "common/version.h"
#include "daemon/bus_access.h"
#include "daemon/config_reloader.h"
#include "daemon/http_context.h"
#include "daemon/job_manager.h"
#include "daemon/readiness.h"
#include "daemon/session_store.h"
#include "daemon/usage_ledger.h"

namespace ch {
namespace {

using MessagePtr = std::unique_ptr<sd_bus_message, sd_bus_message* (*)(sd_bus_message*)>;

int ok(int r) {
    if (r < 0) throw std::system_error(-r, std::generic_category(), "building the bus reply");
    return r;
}

BusSources& sources(void* userdata) {
    return *static_cast<BusSources*>(userdata);
}

std::int64_t micros_since_epoch(std::chrono::system_clock::duration d) {
    return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

std::uint64_t micros(std::chrono::system_clock::time_point t) {
    if (t == std::chrono::system_clock::time_point{}) return 0;
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count());
}

// Builds a method reply holding one array of `element`s, filled by `fill(reply)`.
template <typename Fill>
int reply_array(sd_bus_message* call, const char* element, Fill fill) {
    sd_bus_message* raw = nullptr;
    ok(sd_bus_message_new_method_return(call, &raw));
    MessagePtr reply(raw, sd_bus_message_unref);
    ok(sd_bus_message_open_container(reply.get(), 'a', element));
    fill(reply.get());
    ok(sd_bus_message_close_container(reply.get()));
    return sd_bus_send(nullptr, reply.get(), nullptr);
}

#define CH_GETTER(name)                                                             \
    int name(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply, \
             void* userdata, sd_bus_error* error)

CH_GETTER(get_version) {
    (void)userdata;
    return bus_guarded(error, [&] { return sd_bus_message_append(reply, "s", kVersion); });
}

CH_GETTER(get_started_at) {
    return bus_guarded(
        error, [&] { return sd_bus_message_append(reply, "t", sources(userdata).started_us); });
}

CH_GETTER(get_listen) {
    return bus_guarded(error, [&] {
        ok(sd_bus_message_open_container(reply, 'a', "s"));
        for (const auto& address : sources(userdata).listen)
            ok(sd_bus_message_append(reply, "s", address.c_str()));
        return sd_bus_message_close_container(reply);
    });
}

CH_GETTER(get_ready) {
    return bus_guarded(error, [&] {
        const int ready = readiness(*sources(userdata).http).ready;
        return sd_bus_message_append(reply, "b", ready);
    });
}

CH_GETTER(get_not_ready_reason) {
    return bus_guarded(error, [&] {
        return sd_bus_message_append(reply, "s", readiness(*sources(userdata).http).reason.c_str());
    });
}

CH_GETTER(get_active_jobs) {
    return bus_guarded(error, [&] {
        const auto n = static_cast<std::uint32_t>(sources(userdata).jobs->counts().running);
        return sd_bus_message_append(reply, "u", n);
    });
}

CH_GETTER(get_queued_jobs) {
    return bus_guarded(error, [&] {
        const auto n = static_cast<std::uint32_t>(sources(userdata).jobs->counts().queued);
        return sd_bus_message_append(reply, "u", n);
    });
}

CH_GETTER(get_requests_total) {
    return bus_guarded(error, [&] {
        const std::uint64_t n = sources(userdata).http->requests_total.load();
        return sd_bus_message_append(reply, "t", n);
    });
}

CH_GETTER(get_requests_failed) {
    return bus_guarded(error, [&] {
        const std::uint64_t n = sources(userdata).http->requests_failed.load();
        return sd_bus_message_append(reply, "t", n);
    });
}

CH_GETTER(get_config_path) {
    return bus_guarded(error, [&] {
        return sd_bus_message_append(reply, "s", sources(userdata).config_path.c_str());
    });
}

CH_GETTER(get_last_error) {
    return bus_guarded(error, [&] {
        const FailureRecord last = sources(userdata).usage->last_failure();
        return sd_bus_message_append(reply, CH_BUS_LAST_ERROR_SIG,
                                     static_cast<std::uint64_t>(last.at_us), last.job_id.c_str(),
                                     last.text.c_str());
    });
}

int list_providers(sd_bus_message* m, void* userdata, sd_bus_error* error) {
    return bus_guarded(error, [&] {
        const BusSources& src = sources(userdata);
        const auto providers = readiness(*src.http).providers;
        return reply_array(m, CH_BUS_PROVIDER_SIG, [&](sd_bus_message* reply) {
            for (const auto& p : providers) {
                // A usable provider's last error is its last failed job; otherwise why not.
                const bool usable = p.ready && p.state != "suspended";
                const std::string last = usable ? src.usage->last_failure(p.name).text : p.reason;
                const auto expires = static_cast<std::uint64_t>(p.login_expires_ms) * 1000u;
                const auto cooldown = static_cast<std::uint64_t>(p.cooldown_until_ms) * 1000u;
                ok(sd_bus_message_append(reply, CH_BUS_PROVIDER_SIG, p.name.c_str(), p.user.c_str(),
                                         p.executable.c_str(), p.version.c_str(), p.login.c_str(),
                                         expires, static_cast<int>(p.ready), last.c_str(),
                                         p.state.c_str(), cooldown,
                                         static_cast<std::uint32_t>(p.running),
                                         static_cast<std::uint32_t>(p.max_concurrent),
                                         static_cast<std::uint32_t>(p.auth_failures)));
            }
        });
    });
}

int list_models(sd_bus_message* m, void* userdata, sd_bus_error* error) {
    return bus_guarded(error, [&] {
        const auto settings = sources(userdata).http->settings();
        return reply_array(m, CH_BUS_MODEL_SIG, [&](sd_bus_message* reply) {
            for (const auto& model : settings->config.models) {
                ok(sd_bus_message_open_container(reply, 'r', "sssas"));
                // Several providers are listed comma-separated, in the model's order.
                std::string providers;
                for (const auto& name : model.providers)
                    providers += (providers.empty() ? "" : ",") + name;
                ok(sd_bus_message_append(reply, "sss", model.id.c_str(), model.cli_model.c_str(),
                                         providers.c_str()));
                ok(sd_bus_message_open_container(reply, 'a', "s"));
                for (const auto& alias : model.aliases)
                    ok(sd_bus_message_append(reply, "s", alias.c_str()));
                ok(sd_bus_message_close_container(reply));
                ok(sd_bus_message_close_container(reply));
            }
        });
    });
}

int list_jobs(sd_bus_message* m, void* userdata, sd_bus_error* error) {
    return bus_guarded(error, [&] {
        const auto jobs = sources(userdata).jobs->jobs();
        return reply_array(m, CH_BUS_JOB_SIG, [&](sd_bus_message* reply) {
            for (const auto& job : jobs) {
                const auto& spec = job->spec();
                const bool running = job->state() != JobState::Queued;
                ok(sd_bus_message_append(reply, CH_BUS_JOB_SIG, job->id().c_str(),
                                         spec.model.id.c_str(), job->provider_name().c_str(),
                                         running ? "running" : "queued", spec.client.c_str(),
                                         micros(job->created()), micros(job->started()),
                                         static_cast<std::uint32_t>(job->pid())));
            }
        });
    });
}

int list_sessions(sd_bus_message* m, void* userdata, sd_bus_error* error) {
    return bus_guarded(error, [&] {
        std::vector<std::pair<SessionInfo, bool>> sessions;
        if (const SessionStore* store = sources(userdata).sessions) sessions = store->list();
        return reply_array(m, CH_BUS_SESSION_SIG, [&](sd_bus_message* reply) {
            for (const auto& [info, busy] : sessions)
                ok(sd_bus_message_append(reply, CH_BUS_SESSION_SIG, info.id.c_str(),
                                         info.provider.c_str(), info.client.c_str(),
                                         micros(info.last_used), static_cast<int>(busy)));
        });
    });
}

int get_usage(sd_bus_message* m, void* userdata, sd_bus_error* error) {
    return bus_guarded(error, [&] {
        const auto rows = sources(userdata).usage->rows();
        return reply_array(m, CH_BUS_USAGE_SIG, [&](sd_bus_message* reply) {
            for (const auto& r : rows)
                ok(sd_bus_message_append(reply, CH_BUS_USAGE_SIG, r.model.c_str(),
                                         r.provider.c_str(), r.requests, r.failed, r.input_tokens,
                                         r.output_tokens, r.cache_read_tokens,
                                         r.cache_creation_tokens));
        });
    });
}

// Read from the file on the bus thread: a ledger of a million lines takes about a second.
int get_usage_report(sd_bus_message* m, void* userdata, sd_bus_error* error) {
    return bus_guarded(error, [&] {
        const char* since_text = nullptr;
        const char* by_text = nullptr;
        ok(sd_bus_message_read(m, "ss", &since_text, &by_text));
        const auto now = std::chrono::system_clock::now().time_since_epoch();
        const auto since =
            *since_text ? parse_since(since_text, micros_since_epoch(now)) : std::int64_t{0};
        if (!since)
            return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "cannot read since '%s'",
                                     since_text);
        const auto by = parse_usage_grouping(by_text);
        if (!by)
            return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                     "by must be model, provider, key or day, not '%s'", by_text);
        const std::string& path = sources(userdata).usage_ledger;
        std::string why;
        auto report = read_usage_file(path, *since, *by, &why);
        struct stat st;
        if (!report && stat(path.c_str(), &st) != 0 && errno == ENOENT)
            report.emplace();  // no file yet: nothing recorded
        if (!report) return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "%s", why.c_str());
        sd_bus_message* raw = nullptr;
        ok(sd_bus_message_new_method_return(m, &raw));
        MessagePtr reply(raw, sd_bus_message_unref);
        ok(sd_bus_message_open_container(reply.get(), 'a', CH_BUS_USAGE_REPORT_SIG));
        for (const auto& g : report->groups)
            ok(sd_bus_message_append(reply.get(), CH_BUS_USAGE_REPORT_SIG, g.group.c_str(),
                                     g.requests, g.failed, g.input_tokens, g.output_tokens,
                                     g.cache_read_tokens, g.cache_creation_tokens, g.cost_usd));
        ok(sd_bus_message_close_container(reply.get()));
        ok(sd_bus_message_append(reply.get(), "t", report->skipped_lines));
        return sd_bus_send(nullptr, reply.get(), nullptr);
    });
}

int cancel_job(sd_bus_message* m, void* userdata, sd_bus_error* error) {
    return bus_guarded(error, [&] {
        const BusSources& src = sources(userdata);
        if (const int r = check_admin(m, src.http->settings()->config, "CancelJob", error); r < 0)
            return r;
        const char* id = nullptr;
        ok(sd_bus_message_read(m, "s", &id));
        for (const auto& job : src.jobs->jobs()) {
            if (job->id() != id) continue;
            spdlog::info("job {}: cancelled over the bus", job->id());
            // 410 rather than 5xx: SDKs retry 5xx, and a retry would undo the cancel.
            src.jobs->cancel(job, "the job was cancelled by an operator", 410, "cancelled");
            return sd_bus_reply_method_return(m, nullptr);
        }
        return sd_bus_error_setf(error, bus::kErrorNoSuchJob, "no queued or running job '%s'", id);
    });
}

int reload(sd_bus_message* m, void* userdata, sd_bus_error* error) {
    return bus_guarded(error, [&] {
        const BusSources& src = sources(userdata);
        if (const int r = check_admin(m, src.http->settings()->config, "Reload", error); r < 0)
            return r;
        const auto errors = src.reloader->reload();
        if (errors.empty()) return sd_bus_reply_method_return(m, nullptr);
        std::string text;
        for (const auto& e : errors)
            text += (text.empty() ? "" : "\n") + e;
        return sd_bus_error_setf(error, bus::kErrorConfigInvalid, "%s", text.c_str());
    });
}

constexpr auto kConst = SD_BUS_VTABLE_PROPERTY_CONST;
constexpr auto kEmits = SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE;
// Read access is open; the handlers of mutating methods check the caller themselves, so that
// the admin group works too (sd-bus's own check knows only CAP_SYS_ADMIN).
constexpr auto kOpen = SD_BUS_VTABLE_UNPRIVILEGED;

const sd_bus_vtable kHarnessVtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Version", "s", get_version, 0, kConst),
    SD_BUS_PROPERTY("StartedAt", "t", get_started_at, 0, kConst),
    SD_BUS_PROPERTY("Listen", "as", get_listen, 0, kConst),
    SD_BUS_PROPERTY("Ready", "b", get_ready, 0, kEmits),
    SD_BUS_PROPERTY("NotReadyReason", "s", get_not_ready_reason, 0, kEmits),
    SD_BUS_PROPERTY("ActiveJobs", "u", get_active_jobs, 0, 0),
    SD_BUS_PROPERTY("QueuedJobs", "u", get_queued_jobs, 0, 0),
    SD_BUS_PROPERTY("RequestsTotal", "t", get_requests_total, 0, 0),
    SD_BUS_PROPERTY("RequestsFailed", "t", get_requests_failed, 0, 0),
    SD_BUS_PROPERTY("ConfigPath", "s", get_config_path, 0, kConst),
    SD_BUS_PROPERTY("LastError", CH_BUS_LAST_ERROR_SIG, get_last_error, 0, 0),
    SD_BUS_METHOD_WITH_ARGS("ListProviders", SD_BUS_NO_ARGS,
                            SD_BUS_RESULT("a" CH_BUS_PROVIDER_SIG, providers), list_providers,
                            kOpen),
    SD_BUS_METHOD_WITH_ARGS("ListModels", SD_BUS_NO_ARGS,
                            SD_BUS_RESULT("a" CH_BUS_MODEL_SIG, models), list_models, kOpen),
    SD_BUS_METHOD_WITH_ARGS("ListJobs", SD_BUS_NO_ARGS, SD_BUS_RESULT("a" CH_BUS_JOB_SIG, jobs),
                            list_jobs, kOpen),
    SD_BUS_METHOD_WITH_ARGS("ListSessions", SD_BUS_NO_ARGS,
                            SD_BUS_RESULT("a" CH_BUS_SESSION_SIG, sessions), list_sessions, kOpen),
    SD_BUS_METHOD_WITH_ARGS("CancelJob", SD_BUS_ARGS("s", id), SD_BUS_NO_RESULT, cancel_job, kOpen),
    SD_BUS_METHOD_WITH_ARGS("Reload", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, reload, kOpen),
    SD_BUS_METHOD_WITH_ARGS("GetUsage", SD_BUS_NO_ARGS, SD_BUS_RESULT("a" CH_BUS_USAGE_SIG, usage),
                            get_usage, kOpen),
    SD_BUS_METHOD_WITH_ARGS("GetUsageReport", SD_BUS_ARGS("s", since, "s", by),
                            SD_BUS_RESULT("a" CH_BUS_USAGE_REPORT_SIG, groups, "t", skipped_lines),
                            get_usage_report, kOpen),
    SD_BUS_SIGNAL_WITH_ARGS("JobStarted",
                            SD_BUS_ARGS("s", id, "s", model, "s", provider, "s", client), 0),
    SD_BUS_SIGNAL_WITH_ARGS(
        "JobFinished",
        SD_BUS_ARGS("s", id, "s", outcome, "t", duration_us, "t", input_tokens, "t", output_tokens),
        0),
    SD_BUS_VTABLE_END,
};

}  // namespace

const sd_bus_vtable* harness_vtable() {
    return kHarnessVtable;
}

}  // namespace ch
