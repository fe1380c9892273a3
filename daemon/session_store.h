// Conversations the CLI keeps itself (--session-id, then --resume), so a client continues one
// by id instead of resending the history as text. Each session has a working directory
// <root>/<provider>/<id>/ (the CLI finds its transcript by working directory) and a metadata
// file <root>/<provider>/<id>.json next to it, read again at start. A session belongs to the
// client that started it, runs on the provider that holds its transcript, serves one request
// at a time and is forgotten after an idle time.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ch {

struct SessionInfo {
    std::string id;        // the CLI's session id, a UUID
    std::string provider;  // "" until its first run picked one
    std::string client;
    std::uint64_t history = 0;  // history_hash of the conversation through its last answer
    std::chrono::system_clock::time_point last_used{};
    bool started = false;  // the CLI has answered in it at least once: --resume, not --session-id
};

// What a request holds while it runs in a session; given back with SessionStore::release.
struct SessionLease {
    SessionInfo info;
};

class SessionStore {
  public:
    // Reads the metadata under `root` (created if missing); unreadable files are skipped.
    SessionStore(std::string root, std::chrono::milliseconds idle_timeout);

    void set_idle_timeout(std::chrono::milliseconds idle_timeout);
    const std::string& root() const { return root_; }

    enum class Claim { Ok, NotFound, Busy };
    // The session `id` of `client`, marked busy until released. Another client's, or an
    // expired one, is NotFound.
    Claim claim(const std::string& id, const std::string& client, SessionLease& lease);
    // The idle session of `client` whose answered history hashes to `history`, marked busy.
    std::optional<SessionLease> claim_by_history(const std::string& client, std::uint64_t history);
    // A new busy session of `client`, not yet started; its first run picks the provider.
    SessionLease create(const std::string& client);
    // The request in the session ended, on `provider`. Answered: the history now hashes to
    // `history` and the session is started. Not answered: a session never started is
    // forgotten, and so is one the CLI no longer has (`lost`); others stay as they were.
    void release(const std::string& id, const std::string& provider, bool answered,
                 std::uint64_t history, bool lost = false);

    // The CLI's working directory for session `id` on `provider`.
    std::string dir_of(const std::string& provider, const std::string& id) const;

    // Forgets sessions idle for longer than the idle timeout (their directory and metadata
    // are removed) and returns them, so their transcripts can be removed too.
    std::vector<SessionInfo> expire();
    std::size_t size() const;
    // Every session kept, by id, and whether a request runs in it now.
    std::vector<std::pair<SessionInfo, bool>> list() const;

  private:
    struct Entry {
        SessionInfo info;
        bool busy = false;
    };
    void save(const SessionInfo& info) const;
    void remove_files(const SessionInfo& info) const;
    void forget(std::map<std::string, Entry>::iterator it);  // with the lock held
    bool expired(const Entry& entry, std::chrono::system_clock::time_point now) const;

    const std::string root_;
    mutable std::mutex mutex_;
    std::chrono::milliseconds idle_timeout_;
    std::map<std::string, Entry> sessions_;  // by id
};

// Hashes a conversation incrementally (FNV-1a, 64 bits, stable across runs): start with the
// client and system prompt, then mix each message in order. Equal histories give equal values.
std::uint64_t history_start(const std::string& client, const std::string& system);
std::uint64_t history_mix(std::uint64_t h, const std::string& role,
                          const std::vector<std::string>& parts);

// A random version 4 UUID, as the CLI's --session-id wants.
std::string new_session_id();
bool is_session_id(const std::string& text);

}  // namespace ch
