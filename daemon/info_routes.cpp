// GET /health, GET /ready, HEAD /, GET /v1/models[/{id}] (in Anthropic's shape for a client
// that sends anthropic-version).
#include <ctime>

#include <nlohmann/json.hpp>

#include "common/version.h"
#include "daemon/http_context.h"
#include "daemon/job_manager.h"
#include "daemon/provider_health.h"
#include "daemon/readiness.h"

namespace ch {
namespace {

using nlohmann::json;

json model_object(const ModelConfig& model, std::int64_t created) {
    return {{"id", model.id}, {"object", "model"}, {"created", created}, {"owned_by", "anthropic"}};
}

// Anthropic's model object; created_at is when the daemon started, as RFC 3339.
json anthropic_model(const std::string& id, std::int64_t created) {
    const auto time = static_cast<std::time_t>(created);
    std::tm utc{};
    gmtime_r(&time, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return {{"type", "model"}, {"id", id}, {"display_name", id}, {"created_at", stamp}};
}

void send_json(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(body.dump(), "application/json");
}

}  // namespace

std::string known_model_list(const Config& config) {
    std::string out;
    for (const auto& m : config.models) {
        if (!out.empty()) out += ", ";
        out += m.id;
        for (const auto& a : m.aliases)
            out += " (" + a + ")";
    }
    return out;
}

void register_info_routes(httplib::Server& server, HttpContext& ctx) {
    server.Get("/", [](const httplib::Request& req, httplib::Response& res) {
        if (req.method == "HEAD") {  // Claude Code probes its base URL first
            res.status = 200;
            return;
        }
        send_json(res, 200, {{"name", "claude-harness"}, {"version", kVersion}});
    });

    server.Get("/health", [&ctx](const httplib::Request&, httplib::Response& res) {
        const auto counts = ctx.jobs->counts();
        const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
            std::chrono::steady_clock::now() - ctx.started);
        send_json(res, 200,
                  {{"status", ctx.shutting_down ? "stopping" : "ok"},
                   {"version", kVersion},
                   {"uptime_seconds", uptime.count()},
                   {"active_jobs", counts.running},
                   {"queued_jobs", counts.queued},
                   {"requests_total", ctx.requests_total.load()},
                   {"requests_failed", ctx.requests_failed.load()}});
    });

    server.Get("/ready", [&ctx](const httplib::Request&, httplib::Response& res) {
        const Readiness state = readiness(ctx);
        json providers = json::array();
        for (const auto& s : state.providers) {
            providers.push_back({{"name", s.name},
                                 {"ready", s.ready},
                                 {"user", s.user},
                                 {"cli", s.executable},
                                 {"version", s.version},
                                 {"login", s.login},
                                 {"login_expires_ms", s.login_expires_ms},
                                 {"state", s.state},
                                 {"running", s.running},
                                 {"max_concurrent", s.max_concurrent},
                                 {"cooldown_until_ms", s.cooldown_until_ms},
                                 {"auth_failures", s.auth_failures},
                                 {"last_error", s.last_error},
                                 {"reason", s.reason}});
        }
        if (state.ready)
            send_json(res, 200, {{"status", "ready"}, {"providers", providers}});
        else
            send_json(
                res, 503,
                {{"status", "not_ready"}, {"reason", state.reason}, {"providers", providers}});
    });

    server.Get("/v1/models", [&ctx](const httplib::Request& req, httplib::Response& res) {
        const bool anthropic = anthropic_client(req);
        json data = json::array();
        for (const auto& m : ctx.settings()->config.models)
            data.push_back(anthropic ? anthropic_model(m.id, ctx.started_epoch)
                                     : model_object(m, ctx.started_epoch));
        if (!anthropic) return send_json(res, 200, {{"object", "list"}, {"data", data}});
        const json first = data.empty() ? json(nullptr) : data.front()["id"];
        const json last = data.empty() ? json(nullptr) : data.back()["id"];
        send_json(res, 200,
                  {{"data", data}, {"has_more", false}, {"first_id", first}, {"last_id", last}});
    });

    server.Get(R"(/v1/models/(.+))", [&ctx](const httplib::Request& req, httplib::Response& res) {
        const std::string name = req.matches[1];
        const auto settings = ctx.settings();
        if (settings->config.find_model(name) && anthropic_client(req))
            return send_json(res, 200, anthropic_model(name, ctx.started_epoch));
        if (const auto* model = settings->config.find_model(name)) {
            json object = model_object(*model, ctx.started_epoch);
            object["id"] = name;  // answer in the name the client asked for
            send_json(res, 200, object);
            return;
        }
        const std::string message = "The model '" + name + "' does not exist. Known models: " +
                                    known_model_list(settings->config);
        if (anthropic_client(req)) return send_client_error(req, res, 404, message);
        send_error(res, 404, message, "model_not_found", std::nullopt, "model");
    });

    auto not_allowed = [](const httplib::Request& req, httplib::Response& res) {
        const bool post_only = req.path == "/v1/chat/completions" || req.path == "/v1/messages";
        res.set_header("Allow", post_only ? "POST" : "GET, HEAD");
        send_client_error(req, res, 405, "Method " + req.method + " is not allowed on " + req.path,
                          "method_not_allowed");
    };
    for (const char* path : {"/v1/chat/completions", "/v1/messages"}) {
        server.Get(path, not_allowed);
        server.Put(path, not_allowed);
        server.Delete(path, not_allowed);
        server.Patch(path, not_allowed);
    }
    for (const char* path : {"/health", "/ready", "/v1/models", R"(/v1/models/(.+))"}) {
        server.Post(path, not_allowed);
        server.Put(path, not_allowed);
        server.Delete(path, not_allowed);
        server.Patch(path, not_allowed);
    }
}

}  // namespace ch
