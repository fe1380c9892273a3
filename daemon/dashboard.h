// The browser dashboard (GET /dashboard) and its live feed (GET /v1/events): what the routes
// share, the snapshot they serve, and the routes themselves.
#pragma once

#include <atomic>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace ch {

class ActivityRecorder;
class EventFeed;
class UsageHistory;
struct HttpContext;

struct DashboardSources {
    ActivityRecorder* activity = nullptr;
    EventFeed* feed = nullptr;
    const UsageHistory* history = nullptr;  // "today" and "7 days"; the recorder by default
    std::string chart_js;                   // the chart library's file, from a Debian package
    std::atomic<int> streams{0};            // open /v1/events streams
    static constexpr int kMaxStreams = 8;   // each holds an HTTP worker thread
};

// Everything the page shows at once; `minutes` of history (clamped to what is kept).
// `cancel` says whether this caller may cancel jobs, and if not why.
nlohmann::json dashboard_snapshot(HttpContext& ctx, std::size_t minutes,
                                  const nlohmann::json& cancel);

// The page and its assets need no key (they hold no data); the data and the feed go through
// the same authentication as the API.
bool dashboard_public(const httplib::Request& req);

void register_dashboard_routes(httplib::Server& server, HttpContext& ctx);

}  // namespace ch
