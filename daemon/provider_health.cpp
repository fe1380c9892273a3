#include "daemon/provider_health.h"

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "daemon/child_process.h"
#include "daemon/cli_command.h"
#include "daemon/provider_tokens.h"
#include "daemon/run_as.h"

namespace ch {
namespace {

using Clock = std::chrono::steady_clock;

// Runs `claude --version` as the provider's user; its first output line, or "" with *error.
std::string cli_version(const std::string& path, const RunAs& who, const ProviderConfig& provider,
                        ChildReaper& reaper, std::string* error) {
    ProcessSpec spec{path,
                     {path, "--version"},
                     cli_environment(who, provider, LimitsConfig{}, std::nullopt),
                     who,
                     "/"};
    try {
        ChildProcess child = ChildProcess::spawn(spec, reaper);
        child.close_stdin();
        std::string out;
        const auto deadline = Clock::now() + std::chrono::seconds(15);
        char buf[4096];
        for (;;) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now())
                    .count();
            if (left <= 0) {
                *error = path + " --version did not answer within 15 s";
                return "";
            }
            pollfd p{child.stdout_fd(), POLLIN, 0};
            poll(&p, 1, static_cast<int>(left));
            const ssize_t n = read(child.stdout_fd(), buf, sizeof buf);
            if (n > 0 && out.size() < 65536) out.append(buf, static_cast<std::size_t>(n));
            if (n == 0) break;
        }
        const auto status = child.reap(deadline);
        if (!status || *status != 0) {
            *error = path + " --version " + (status ? describe_wait_status(*status) : "hung");
            return "";
        }
        return out.substr(0, out.find('\n'));
    } catch (const SpawnError& e) {
        *error = std::string("cannot run ") + path + ": " + e.what();
        return "";
    }
}

// The CLI refreshes an expired access token itself while it holds a refresh token; without
// one the login is over.
bool login_expired(const nlohmann::json& oauth, std::int64_t expires_ms) {
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    return expires_ms > 0 && expires_ms < now_ms &&
           oauth.value("refreshToken", std::string()).empty();
}

// How the CLI would authenticate, in its own order of precedence; the access token's expiry
// (epoch ms) when the credentials file says.
std::string login_source(const ProviderConfig& provider, const RunAs& who, std::string* reason,
                         std::int64_t* expires_ms, bool* refreshable) {
    if (provider.env.count("ANTHROPIC_API_KEY")) return "api_key";
    if (provider.env.count("ANTHROPIC_AUTH_TOKEN") ||
        provider.env.count("CLAUDE_CODE_OAUTH_TOKEN")) {
        // A `claude setup-token` token is valid for a year and says nothing itself: count
        // from when its file was written.
        struct stat st {};
        if (!provider.token_file.empty() &&
            stat(token_file_path(provider.token_file).c_str(), &st) == 0)
            *expires_ms = (std::int64_t{st.st_mtime} + 365LL * 24 * 3600) * 1000;
        return "oauth_token";
    }
    const auto dir_it = provider.env.find("CLAUDE_CONFIG_DIR");
    const std::string dir = dir_it != provider.env.end() ? dir_it->second : who.home + "/.claude";
    const std::string credentials = credentials_path(provider, who.home);
    std::ifstream in(credentials);
    if (!in && errno == EACCES) {
        // Under the hardened unit root cannot read the user's files; the CLI can.
        return "unknown";
    }
    if (in) {
        const auto doc = nlohmann::json::parse(in, nullptr, false);
        if (doc.is_object() && doc.contains("claudeAiOauth") && doc["claudeAiOauth"].is_object()) {
            const auto& oauth = doc["claudeAiOauth"];
            const auto token = oauth.value("accessToken", std::string());
            if (oauth.contains("expiresAt") && oauth["expiresAt"].is_number_integer())
                *expires_ms = oauth["expiresAt"].get<std::int64_t>();
            *refreshable = !oauth.value("refreshToken", std::string()).empty();
            if (!token.empty() && !login_expired(oauth, *expires_ms)) return "credentials_file";
            if (!token.empty()) {
                *reason = "the login in " + credentials +
                          " has expired and cannot be refreshed: run `claude auth login` as "
                          "user '" +
                          who.name + "'";
                return "none";
            }
            *reason = credentials + " holds no access token (the login was revoked or expired)";
        }
    }
    const std::string state =
        dir_it != provider.env.end() ? dir + "/.claude.json" : who.home + "/.claude.json";
    std::ifstream state_in(state);
    if (state_in) {
        const auto doc = nlohmann::json::parse(state_in, nullptr, false);
        if (doc.is_object() && doc.value("primaryApiKey", std::string()).size() > 0)
            return "api_key";
    }
    if (reason->empty())
        *reason = "user '" + who.name + "' has no Claude login (" + credentials +
                  " not found): run `claude auth login` as that user, or put a token from "
                  "`claude setup-token` in the provider's env as CLAUDE_CODE_OAUTH_TOKEN";
    return "none";
}

}  // namespace

std::string credentials_path(const ProviderConfig& provider, const std::string& home) {
    const auto dir = provider.env.find("CLAUDE_CONFIG_DIR");
    return (dir != provider.env.end() ? dir->second : home + "/.claude") + "/.credentials.json";
}

ProviderHealth::ProviderHealth(std::vector<ProviderConfig> providers, ChildReaper& reaper)
    : reaper_(reaper) {
    set_providers(std::move(providers));
}

void ProviderHealth::set_providers(std::vector<ProviderConfig> providers) {
    std::lock_guard guard(mutex_);
    std::vector<ProviderStatus> status;
    std::vector<Clock::time_point> checked;
    for (const auto& p : providers) {
        const auto old = std::find(providers_.begin(), providers_.end(), p);
        if (old != providers_.end()) {
            const auto i = static_cast<std::size_t>(old - providers_.begin());
            status.push_back(status_[i]);
            checked.push_back(checked_[i]);
            continue;
        }
        status.push_back(check(p));
        checked.push_back(Clock::now());
        const auto& s = status.back();
        if (s.ready)
            spdlog::info("provider {}: ready ({}, {}, login: {}, user {})", s.name, s.executable,
                         s.version, s.login, s.user);
        else
            spdlog::warn("provider {}: not ready: {}", s.name, s.reason);
    }
    providers_ = std::move(providers);
    status_ = std::move(status);
    checked_ = std::move(checked);
    publish();
}

ProviderStatus ProviderHealth::check(const ProviderConfig& provider) {
    ProviderStatus s;
    s.name = provider.name;
    s.max_concurrent = provider.max_concurrent;
    std::string error;
    const auto who = resolve_run_as(provider.user, &error);
    if (!who) {
        s.reason = "provider '" + provider.name + "': " + error;
        return s;
    }
    s.user = who->name;
    s.executable = find_executable(provider.claude, usual_path(*who));
    if (s.executable.empty()) {
        s.reason = "the Claude CLI '" + provider.claude + "' was not found in " + usual_path(*who) +
                   " (install it with `npm install -g @anthropic-ai/claude-code`, or set the "
                   "provider's `claude` to its full path)";
        return s;
    }
    s.version = cli_version(s.executable, *who, provider, reaper_, &error);
    if (s.version.empty()) {
        s.reason = error;
        return s;
    }
    s.login = login_source(provider, *who, &s.reason, &s.login_expires_ms, &s.login_refreshable);
    s.ready = s.login != "none";
    if (s.ready) s.reason.clear();
    return s;
}

std::vector<ProviderStatus> ProviderHealth::current(std::chrono::seconds max_age) {
    std::lock_guard guard(mutex_);
    for (std::size_t i = 0; i < providers_.size(); ++i) {
        if (Clock::now() - checked_[i] < max_age) continue;
        if (status_[i].ready)
            reread(i);  // a ready CLI stays ready; its login can be revoked, expire or be renewed
        else
            status_[i] = check(providers_[i]);
        checked_[i] = Clock::now();
    }
    publish();
    return status_;
}

void ProviderHealth::reread(std::size_t i) {
    auto& s = status_[i];
    std::string error;
    const auto who = resolve_run_as(providers_[i].user, &error);
    s.reason = who ? "" : "provider '" + s.name + "': " + error;
    s.login_expires_ms = 0;
    s.login_refreshable = false;
    if (who)
        s.login =
            login_source(providers_[i], *who, &s.reason, &s.login_expires_ms, &s.login_refreshable);
    s.ready = who && s.login != "none";
}

void ProviderHealth::reread_login(const std::string& provider) {
    std::lock_guard guard(mutex_);
    for (std::size_t i = 0; i < providers_.size(); ++i)
        if (providers_[i].name == provider && status_[i].ready) {
            reread(i);
            checked_[i] = Clock::now();
        }
    publish();
}

void ProviderHealth::set_warning_days(int days) {
    std::lock_guard guard(mutex_);
    warning_days_ = days;
    warned_.clear();
    publish();
}

std::vector<ProviderStatus> ProviderHealth::snapshot() const {
    std::lock_guard guard(snapshot_mutex_);
    return snapshot_;
}

void ProviderHealth::publish() {
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    const std::int64_t window_ms = std::int64_t{warning_days_} * 24 * 3600 * 1000;
    for (const auto& s : status_) {
        // An access token the CLI renews itself is not the end of the login.
        if (s.login_expires_ms <= 0 || s.login_refreshable ||
            s.login_expires_ms - now_ms > window_ms)
            continue;
        const auto last = warned_.find(s.name);
        if (last != warned_.end() && Clock::now() - last->second < std::chrono::hours(24)) continue;
        warned_[s.name] = Clock::now();
        const double days = static_cast<double>(s.login_expires_ms - now_ms) / 86400e3;
        if (days <= 0)
            spdlog::warn(
                "provider {}: its login has expired; log in again as user '{}' (claude "
                "auth login, or a new token from claude setup-token)",
                s.name, s.user);
        else
            spdlog::warn(
                "provider {}: its login expires in {:.1f} days; renew it before then as "
                "user '{}' (claude auth login, or a new token from claude setup-token)",
                s.name, days, s.user);
    }
    std::lock_guard guard(snapshot_mutex_);
    snapshot_ = status_;
}

bool ProviderHealth::ready(const std::string& provider) {
    for (const auto& s : current())
        if (s.name == provider) return s.ready;
    return false;
}

}  // namespace ch
