// GET /dashboard and its assets, GET /dashboard/api/state, POST /dashboard/api/jobs/{id}/cancel
// and the live feed GET /v1/events.
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "daemon/activity_recorder.h"
#include "daemon/admin_rule.h"
#include "daemon/dashboard.h"
#include "daemon/dashboard_assets.h"
#include "daemon/event_feed.h"
#include "daemon/http_context.h"
#include "daemon/job.h"
#include "daemon/job_manager.h"
#include "daemon/socket_owner.h"

namespace ch {
namespace {

using nlohmann::json;

constexpr std::string_view kAssetPrefix = "/dashboard/assets/";
constexpr std::string_view kChartAsset = "chart.js";

// Nothing but the daemon's own files: no inline script or style, no other origin.
void secure_headers(httplib::Response& res) {
    res.set_header("Content-Security-Policy",
                   "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                   "connect-src 'self'; base-uri 'none'; form-action 'none'; "
                   "frame-ancestors 'none'");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
}

// The chart library's file, read once; empty when it cannot be read.
const std::string& chart_library(const std::string& path) {
    static const std::string text = [&] {
        std::ifstream in(path);
        std::ostringstream out;
        if (in) out << in.rdbuf();
        if (!in) spdlog::warn("dashboard: cannot read the chart library {}", path);
        return out.str();
    }();
    return text;
}

void serve_asset(const DashboardSources& dash, const httplib::Request& req,
                 httplib::Response& res) {
    secure_headers(res);
    const std::string name = req.path.substr(kAssetPrefix.size());
    if (name == kChartAsset) {
        const std::string& text = chart_library(dash.chart_js);
        if (text.empty())
            return send_error(res, 500,
                              "The chart library " + dash.chart_js +
                                  " is missing: install the package libjs-chart.js.",
                              "chart_library_missing");
        res.set_header("Cache-Control", "max-age=86400");
        return res.set_content(text, "text/javascript; charset=utf-8");
    }
    const DashboardAsset* asset = find_dashboard_asset(name);
    if (asset == nullptr || name == "index.html")
        return send_error(res, 404, "Unknown path: GET " + req.path, "not_found");
    res.set_header("Cache-Control", "no-cache");
    res.set_content(std::string(asset->body), std::string(asset->content_type));
}

// Cancelling needs what CancelJob over the bus needs: root or the admin group, never a run-as
// user. Over HTTP the caller's user is the owner of the connection's other end in the kernel's
// socket table, so only browsers on this host can qualify.
AdminVerdict cancel_permission(HttpContext& ctx, const httplib::Request& req) {
    const auto uid =
        local_peer_uid({req.remote_addr, req.remote_port}, {req.local_addr, req.local_port});
    if (!uid)
        return {false,
                "Cancelling is allowed only from a browser on the daemon's host, run by root or "
                "a member of the admin group; elsewhere use 'claude-harnessctl cancel'."};
    return admin_verdict(*uid, groups_of_user(*uid), ctx.settings()->config, "Cancelling a job");
}

// A page of another site cannot send this header without a CORS preflight, which is never
// answered, and a rebound host name shows in Origin.
bool same_origin_request(const httplib::Request& req) {
    if (req.get_header_value("X-Harness-Dashboard") != "1") return false;
    const std::string origin = req.get_header_value("Origin");
    return origin.empty() || origin == "http://" + req.get_header_value("Host");
}

void cancel_job(HttpContext& ctx, const httplib::Request& req, httplib::Response& res) {
    secure_headers(res);
    if (!same_origin_request(req))
        return send_error(res, 403, "Cancel requests must come from the dashboard page.",
                          "forbidden");
    const AdminVerdict verdict = cancel_permission(ctx, req);
    if (!verdict.allowed) {
        spdlog::info("dashboard: cancel refused for {}: {}", req.remote_addr, verdict.reason);
        return send_error(res, 403, verdict.reason, "forbidden");
    }
    const std::string id = req.matches[1];
    for (const auto& job : ctx.jobs->jobs()) {
        if (job->id() != id) continue;
        spdlog::info("job {}: cancelled from the dashboard by {}", id, req.remote_addr);
        // 410 rather than 5xx: SDKs retry 5xx, and a retry would undo the cancel.
        ctx.jobs->cancel(job, "the job was cancelled by an operator", 410, "cancelled");
        return res.set_content(json{{"id", id}, {"cancelled", true}}.dump(), "application/json");
    }
    send_error(res, 404, "No queued or running job '" + id + "'.", "not_found");
}

std::string sse_event(const FeedEvent& e) {
    return "id: " + std::to_string(e.seq) + "\nevent: " + e.type + "\ndata: " + e.data.dump() +
           "\n\n";
}

void serve_events(HttpContext& ctx, const httplib::Request& req, httplib::Response& res) {
    DashboardSources& dash = *ctx.dashboard;
    if (dash.streams.fetch_add(1) >= DashboardSources::kMaxStreams) {
        dash.streams.fetch_sub(1);
        return send_error(res, 503,
                          "Too many open event streams (at most " +
                              std::to_string(DashboardSources::kMaxStreams) + ").",
                          "too_many_streams", 5);
    }
    secure_headers(res);
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");
    // A reconnecting client resumes after the last event it saw, if still kept.
    std::uint64_t last = dash.feed->last_seq();
    if (req.has_header("Last-Event-ID")) {
        try {
            last =
                std::min<std::uint64_t>(last, std::stoull(req.get_header_value("Last-Event-ID")));
        } catch (...) {
        }
    }
    struct Cursor {
        std::uint64_t seq;
        std::uint64_t tick = 0;
        bool hello = false;
    };
    auto cursor = std::make_shared<Cursor>(Cursor{last});
    // Exactly "text/event-stream": any parameter makes cpp-httplib compress and buffer it.
    res.set_chunked_content_provider(
        "text/event-stream",
        [&ctx, &dash, cursor](std::size_t, httplib::DataSink& sink) {
            std::string out;
            if (!cursor->hello) {
                cursor->hello = true;
                out = "retry: 2000\nevent: hello\ndata: " +
                      json{{"last_seq", cursor->seq}, {"started_ms", ctx.started_epoch * 1000}}
                          .dump() +
                      "\n\n";
            }
            const auto view =
                dash.feed->wait(cursor->seq, cursor->tick,
                                std::chrono::steady_clock::now() + std::chrono::seconds(1));
            if (view.closed || ctx.shutting_down) {
                sink.done();
                return true;
            }
            for (const auto& e : view.events)
                out += sse_event(e);
            cursor->seq = view.last_seq;
            if (!view.tick.is_null()) out += "event: tick\ndata: " + view.tick.dump() + "\n\n";
            cursor->tick = view.tick_seq;
            if (out.empty()) out = ": keepalive\n\n";
            if (!sink.is_writable()) return false;
            return sink.write(out.data(), out.size());
        },
        [&dash](bool) { dash.streams.fetch_sub(1); });
}

}  // namespace

bool dashboard_public(const httplib::Request& req) {
    if (req.method != "GET" && req.method != "HEAD") return false;
    return req.path == "/dashboard" || req.path == "/dashboard/" ||
           req.path.rfind(kAssetPrefix, 0) == 0;
}

void register_dashboard_routes(httplib::Server& server, HttpContext& ctx) {
    if (ctx.dashboard == nullptr) return;
    const DashboardSources& dash = *ctx.dashboard;
    auto page = [](const httplib::Request&, httplib::Response& res) {
        secure_headers(res);
        res.set_header("Cache-Control", "no-cache");
        const DashboardAsset* index = find_dashboard_asset("index.html");
        res.set_content(std::string(index->body), std::string(index->content_type));
    };
    server.Get("/dashboard", page);
    server.Get("/dashboard/", page);
    server.Get(R"(/dashboard/assets/[A-Za-z0-9_.-]+)",
               [&dash](const httplib::Request& req, httplib::Response& res) {
                   serve_asset(dash, req, res);
               });
    server.Get("/dashboard/api/state", [&ctx](const httplib::Request& req, httplib::Response& res) {
        secure_headers(res);
        res.set_header("Cache-Control", "no-store");
        std::size_t minutes = 180;
        if (req.has_param("minutes")) {
            try {
                minutes = std::clamp<std::size_t>(std::stoul(req.get_param_value("minutes")), 1,
                                                  ActivityRecorder::kMinutes);
            } catch (...) {
                return send_error(res, 400, "minutes must be a whole number", "invalid_request");
            }
        }
        const AdminVerdict verdict = cancel_permission(ctx, req);
        const json cancel = {{"allowed", verdict.allowed}, {"reason", verdict.reason}};
        res.set_content(dashboard_snapshot(ctx, minutes, cancel).dump(), "application/json");
    });
    server.Post(
        R"(/dashboard/api/jobs/([A-Za-z0-9_-]+)/cancel)",
        [&ctx](const httplib::Request& req, httplib::Response& res) { cancel_job(ctx, req, res); });
    server.Get("/v1/events", [&ctx](const httplib::Request& req, httplib::Response& res) {
        serve_events(ctx, req, res);
    });
}

}  // namespace ch
