// Which CLI session a chat request runs in: the one it names (`session_id` in the body or the
// X-Claude-Session header; "new" starts one), one whose answered history it extends (when
// [limits] session_auto_resume is on), a new one for any other multi-turn history, or none (a
// single message runs stateless, on a pre-started process if there is one). A continued
// session receives only the messages after the last assistant message, runs on the provider
// that holds it, and serves one request at a time: a second one gets 409. Requests with
// tools (or tool calls and results in their history) run stateless; naming a session with
// them is a 400.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/chat.h"
#include "common/config.h"
#include "daemon/job.h"
#include "daemon/job_watcher.h"
#include "daemon/session_store.h"

namespace ch {

struct SessionPlan {
    std::optional<JobSession> session;
    int status = 0;  // non-zero: refuse the request with this status, code and message
    std::string code;
    std::string message;
};

// Chooses the session and, when one is continued, cuts `request.messages` to the new turn and
// `providers` to the one that holds it. `asked` is the header's value, else the body's.
// Expired sessions are removed on the way, with the CLI's transcripts.
SessionPlan plan_session(SessionStore& store, const Config& config, const std::string& client,
                         const std::string& asked, const std::string& system, ChatRequest& request,
                         std::vector<ProviderConfig>& providers);

// Removes the sessions idle for longer than [limits] session_idle_timeout, with the CLI's
// transcripts; called on every request and by the daemon's main loop, so an idle daemon does
// not keep them.
void expire_sessions(SessionStore& store, const Config& config);

// Gives a job's session back when the job ends, recording the answered history.
class SessionReleaser : public JobWatcher {
  public:
    explicit SessionReleaser(SessionStore& store) : store_(store) {}
    void job_started(const Job&) override {}
    void job_finished(const Job& job, const JobOutcome& outcome) override;

  private:
    SessionStore& store_;
};

// Where the CLI of `provider` keeps the transcript of a session run in `dir`.
std::string transcript_dir(const ProviderConfig& provider, const std::string& home,
                           const std::string& dir);

}  // namespace ch
