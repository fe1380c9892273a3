// What the HTTP routes share: the configuration in force, the job manager they submit to and
// the counters they keep. Routes never touch processes or the bus.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>

#include <httplib.h>

#include "common/config.h"
#include "daemon/metrics.h"
#include "daemon/settings.h"

namespace ch {

struct DashboardSources;
class JobManager;
class JobStore;
class ProviderHealth;
class ProviderPool;
class SessionStore;
class UsageLedger;
class WarmPool;

struct HttpContext {
    // The settings in force; a request takes one snapshot and keeps it to the end, so a
    // reload never changes a request half-way.
    std::shared_ptr<const Settings> settings() const {
        std::lock_guard guard(settings_mutex);
        return settings_;
    }
    void set_settings(std::shared_ptr<const Settings> settings) {
        std::lock_guard guard(settings_mutex);
        settings_ = std::move(settings);
    }

    JobManager* jobs = nullptr;
    ProviderHealth* health = nullptr;
    ProviderPool* pool = nullptr;  // health plus scheduling state; null in some tests
    UsageLedger* usage = nullptr;
    DashboardSources* dashboard = nullptr;  // null: no dashboard routes
    WarmPool* warm_pool = nullptr;          // null: no pre-started CLI processes
    std::shared_ptr<JobStore> job_store;    // the background jobs of /v1/jobs
    SessionStore* sessions = nullptr;       // null: every request is stateless
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    std::int64_t started_epoch = 0;

    std::atomic<bool> shutting_down{false};
    // Chat requests not yet fully answered; `answered` is notified when the last one is.
    std::mutex in_flight_mutex;
    std::condition_variable answered;
    int in_flight = 0;
    std::atomic<std::uint64_t> requests_total{0};
    std::atomic<std::uint64_t> requests_failed{0};
    MetricsRegistry metrics;  // what GET /metrics keeps between scrapes

  private:
    mutable std::mutex settings_mutex;
    std::shared_ptr<const Settings> settings_;
};

// The key a client presented, as "Authorization: Bearer KEY" or "x-api-key: KEY".
std::string presented_key(const httplib::Request& req);
// Who is asking, for logs and accounting: the key's id when keys are on, else the address.
std::string client_id(const httplib::Request& req, const ApiKeys& keys);

// Writes an OpenAI-shaped error (and Retry-After when given).
void send_error(httplib::Response& res, int status, const std::string& message,
                const std::string& code = "", std::optional<long> retry_after = std::nullopt,
                const std::string& param = "");

// The client speaks Anthropic's API: the path is /v1/messages... or it sent anthropic-version.
bool anthropic_client(const httplib::Request& req);
// send_error in the client's dialect: Anthropic's {"type":"error","error":{...}} or OpenAI's.
void send_client_error(const httplib::Request& req, httplib::Response& res, int status,
                       const std::string& message, const std::string& code = "");

// "claude-sonnet (sonnet), claude-opus (opus)": for "unknown model" errors.
std::string known_model_list(const Config& config);

void register_info_routes(httplib::Server& server, HttpContext& ctx);
void register_chat_routes(httplib::Server& server, HttpContext& ctx);
void register_messages_routes(httplib::Server& server, HttpContext& ctx);
void register_jobs_routes(httplib::Server& server, HttpContext& ctx);

}  // namespace ch
