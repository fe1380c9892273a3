// Background jobs: POST /v1/jobs starts a chat job that no connection owns, GET reads its
// status, GET .../events follows the CLI's stream-json lines as resumable Server-Sent Events,
// DELETE cancels it, GET /v1/jobs lists the caller's. Finished jobs stay readable for [limits]
// job_retention. Each job is seen only by the client that started it.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>

#include <nlohmann/json.hpp>

#include "common/openai.h"
#include "daemon/job_flow.h"
#include "daemon/job_store.h"

namespace ch {
namespace {

using json = nlohmann::json;

constexpr const char* kCancelledCode = "cancelled";

std::string status_name(const Job& job, const std::optional<JobOutcome>& outcome) {
    if (outcome) {
        if (outcome->ok) return "succeeded";
        return outcome->code == kCancelledCode ? "cancelled" : "failed";
    }
    return job.state() == JobState::Queued ? "queued" : "running";
}

json epoch_or_null(std::chrono::system_clock::time_point t) {
    if (t.time_since_epoch().count() == 0) return nullptr;
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

json job_json(const Job& job) {
    const auto outcome = job.outcome();
    json out = {{"id", job.id()},
                {"object", "job"},
                {"status", status_name(job, outcome)},
                {"model", job.spec().model.id},
                {"created_at", epoch_or_null(job.created())},
                {"started_at", epoch_or_null(job.started())},
                {"finished_at", epoch_or_null(job.finished_at())},
                {"result", nullptr},
                {"usage", nullptr},
                {"error", nullptr},
                {"session_id", nullptr}};
    if (job.spec().session) out["session_id"] = job.spec().session->id;
    if (auto agent = job.agent_summary()) out["agent"] = json::parse(agent->dump());
    if (outcome && outcome->ok) {
        out["result"] = outcome->reply.text;
        out["usage"] = json::parse(openai::usage_json(outcome->reply.usage));
    } else if (outcome) {
        out["error"] = {{"message", outcome->message},
                        {"code", outcome->code},
                        {"status", outcome->http_status}};
    }
    return out;
}

// A jobs body is a chat body whose `messages` may be given as `prompt` and `system` instead.
openai::ParseResult parse_job_request(const std::string& body) {
    openai::ParseResult bad;
    const json in = json::parse(body, nullptr, false);
    if (!in.is_object()) {
        bad.error = "the body must be a JSON object";
        return bad;
    }
    json chat = in;
    chat.erase("prompt");
    chat.erase("system");
    chat.erase("stream");  // a job is followed through its events, never streamed here
    const bool has_prompt = in.contains("prompt");
    if (has_prompt == in.contains("messages")) {
        bad.error = "give either 'prompt' or 'messages'";
        bad.param = "prompt";
        return bad;
    }
    if (in.contains("system") && !in["system"].is_string()) {
        bad.error = "system: expected a string";
        bad.param = "system";
        return bad;
    }
    if (has_prompt) {
        if (!in["prompt"].is_string()) {
            bad.error = "prompt: expected a string";
            bad.param = "prompt";
            return bad;
        }
        chat["messages"] = json::array({{{"role", "user"}, {"content", in["prompt"]}}});
    }
    if (in.contains("system")) {
        const json system = {{"role", "system"}, {"content", in["system"]}};
        chat["messages"].insert(chat["messages"].begin(), system);
    }
    auto parsed = openai::parse_chat_request(chat.dump());
    // A job's object has no place for tool calls: they would be lost.
    if (parsed.request && !parsed.request->tools.empty()) {
        bad.error =
            "tools: not supported for background jobs (use /v1/chat/completions or /v1/messages)";
        bad.param = "tools";
        return bad;
    }
    return parsed;
}

void send_json(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(body.dump(), "application/json");
}

void handle_create(HttpContext& ctx, JobStore& store, const httplib::Request& req,
                   httplib::Response& res) {
    ++ctx.requests_total;
    auto parsed = parse_job_request(req.body);
    if (!parsed.request) {
        ++ctx.requests_failed;
        return send_error(res, 400, parsed.error, "invalid_request", std::nullopt, parsed.param);
    }
    const Admission admitted = submit_chat(ctx, req, std::move(*parsed.request));
    if (!admitted.job)
        return send_error(res, admitted.status, admitted.message, admitted.code, std::nullopt,
                          admitted.param);
    const auto outcome = admitted.job->outcome();
    if (outcome && !outcome->ok) {  // refused at once: queue full or shutting down
        finish_log(ctx, *admitted.job, *outcome);
        return send_error(res, outcome->http_status, outcome->message, outcome->code,
                          outcome->retry_after);
    }
    store.add(admitted.job, admitted.settings->config.limits);
    const json body = {{"id", admitted.job->id()},
                       {"object", "job"},
                       {"status", status_name(*admitted.job, outcome)}};
    res.set_header("Location", "/v1/jobs/" + admitted.job->id());
    set_session_header(res, *admitted.job);
    send_json(res, 202, body);
}

// A job belongs to the client that started it (its API key, or its address without keys):
// another client is told it does not exist rather than that it is not theirs.
std::shared_ptr<Job> find_or_404(HttpContext& ctx, JobStore& store, const httplib::Request& req,
                                 httplib::Response& res) {
    const std::string id = req.matches[1];
    const auto settings = ctx.settings();
    auto job = store.find(id, settings->config.limits);
    if (job && job->spec().client != client_id(req, settings->keys)) job = nullptr;
    if (!job) send_error(res, 404, "No job with id '" + id + "'", "job_not_found", std::nullopt);
    return job;
}

constexpr long kDefaultListLimit = 100;
constexpr long kMaxListLimit = 1000;

// GET /v1/jobs[?status=S][&limit=N]: the caller's jobs, newest first.
void handle_list(HttpContext& ctx, JobStore& store, const httplib::Request& req,
                 httplib::Response& res) {
    const std::string status = req.get_param_value("status");
    static const std::vector<std::string> kStatuses = {"queued", "running", "succeeded", "failed",
                                                       "cancelled"};
    if (!status.empty() && std::find(kStatuses.begin(), kStatuses.end(), status) == kStatuses.end())
        return send_error(res, 400,
                          "status must be one of queued, running, succeeded, failed, cancelled",
                          "invalid_request", std::nullopt, "status");
    long limit = kDefaultListLimit;
    if (req.has_param("limit")) {
        const std::string given = req.get_param_value("limit");
        char* end = nullptr;
        limit = std::strtol(given.c_str(), &end, 10);
        if (given.empty() || *end != '\0' || limit < 1 || limit > kMaxListLimit)
            return send_error(res, 400,
                              "limit must be a number from 1 to " + std::to_string(kMaxListLimit),
                              "invalid_request", std::nullopt, "limit");
    }
    const auto settings = ctx.settings();
    json data = json::array();
    bool more = false;
    for (const auto& job : store.list(client_id(req, settings->keys), settings->config.limits)) {
        if (!status.empty() && status_name(*job, job->outcome()) != status) continue;
        if (static_cast<long>(data.size()) == limit) {
            more = true;
            break;
        }
        data.push_back(job_json(*job));
    }
    send_json(res, 200, {{"object", "list"}, {"data", std::move(data)}, {"has_more", more}});
}

// The SSE stream of one job's events after a position. Event n is the n-th stream-json line;
// the outcome is event (lines + 1), so a client that saw it gets nothing more. It never
// cancels the job: a client that goes away may come back with Last-Event-ID.
class JobEvents {
  public:
    JobEvents(std::shared_ptr<Job> job, std::size_t after, Duration keepalive)
        : job_(std::move(job)),
          next_(after),
          keepalive_(keepalive),
          last_write_(std::chrono::steady_clock::now()) {}

    bool pump(httplib::DataSink& sink) {
        using Clock = std::chrono::steady_clock;
        const auto wake = std::min(Clock::now() + kClientCheck, last_write_ + keepalive_);
        const Job::EventView view = job_->wait_events(next_, wake);
        std::string out;
        for (const auto& line : view.events)
            out += "id: " + std::to_string(++next_) + "\ndata: " + line + "\n\n";
        const bool done = view.outcome && view.events.empty();
        if (done && next_ == view.total)
            out += "id: " + std::to_string(next_ + 1) +
                   "\nevent: outcome\ndata: " + job_json(*job_).dump() + "\n\n";
        if (out.empty() && Clock::now() - last_write_ >= keepalive_) out = ": keep-alive\n\n";
        if (!sink.is_writable()) return false;
        if (!out.empty()) {
            if (!sink.write(out.data(), out.size())) return false;
            last_write_ = Clock::now();
        }
        if (done) sink.done();
        return true;
    }

  private:
    const std::shared_ptr<Job> job_;
    std::size_t next_;
    const Duration keepalive_;
    std::chrono::steady_clock::time_point last_write_;
};

void handle_events(HttpContext& ctx, JobStore& store, const httplib::Request& req,
                   httplib::Response& res) {
    auto job = find_or_404(ctx, store, req, res);
    if (!job) return;
    std::size_t after = 0;
    const std::string last = req.get_header_value("Last-Event-ID");
    if (!last.empty()) {
        try {
            after = std::stoul(last);
        } catch (const std::exception&) {
            return send_error(res, 400, "Last-Event-ID must be an event number", "invalid_request",
                              std::nullopt);
        }
    }
    auto stream =
        std::make_shared<JobEvents>(job, after, ctx.settings()->config.server.keepalive_interval);
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");
    // Exactly "text/event-stream": any parameter makes cpp-httplib compress and buffer it.
    res.set_chunked_content_provider(
        "text/event-stream",
        [stream](std::size_t, httplib::DataSink& sink) { return stream->pump(sink); });
}

}  // namespace

void register_jobs_routes(httplib::Server& server, HttpContext& ctx) {
    // One store for every listening address (setup runs for each, one after another).
    if (!ctx.job_store) ctx.job_store = std::make_shared<JobStore>();
    JobStore& store = *ctx.job_store;
    server.Post("/v1/jobs", [&ctx, &store](const httplib::Request& req, httplib::Response& res) {
        handle_create(ctx, store, req, res);
    });
    server.Get("/v1/jobs", [&ctx, &store](const httplib::Request& req, httplib::Response& res) {
        handle_list(ctx, store, req, res);
    });
    server.Get(R"(/v1/jobs/([^/]+))",
               [&ctx, &store](const httplib::Request& req, httplib::Response& res) {
                   if (const auto job = find_or_404(ctx, store, req, res))
                       send_json(res, 200, job_json(*job));
               });
    server.Get(R"(/v1/jobs/([^/]+)/events)",
               [&ctx, &store](const httplib::Request& req, httplib::Response& res) {
                   handle_events(ctx, store, req, res);
               });
    server.Delete(R"(/v1/jobs/([^/]+))",
                  [&ctx, &store](const httplib::Request& req, httplib::Response& res) {
                      const auto job = find_or_404(ctx, store, req, res);
                      if (!job) return;
                      if (!job->outcome())
                          ctx.jobs->cancel(job, "cancelled by the client", 499, kCancelledCode);
                      send_json(res, 200, job_json(*job));
                  });
}

}  // namespace ch
