// One chat request's run of the CLI, shared between the transport that waits for it and the
// runner that drives the process. Deltas are kept in order so any number of readers can follow
// from any position.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/chat.h"
#include "common/config.h"
#include "common/reply_assembler.h"
#include "daemon/agent_activity.h"

namespace ch {

// The CLI session a job runs in (see session_store.h): it starts the session with
// --session-id or continues it with --resume, in the session's own working directory.
struct JobSession {
    std::string id;
    std::string root;  // <root>/<provider>/<id> is the working directory
    bool resume = false;
    std::uint64_t history = 0;  // hash of the conversation through the job's prompt
};

// Where an agent-mode job works: canonical directories within its model's allowed roots.
struct AgentRun {
    std::string cwd;
    std::vector<std::string> add_dirs;  // --add-dir
};

struct JobSpec {
    ChatRequest request;
    ModelConfig model;
    std::vector<ProviderConfig> providers;  // that may serve it, in the model's order
    std::string client;                     // who asked (key id or address): fairness, limits, logs
    std::string conversation;  // which conversation it continues, to keep it on one provider
    LimitsConfig limits;       // in force when the job was submitted; a reload never changes it
    std::optional<JobSession> session;  // none: a stateless run
    std::optional<AgentRun> agent;      // set exactly when model.agent is
};

enum class JobState { Queued, Running, Finished };

struct JobOutcome {
    bool ok = false;
    int http_status = 200;
    std::string code;  // machine-readable reason on failure: "usage_limit", "timeout", ...
    std::string message;
    std::optional<long> retry_after;  // seconds, for 429
    ReplyOutcome reply;               // text, stop_reason and usage when ok
};

class Job {
  public:
    Job(std::string id, JobSpec spec);
    ~Job();
    Job(const Job&) = delete;
    Job& operator=(const Job&) = delete;

    const std::string& id() const { return id_; }
    const JobSpec& spec() const { return spec_; }
    std::chrono::system_clock::time_point created() const { return created_; }
    std::chrono::steady_clock::time_point submitted() const { return submitted_; }
    // When its CLI was started; the epoch while queued.
    std::chrono::system_clock::time_point started() const;

    // The provider it runs on (or last ran on); the first candidate until it is dispatched.
    ProviderConfig provider() const;
    std::string provider_name() const;
    // Manager side: dispatched to `provider`; and back to the queue for another provider.
    void assign_provider(ProviderConfig provider);
    void requeue();

    // Runner side.
    void mark_running(pid_t pid);
    void push(ReplyDelta delta);
    void finish(JobOutcome outcome);  // first call wins
    // One raw stream-json line from the CLI, kept for the jobs API's event stream. Bounded:
    // past kMaxEvents events or kMaxEventBytes bytes later lines are dropped and counted.
    void push_event(std::string_view line);
    static constexpr std::size_t kMaxEvents = 10000;
    static constexpr std::size_t kMaxEventBytes = 8u << 20;

    // Reader side: what happened after the first `from` deltas, waiting until there is
    // something new or `deadline` passes.
    struct View {
        JobState state = JobState::Queued;
        std::vector<ReplyDelta> deltas;
        std::optional<JobOutcome> outcome;
    };
    View wait(std::size_t from, std::chrono::steady_clock::time_point deadline);
    // The raw events after the first `from`, waiting like wait().
    struct EventView {
        std::vector<std::string> events;
        std::optional<JobOutcome> outcome;
        std::size_t total = 0;  // events recorded so far
        std::size_t dropped = 0;
    };
    EventView wait_events(std::size_t from, std::chrono::steady_clock::time_point deadline);
    // An agent-mode job's activity so far (see agent_activity.h); nullopt for other jobs.
    std::optional<nlohmann::ordered_json> agent_summary() const;
    // When the outcome was set; the epoch until then.
    std::chrono::system_clock::time_point finished_at() const;
    JobState state() const;
    pid_t pid() const;  // the CLI's, once running
    std::optional<JobOutcome> outcome() const;
    bool has_text() const;  // any non-empty text delta so far (thinking does not count)
    bool shown() const;     // any text or thinking delta: a client may have seen something
    // When the first non-empty text delta arrived; the epoch until then.
    std::chrono::steady_clock::time_point first_text() const;

    // Asks the runner to stop the CLI; idempotent. The reason becomes the outcome's message.
    void cancel(const std::string& reason, int http_status, const std::string& code);
    bool cancel_requested() const { return cancelled_.load(); }
    int cancel_fd() const { return cancel_fd_; }  // readable once cancel() was called
    JobOutcome cancel_outcome() const;

  private:
    const std::string id_;
    const JobSpec spec_;
    const std::chrono::system_clock::time_point created_;
    const std::chrono::steady_clock::time_point submitted_;

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    JobState state_ = JobState::Queued;
    pid_t pid_ = 0;
    ProviderConfig provider_;
    std::chrono::system_clock::time_point started_{};
    std::vector<ReplyDelta> deltas_;
    std::vector<std::string> events_;
    std::size_t event_bytes_ = 0;
    std::size_t events_dropped_ = 0;
    AgentActivity agent_activity_;
    bool separate_text_ = false;  // a tool result came since the last text delta
    std::chrono::system_clock::time_point finished_at_{};
    bool has_text_ = false;
    bool shown_ = false;
    std::chrono::steady_clock::time_point first_text_{};
    std::optional<JobOutcome> outcome_;

    std::atomic<bool> cancelled_{false};
    JobOutcome cancel_outcome_;
    int cancel_fd_ = -1;
};

// A random id fit for URLs and logs, e.g. "8f14e45fceea167a5a36dedd".
std::string new_job_id();

}  // namespace ch
