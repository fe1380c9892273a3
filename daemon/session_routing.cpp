#include "daemon/session_routing.h"

#include <algorithm>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "daemon/run_as.h"

namespace ch {
namespace {

std::vector<std::string> part_texts(const ChatMessage& message) {
    std::vector<std::string> out;
    for (const auto& part : message.parts)
        out.push_back(part.kind == ContentPart::Kind::Text ? part.text : part.data);
    return out;
}

std::uint64_t mix_messages(std::uint64_t h, const std::vector<ChatMessage>& messages,
                           std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i)
        h = history_mix(h, messages[i].role, part_texts(messages[i]));
    return h;
}

// Index of the first message after the last assistant message: where the new turn starts.
std::size_t new_turn_start(const std::vector<ChatMessage>& messages) {
    for (std::size_t i = messages.size(); i > 0; --i)
        if (messages[i - 1].role == "assistant") return i;
    return 0;
}

void remove_transcripts(const Config& config, const SessionStore& store,
                        const std::vector<SessionInfo>& gone) {
    for (const auto& info : gone) {
        spdlog::info("session {} expired", info.id);
        const ProviderConfig* provider = config.find_provider(info.provider);
        if (!provider) continue;
        std::string error;
        const auto who = resolve_run_as(provider->user, &error);
        if (!who) continue;
        std::error_code ec;
        std::filesystem::remove_all(
            transcript_dir(*provider, who->home, store.dir_of(info.provider, info.id)), ec);
    }
}

// Tools, tool calls or tool results: the CLI's transcript could not hold the client's side
// of them, so such requests always run stateless.
bool uses_tools(const ChatRequest& request) {
    return !request.tools.empty() ||
           std::any_of(request.messages.begin(), request.messages.end(), [](const auto& m) {
               return !m.tool_calls.empty() || !m.tool_results.empty();
           });
}

SessionPlan refuse(int status, std::string code, std::string message) {
    SessionPlan plan;
    plan.status = status;
    plan.code = std::move(code);
    plan.message = std::move(message);
    return plan;
}

}  // namespace

std::string transcript_dir(const ProviderConfig& provider, const std::string& home,
                           const std::string& dir) {
    const auto it = provider.env.find("CLAUDE_CONFIG_DIR");
    const std::string base = it != provider.env.end() ? it->second : home + "/.claude";
    // The CLI names a project after its working directory, every other character a '-'.
    std::string slug = dir;
    std::replace_if(
        slug.begin(), slug.end(), [](unsigned char c) { return !std::isalnum(c); }, '-');
    return base + "/projects/" + slug;
}

void expire_sessions(SessionStore& store, const Config& config) {
    if (config.limits.session_idle_timeout.count() == 0) return;
    store.set_idle_timeout(config.limits.session_idle_timeout);
    remove_transcripts(config, store, store.expire());
}

SessionPlan plan_session(SessionStore& store, const Config& config, const std::string& client,
                         const std::string& asked, const std::string& system, ChatRequest& request,
                         std::vector<ProviderConfig>& providers) {
    const LimitsConfig& limits = config.limits;
    if (uses_tools(request)) {
        if (asked.empty()) return {};
        return refuse(400, "invalid_request",
                      "tools cannot be combined with sessions: send the whole conversation "
                      "without session_id or X-Claude-Session");
    }
    if (limits.session_idle_timeout.count() == 0) {
        if (asked.empty()) return {};
        return refuse(400, "sessions_disabled",
                      "sessions are off on this server ([limits] session_idle_timeout = \"0\")");
    }
    expire_sessions(store, config);

    auto& messages = request.messages;
    const std::size_t turn = new_turn_start(messages);
    SessionLease lease;
    bool continued = false;
    if (!asked.empty() && asked != "new") {
        if (!is_session_id(asked))
            return refuse(400, "invalid_request",
                          "session_id: expected a session id (a UUID) or \"new\"");
        const auto claim = store.claim(asked, client, lease);
        if (claim == SessionStore::Claim::NotFound)
            return refuse(404, "session_not_found",
                          "no session " + asked + " (unknown, expired or another client's)");
        if (claim == SessionStore::Claim::Busy)
            return refuse(409, "session_busy",
                          "session " + asked +
                              " is answering another request; retry when it "
                              "has finished");
        continued = true;
    } else if (asked.empty() && turn > 0) {
        if (!limits.session_auto_resume) return {};
        const auto prefix = mix_messages(history_start(client, system), messages, 0, turn);
        if (auto found = store.claim_by_history(client, prefix)) {
            lease = std::move(*found);
            continued = true;
        }
    } else if (asked.empty()) {
        return {};  // a single message: stateless
    }

    JobSession session;
    if (!continued) {
        lease = store.create(client);
        session.history = mix_messages(history_start(client, system), messages, 0, messages.size());
    } else {
        const auto held = std::find_if(providers.begin(), providers.end(), [&](const auto& p) {
            return p.name == lease.info.provider;
        });
        if (held == providers.end()) {
            store.release(lease.info.id, lease.info.provider, false, 0);
            return refuse(503, "session_provider_unavailable",
                          "session " + lease.info.id + " is held by provider '" +
                              lease.info.provider + "', which cannot serve model '" +
                              request.model + "' now");
        }
        providers = {*held};
        session.history = mix_messages(lease.info.history, messages, turn, messages.size());
        messages.erase(messages.begin(), messages.begin() + static_cast<std::ptrdiff_t>(turn));
        session.resume = true;
    }
    session.id = lease.info.id;
    session.root = store.root();
    SessionPlan plan;
    plan.session = std::move(session);
    return plan;
}

void SessionReleaser::job_finished(const Job& job, const JobOutcome& outcome) {
    const auto& session = job.spec().session;
    if (!session) return;
    // The CLI says so when the transcript is gone; the session cannot be continued then.
    const bool lost = outcome.message.find("No conversation found") != std::string::npos;
    store_.release(session->id, job.provider_name(), outcome.ok,
                   history_mix(session->history, "assistant", {outcome.reply.text}), lost);
}

}  // namespace ch
