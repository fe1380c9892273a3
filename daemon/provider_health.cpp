#include "daemon/provider_health.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "daemon/child_process.h"
#include "daemon/cli_command.h"
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

// How the CLI would authenticate, in its own order of precedence.
std::string login_source(const ProviderConfig& provider, const RunAs& who, std::string* reason) {
    if (provider.env.count("ANTHROPIC_API_KEY")) return "api_key";
    if (provider.env.count("ANTHROPIC_AUTH_TOKEN") || provider.env.count("CLAUDE_CODE_OAUTH_TOKEN"))
        return "oauth_token";
    const auto dir_it = provider.env.find("CLAUDE_CONFIG_DIR");
    const std::string dir = dir_it != provider.env.end() ? dir_it->second : who.home + "/.claude";
    const std::string credentials = dir + "/.credentials.json";
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
            if (!token.empty()) return "credentials_file";
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

// The credentials file's access token expiry. The CLI refreshes an expired access token itself
// while it holds a refresh token; without one the login is over.
void check_login_expiry(const ProviderConfig& provider, const RunAs& who, ProviderStatus* s) {
    const auto dir_it = provider.env.find("CLAUDE_CONFIG_DIR");
    const std::string dir = dir_it != provider.env.end() ? dir_it->second : who.home + "/.claude";
    std::ifstream in(dir + "/.credentials.json");
    const auto doc = nlohmann::json::parse(in, nullptr, false);
    if (!doc.is_object() || !doc.contains("claudeAiOauth") || !doc["claudeAiOauth"].is_object())
        return;
    const auto& oauth = doc["claudeAiOauth"];
    if (oauth.contains("expiresAt") && oauth["expiresAt"].is_number_integer())
        s->login_expires_ms = oauth["expiresAt"].get<std::int64_t>();
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    const auto refresh = oauth.find("refreshToken");
    const bool refreshable = refresh != oauth.end() && refresh->is_string() &&
                             !refresh->get_ref<const std::string&>().empty();
    if (s->login_expires_ms > 0 && s->login_expires_ms < now_ms && !refreshable) {
        s->login = "none";
        s->reason = "the login in " + dir +
                    "/.credentials.json has expired and cannot be "
                    "refreshed: run `claude auth login` as user '" +
                    who.name + "'";
    }
}

}  // namespace

ProviderHealth::ProviderHealth(std::vector<ProviderConfig> providers, ChildReaper& reaper)
    : providers_(std::move(providers)), reaper_(reaper) {
    for (const auto& p : providers_) {
        status_.push_back(check(p));
        checked_.push_back(Clock::now());
        const auto& s = status_.back();
        if (s.ready)
            spdlog::info("provider {}: ready ({}, {}, login: {}, user {})", s.name, s.executable,
                         s.version, s.login, s.user);
        else
            spdlog::warn("provider {}: not ready: {}", s.name, s.reason);
    }
}

ProviderStatus ProviderHealth::check(const ProviderConfig& provider) {
    ProviderStatus s;
    s.name = provider.name;
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
    s.login = login_source(provider, *who, &s.reason);
    if (s.login == "credentials_file") check_login_expiry(provider, *who, &s);
    s.ready = s.login != "none";
    if (s.ready) s.reason.clear();
    return s;
}

std::vector<ProviderStatus> ProviderHealth::current(std::chrono::seconds max_age) {
    std::lock_guard guard(mutex_);
    for (std::size_t i = 0; i < providers_.size(); ++i) {
        if (status_[i].ready || Clock::now() - checked_[i] < max_age) continue;
        status_[i] = check(providers_[i]);
        checked_[i] = Clock::now();
    }
    return status_;
}

bool ProviderHealth::ready(const std::string& provider) {
    for (const auto& s : current())
        if (s.name == provider) return s.ready;
    return false;
}

}  // namespace ch
