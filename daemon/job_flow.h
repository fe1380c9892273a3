// The part of a chat request every HTTP dialect shares: admission (model, provider readiness,
// submission), in-flight accounting, waiting while watching the client, and the final log line.
// Dialects only parse and render.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <httplib.h>

#include "common/chat.h"
#include "daemon/connection_probe.h"
#include "daemon/http_context.h"
#include "daemon/job.h"
#include "daemon/job_manager.h"

namespace ch {

// How often a waiting request checks whether its client is still there.
constexpr std::chrono::milliseconds kClientCheck{250};

// Counts a request as in flight until the last holder (handler or stream) lets go.
class InFlight {
  public:
    explicit InFlight(HttpContext& ctx);
    ~InFlight();
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

  private:
    HttpContext& ctx_;
};

// A submitted job, or why none was: status 404 (unknown model, `param` "model") or 503.
struct Admission {
    std::shared_ptr<Job> job;
    const ModelConfig* model = nullptr;  // valid while `settings` is held
    std::shared_ptr<const Settings> settings;
    int status = 0;
    std::string message;
    std::string code;
    std::string param;
};
Admission submit_chat(HttpContext& ctx, const httplib::Request& req, ChatRequest request);

// Names the CLI session a request continues, and the one its answer belongs to.
constexpr const char* kSessionHeader = "X-Claude-Session";
// Tells the client which session the job ran in, if any.
void set_session_header(httplib::Response& res, const Job& job);

// Counts a failure and logs how the job ended.
void finish_log(HttpContext& ctx, const Job& job, const JobOutcome& outcome);

// Asks the runner to stop a job whose client went away.
void cancel_for_client(HttpContext& ctx, const std::shared_ptr<Job>& job);

// Waits for the job, cancelling it if the client disconnects. `until` sees each view with the
// deltas that are new since the last one and may stop the wait early.
template <typename Until>
Job::View wait_watching_client(HttpContext& ctx, const std::shared_ptr<Job>& job,
                               const ConnectionProbe& probe, Until until) {
    using Clock = std::chrono::steady_clock;
    std::size_t seen = 0;
    for (;;) {
        Job::View view = job->wait(seen, Clock::now() + kClientCheck);
        if (view.outcome || until(view)) return view;
        seen += view.deltas.size();
        if (probe.peer_gone()) {
            cancel_for_client(ctx, job);
            for (;;) {  // the runner finishes a cancelled job within its signal grace periods
                view = job->wait(seen, Clock::now() + std::chrono::seconds(1));
                if (view.outcome) return view;
                seen += view.deltas.size();
            }
        }
    }
}

// The probe for the connection `req` came on.
ConnectionProbe probe_for(const httplib::Request& req);

// Waits until a stream must commit to 200: text or thinking arrived or a keep-alive is due.
// A failure before that (usage limit, queue full, CLI error) is returned, logged, to be sent
// with its own status; text already produced is streamed even when the job failed after it.
std::optional<JobOutcome> failure_before_stream(HttpContext& ctx, const std::shared_ptr<Job>& job,
                                                const ConnectionProbe& probe, Duration keepalive);

// Follows a job as Server-Sent Events; a dialect renders the opening, each delta, the end and
// the keep-alive. Holds the request in flight until the stream ends.
class JobEventStream {
  public:
    JobEventStream(HttpContext& ctx, std::shared_ptr<Job> job, Duration keepalive);
    virtual ~JobEventStream() = default;
    JobEventStream(const JobEventStream&) = delete;
    JobEventStream& operator=(const JobEventStream&) = delete;

    // One call of cpp-httplib's content provider: blocks briefly, writes what is new.
    bool pump(httplib::DataSink& sink);

  protected:
    // The first event(s), written at once: asked after the first view's deltas were rendered
    // but written before them.
    virtual std::string opening() = 0;
    virtual std::string on_delta(const ReplyDelta& delta) = 0;
    virtual std::string finale(const JobOutcome& outcome) = 0;
    virtual std::string keepalive_event() const = 0;

    HttpContext& ctx_;
    const std::shared_ptr<Job> job_;

  private:
    bool client_gone();

    const Duration keepalive_;
    InFlight in_flight_;
    bool opened_ = false;
    std::size_t next_ = 0;
    std::chrono::steady_clock::time_point last_write_;
};

// Answers `res` with the stream as uncompressed text/event-stream.
void serve_event_stream(httplib::Response& res, std::shared_ptr<JobEventStream> stream);

}  // namespace ch
