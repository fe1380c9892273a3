#include "daemon/session_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace ch {
namespace fs = std::filesystem;
using SysClock = std::chrono::system_clock;

namespace {

constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;

std::uint64_t mix_text(std::uint64_t h, const std::string& text) {
    for (const unsigned char c : text) {
        h ^= c;
        h *= kFnvPrime;
    }
    h ^= 0xff;  // separates fields: ("ab", "c") differs from ("a", "bc")
    return h * kFnvPrime;
}

std::int64_t to_ms(SysClock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::optional<SessionInfo> read_info(const fs::path& file) {
    std::ifstream in(file);
    const auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    try {
        SessionInfo info;
        info.id = j.at("id").get<std::string>();
        info.provider = j.at("provider").get<std::string>();
        info.client = j.at("client").get<std::string>();
        info.history = std::stoull(j.at("history").get<std::string>(), nullptr, 16);
        info.last_used = SysClock::time_point(
            std::chrono::milliseconds(j.at("last_used_ms").get<std::int64_t>()));
        info.started = j.at("started").get<bool>();
        if (!is_session_id(info.id) || info.id != file.stem().string()) return std::nullopt;
        return info;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace

std::uint64_t history_start(const std::string& client, const std::string& system) {
    return mix_text(mix_text(0xcbf29ce484222325ULL, client), system);
}

std::uint64_t history_mix(std::uint64_t h, const std::string& role,
                          const std::vector<std::string>& parts) {
    h = mix_text(h, role);
    for (const auto& part : parts)
        h = mix_text(h, part);
    return mix_text(h, "");  // ends the message
}

std::string new_session_id() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    const std::uint64_t a = rng(), b = rng();
    char out[37];
    std::snprintf(out, sizeof out, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                  static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0x0fff),
                  static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                  static_cast<unsigned long long>(b & 0xffffffffffffULL));
    return out;
}

bool is_session_id(const std::string& text) {
    if (text.size() != 36) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-' : !std::isxdigit(static_cast<unsigned char>(c))) return false;
    }
    return true;
}

SessionStore::SessionStore(std::string root, std::chrono::milliseconds idle_timeout)
    : root_(std::move(root)), idle_timeout_(idle_timeout) {
    std::error_code ec;
    fs::create_directories(root_, ec);
    if (ec) spdlog::error("cannot create {}: {}", root_, ec.message());
    for (const auto& provider : fs::directory_iterator(root_, ec)) {
        if (!provider.is_directory()) continue;
        for (const auto& file : fs::directory_iterator(provider.path(), ec)) {
            if (file.path().extension() != ".json") continue;
            auto info = read_info(file.path());
            if (!info || info->provider != provider.path().filename().string()) {
                spdlog::warn("unreadable session metadata {} ignored", file.path().string());
                continue;
            }
            const std::string id = info->id;  // the right side is evaluated first
            sessions_[id] = Entry{std::move(*info), false};
        }
    }
    if (!sessions_.empty()) spdlog::info("{} session(s) found in {}", sessions_.size(), root_);
}

void SessionStore::set_idle_timeout(std::chrono::milliseconds idle_timeout) {
    std::lock_guard guard(mutex_);
    idle_timeout_ = idle_timeout;
}

std::string SessionStore::dir_of(const std::string& provider, const std::string& id) const {
    return root_ + "/" + provider + "/" + id;
}

bool SessionStore::expired(const Entry& entry, SysClock::time_point now) const {
    return !entry.busy && now - entry.info.last_used > idle_timeout_;
}

SessionStore::Claim SessionStore::claim(const std::string& id, const std::string& client,
                                        SessionLease& lease) {
    std::lock_guard guard(mutex_);
    const auto it = sessions_.find(id);
    if (it == sessions_.end() || it->second.info.client != client ||
        expired(it->second, SysClock::now()))
        return Claim::NotFound;
    if (it->second.busy) return Claim::Busy;
    it->second.busy = true;
    lease = SessionLease{it->second.info};
    return Claim::Ok;
}

std::optional<SessionLease> SessionStore::claim_by_history(const std::string& client,
                                                           std::uint64_t history) {
    std::lock_guard guard(mutex_);
    const auto now = SysClock::now();
    for (auto& [id, entry] : sessions_) {
        if (entry.busy || !entry.info.started || entry.info.client != client ||
            entry.info.history != history || expired(entry, now))
            continue;
        entry.busy = true;
        return SessionLease{entry.info};
    }
    return std::nullopt;
}

SessionLease SessionStore::create(const std::string& client) {
    std::lock_guard guard(mutex_);
    SessionInfo info{new_session_id(), "", client, 0, SysClock::now(), false};
    sessions_[info.id] = Entry{info, true};
    return SessionLease{info};
}

void SessionStore::release(const std::string& id, const std::string& provider, bool answered,
                           std::uint64_t history, bool lost) {
    std::lock_guard guard(mutex_);
    const auto it = sessions_.find(id);
    if (it == sessions_.end()) return;
    Entry& entry = it->second;
    entry.busy = false;
    if (!entry.info.started) entry.info.provider = provider;
    if (answered) {
        entry.info.history = history;
        entry.info.started = true;
        entry.info.last_used = SysClock::now();
        save(entry.info);
    } else if (!entry.info.started || lost) {
        forget(it);
    }
}

std::vector<SessionInfo> SessionStore::expire() {
    std::lock_guard guard(mutex_);
    std::vector<SessionInfo> gone;
    const auto now = SysClock::now();
    for (auto it = sessions_.begin(); it != sessions_.end();) {
        const auto next = std::next(it);
        if (expired(it->second, now)) {
            gone.push_back(it->second.info);
            forget(it);
        }
        it = next;
    }
    return gone;
}

std::vector<std::pair<SessionInfo, bool>> SessionStore::list() const {
    std::lock_guard guard(mutex_);
    std::vector<std::pair<SessionInfo, bool>> out;
    out.reserve(sessions_.size());
    for (const auto& [id, entry] : sessions_)
        out.emplace_back(entry.info, entry.busy);
    return out;
}

std::size_t SessionStore::size() const {
    std::lock_guard guard(mutex_);
    return sessions_.size();
}

void SessionStore::forget(std::map<std::string, Entry>::iterator it) {
    remove_files(it->second.info);
    sessions_.erase(it);
}

void SessionStore::save(const SessionInfo& info) const {
    char history[17];
    std::snprintf(history, sizeof history, "%016llx",
                  static_cast<unsigned long long>(info.history));
    const nlohmann::json j = {{"id", info.id},
                              {"provider", info.provider},
                              {"client", info.client},
                              {"history", history},
                              {"last_used_ms", to_ms(info.last_used)},
                              {"started", info.started}};
    std::error_code ec;
    fs::create_directories(root_ + "/" + info.provider, ec);
    const std::string file = root_ + "/" + info.provider + "/" + info.id + ".json";
    const std::string tmp = file + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << j.dump() << '\n';
        if (!out.flush()) {
            spdlog::error("cannot write {}", tmp);
            return;
        }
    }
    // Renamed into place, so a crash leaves the old metadata or the new, never half of one.
    if (std::rename(tmp.c_str(), file.c_str()) != 0) spdlog::error("cannot write {}", file);
}

void SessionStore::remove_files(const SessionInfo& info) const {
    std::error_code ec;
    fs::remove(root_ + "/" + info.provider + "/" + info.id + ".json", ec);
    if (!info.provider.empty()) fs::remove_all(dir_of(info.provider, info.id), ec);
}

}  // namespace ch
