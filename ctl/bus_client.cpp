#include "ctl/bus_client.h"

#include <cstring>
#include <memory>

#include "common/bus_names.h"
#include "ctl/exit_codes.h"

namespace ch::ctl {
namespace {

using MessagePtr = std::unique_ptr<sd_bus_message, sd_bus_message* (*)(sd_bus_message*)>;

struct ErrorGuard {
    sd_bus_error e = SD_BUS_ERROR_NULL;
    ~ErrorGuard() { sd_bus_error_free(&e); }
};

constexpr const char* kStartHint =
    "claude-harnessd is not running (start it with `systemctl start claude-harness`; "
    "`claude-harnessctl doctor` checks what usually goes wrong)";

// The daemon went away between calls, or never answered.
bool means_not_running(const char* name) {
    return name && (std::strcmp(name, SD_BUS_ERROR_SERVICE_UNKNOWN) == 0 ||
                    std::strcmp(name, SD_BUS_ERROR_NAME_HAS_NO_OWNER) == 0 ||
                    std::strcmp(name, SD_BUS_ERROR_NO_REPLY) == 0 ||
                    std::strcmp(name, SD_BUS_ERROR_DISCONNECTED) == 0);
}

[[noreturn]] void throw_call_error(const char* what, const sd_bus_error& e, int r) {
    if (means_not_running(e.name)) throw BusError(kNotRunning, kStartHint, e.name);
    std::string message = e.message ? e.message : std::strerror(-r);
    if (e.name && std::strcmp(e.name, SD_BUS_ERROR_ACCESS_DENIED) == 0)
        message += " (run it as root, e.g. with sudo)";
    throw BusError(kFailure, std::string(what) + ": " + message, e.name ? e.name : "");
}

void check(int r, const char* what) {
    if (r < 0)
        throw BusError(kFailure,
                       std::string("malformed reply to ") + what + ": " + std::strerror(-r));
}

std::string read_string(sd_bus_message* m) {
    const char* s = nullptr;
    check(sd_bus_message_read(m, "s", &s), "a string");
    return s ? s : "";
}

}  // namespace

BusClient::BusClient() {
    const int r = sd_bus_open_system(&bus_);
    if (r < 0)  // sd_bus_open_system() frees what it made on failure
        throw BusError(kNotRunning, std::string("cannot reach the system bus: ") +
                                        std::strerror(-r) + "; " + kStartHint);
    ErrorGuard error;
    sd_bus_message* raw = nullptr;
    const int q = sd_bus_call_method(bus_, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "NameHasOwner", &error.e, &raw, "s",
                                     bus::kService);
    MessagePtr reply(raw, sd_bus_message_unref);
    int owned = 0;
    if (q < 0 || sd_bus_message_read(reply.get(), "b", &owned) < 0 || !owned) {
        bus_ = sd_bus_flush_close_unref(bus_);  // the destructor does not run after a throw
        throw BusError(kNotRunning, kStartHint);
    }
}

BusClient::~BusClient() {
    sd_bus_flush_close_unref(bus_);
}

sd_bus_message* BusClient::call(const char* method, const char* signature, const char* argument) {
    ErrorGuard error;
    sd_bus_message* reply = nullptr;
    const int r = signature
                      ? sd_bus_call_method(bus_, bus::kService, bus::kObjectPath, bus::kInterface,
                                           method, &error.e, &reply, signature, argument)
                      : sd_bus_call_method(bus_, bus::kService, bus::kObjectPath, bus::kInterface,
                                           method, &error.e, &reply, nullptr);
    if (r < 0) throw_call_error(method, error.e, r);
    return reply;
}

DaemonState BusClient::state() {
    DaemonState s;
    auto get = [&](const char* name, char type, void* out) {
        ErrorGuard error;
        const int r = sd_bus_get_property_trivial(bus_, bus::kService, bus::kObjectPath,
                                                  bus::kInterface, name, &error.e, type, out);
        if (r < 0) throw_call_error(name, error.e, r);
    };
    auto get_string = [&](const char* name) {
        ErrorGuard error;
        char* value = nullptr;
        const int r = sd_bus_get_property_string(bus_, bus::kService, bus::kObjectPath,
                                                 bus::kInterface, name, &error.e, &value);
        if (r < 0) throw_call_error(name, error.e, r);
        std::string out = value;
        free(value);
        return out;
    };
    s.version = get_string("Version");
    s.not_ready_reason = get_string("NotReadyReason");
    s.config_path = get_string("ConfigPath");
    int ready = 0;
    get("Ready", 'b', &ready);
    s.ready = ready;
    get("StartedAt", 't', &s.started_us);
    get("ActiveJobs", 'u', &s.active_jobs);
    get("QueuedJobs", 'u', &s.queued_jobs);
    get("RequestsTotal", 't', &s.requests_total);
    get("RequestsFailed", 't', &s.requests_failed);

    ErrorGuard error;
    char** listen = nullptr;
    int r = sd_bus_get_property_strv(bus_, bus::kService, bus::kObjectPath, bus::kInterface,
                                     "Listen", &error.e, &listen);
    if (r < 0) throw_call_error("Listen", error.e, r);
    for (char** l = listen; l && *l; ++l) {
        s.listen.emplace_back(*l);
        free(*l);
    }
    free(listen);

    sd_bus_message* raw = nullptr;
    r = sd_bus_get_property(bus_, bus::kService, bus::kObjectPath, bus::kInterface, "LastError",
                            &error.e, &raw, CH_BUS_LAST_ERROR_SIG);
    if (r < 0) throw_call_error("LastError", error.e, r);
    MessagePtr reply(raw, sd_bus_message_unref);
    const char *id = nullptr, *text = nullptr;
    // sd_bus_get_property() leaves the reply positioned inside the variant.
    check(sd_bus_message_read(reply.get(), CH_BUS_LAST_ERROR_SIG, &s.last_error.at_us, &id, &text),
          "LastError");
    s.last_error.job_id = id;
    s.last_error.text = text;
    return s;
}

// Reads an array reply element by element with `read_one`, which returns false at the end.
template <typename T, typename ReadOne>
std::vector<T> read_array(sd_bus_message* raw, const char* element, ReadOne read_one) {
    MessagePtr reply(raw, sd_bus_message_unref);
    std::vector<T> out;
    check(sd_bus_message_enter_container(reply.get(), 'a', element), element);
    for (T item; read_one(reply.get(), item);)
        out.push_back(std::move(item));
    check(sd_bus_message_exit_container(reply.get()), element);
    return out;
}

std::vector<ProviderInfo> BusClient::providers() {
    return read_array<ProviderInfo>(
        call("ListProviders"), CH_BUS_PROVIDER_SIG, [](sd_bus_message* m, ProviderInfo& p) {
            const char *name, *user, *path, *version, *login, *error, *state;
            int ready = 0;
            ProviderInfo in;
            const int r = sd_bus_message_read(m, CH_BUS_PROVIDER_SIG, &name, &user, &path, &version,
                                              &login, &in.login_expires_us, &ready, &error, &state,
                                              &in.cooldown_until_us, &in.running,
                                              &in.max_concurrent, &in.auth_failures);
            check(r, "ListProviders");
            if (r == 0) return false;
            p = {name,
                 user,
                 path,
                 version,
                 login,
                 in.login_expires_us,
                 ready != 0,
                 error,
                 state,
                 in.cooldown_until_us,
                 in.running,
                 in.max_concurrent,
                 in.auth_failures};
            return true;
        });
}

std::vector<ModelInfo> BusClient::models() {
    return read_array<ModelInfo>(call("ListModels"), CH_BUS_MODEL_SIG,
                                 [](sd_bus_message* m, ModelInfo& model) {
                                     const int r = sd_bus_message_enter_container(m, 'r', "sssas");
                                     check(r, "ListModels");
                                     if (r == 0) return false;
                                     model = {read_string(m), read_string(m), read_string(m), {}};
                                     check(sd_bus_message_enter_container(m, 'a', "s"), "aliases");
                                     const char* alias = nullptr;
                                     while (sd_bus_message_read(m, "s", &alias) > 0)
                                         model.aliases.emplace_back(alias);
                                     check(sd_bus_message_exit_container(m), "aliases");
                                     check(sd_bus_message_exit_container(m), "ListModels");
                                     return true;
                                 });
}

std::vector<JobInfo> BusClient::jobs() {
    return read_array<JobInfo>(call("ListJobs"), CH_BUS_JOB_SIG, [](sd_bus_message* m, JobInfo& j) {
        const char *id, *model, *provider, *state, *client;
        const int r = sd_bus_message_read(m, CH_BUS_JOB_SIG, &id, &model, &provider, &state,
                                          &client, &j.created_us, &j.started_us, &j.pid);
        check(r, "ListJobs");
        if (r == 0) return false;
        j.id = id;
        j.model = model;
        j.provider = provider;
        j.state = state;
        j.client = client;
        return true;
    });
}

std::vector<SessionInfo> BusClient::sessions() {
    return read_array<SessionInfo>(
        call("ListSessions"), CH_BUS_SESSION_SIG, [](sd_bus_message* m, SessionInfo& s) {
            const char *id, *provider, *client;
            int busy = 0;
            const int r = sd_bus_message_read(m, CH_BUS_SESSION_SIG, &id, &provider, &client,
                                              &s.last_used_us, &busy);
            check(r, "ListSessions");
            if (r == 0) return false;
            s.id = id;
            s.provider = provider;
            s.client = client;
            s.busy = busy != 0;
            return true;
        });
}

std::vector<UsageInfo> BusClient::usage() {
    return read_array<UsageInfo>(
        call("GetUsage"), CH_BUS_USAGE_SIG, [](sd_bus_message* m, UsageInfo& u) {
            const char *model, *provider;
            const int r = sd_bus_message_read(m, CH_BUS_USAGE_SIG, &model, &provider, &u.requests,
                                              &u.failed, &u.input_tokens, &u.output_tokens,
                                              &u.cache_read_tokens, &u.cache_creation_tokens);
            check(r, "GetUsage");
            if (r == 0) return false;
            u.model = model;
            u.provider = provider;
            return true;
        });
}

void BusClient::cancel(const std::string& id) {
    sd_bus_message_unref(call("CancelJob", "s", id.c_str()));
}

void BusClient::reload() {
    sd_bus_message_unref(call("Reload"));
}

}  // namespace ch::ctl
