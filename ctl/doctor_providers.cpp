// Provider checks reuse the daemon's own ProviderHealth, so doctor and the daemon agree on
// what "ready" means: the user resolves, `claude --version` runs as that user, a login exists.
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>

#include "ctl/doctor_checks.h"
#include "ctl/output.h"
#include "daemon/child_reaper.h"
#include "daemon/provider_health.h"

namespace ch::ctl {
namespace {

// Another user's provider can only be checked (and run) by root, as the daemon does.
bool needs_root(const ProviderConfig& p) {
    if (geteuid() == 0 || p.user.empty()) return false;
    const passwd* pw = getpwnam(p.user.c_str());
    return pw && pw->pw_uid != geteuid();
}

std::string login_fix(const std::string& user) {
    return "run `claude auth login` as user '" + user +
           "', or put a token from `claude setup-token` in the provider's env as "
           "CLAUDE_CODE_OAUTH_TOKEN";
}

Check expiry_check(const std::string& name, const ProviderStatus& s) {
    const std::int64_t now_ms = now_us() / 1000;
    const std::int64_t at = s.login_expires_ms;
    const std::string when = relative_time(at * 1000, now_ms * 1000);
    if (at == 0) return {name, Status::kOk, "credentials file (no expiry recorded)", ""};
    // ProviderHealth already turned an expired login without a refresh token into "none",
    // so an expired one here is renewed by the CLI on its next run.
    if (at < now_ms)
        return {name, Status::kWarn,
                "access token expired " + when + "; the CLI renews it with its refresh token",
                "nothing if requests succeed; if they fail with 401, " + login_fix(s.user)};
    return {name, Status::kOk, "credentials file; access token expires " + when, ""};
}

Check login_check(const std::string& name, const ProviderStatus& s) {
    if (s.login == "api_key") return {name, Status::kOk, "API key", ""};
    if (s.login == "oauth_token") return {name, Status::kOk, "token in the provider's env", ""};
    if (s.login == "unknown")
        return {name, Status::kWarn, "cannot read the credentials of user '" + s.user + "'",
                "run `sudo claude-harnessctl doctor`"};
    if (s.login == "credentials_file") return expiry_check(name, s);
    return {name, Status::kFail, s.reason, login_fix(s.user)};
}

void add_checks(const ProviderConfig& p, const ProviderStatus& s, std::vector<Check>* out) {
    const std::string prefix = "provider " + p.name + ": ";
    if (s.user.empty()) {
        // The reason names the provider already, as the daemon logs it.
        const std::string own = "provider '" + p.name + "': ";
        const std::string reason =
            s.reason.starts_with(own) ? s.reason.substr(own.size()) : s.reason;
        out->push_back({prefix + "user", Status::kFail, reason,
                        "create the user, or set the provider's `user` to an existing one"});
        return;
    }
    out->push_back({prefix + "user", Status::kOk, "runs as " + s.user, ""});
    if (s.executable.empty()) {
        out->push_back({prefix + "claude", Status::kFail,
                        "the Claude CLI '" + p.claude + "' was not found or is not executable",
                        "install it (`npm install -g @anthropic-ai/claude-code`), or set the "
                        "provider's `claude` to its full path"});
        return;
    }
    if (s.version.empty()) {
        out->push_back(
            {prefix + "claude", Status::kFail, s.reason,
             "run `" + s.executable + " --version` as user '" + s.user + "' to see what is wrong"});
        return;
    }
    out->push_back({prefix + "claude", Status::kOk, s.executable + " (" + s.version + ")", ""});
    out->push_back(login_check(prefix + "login", s));
}

}  // namespace

std::vector<Check> check_providers(const std::vector<ProviderConfig>& providers) {
    std::vector<ProviderConfig> checkable;
    for (const auto& p : providers)
        if (!needs_root(p)) checkable.push_back(p);

    // The reaper takes SIGCHLD through a signalfd: block it before any thread starts.
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &chld, nullptr);
    ChildReaper reaper;
    ProviderHealth health(checkable, reaper);
    const auto statuses = health.current();

    std::vector<Check> out;
    for (const auto& p : providers) {
        if (needs_root(p)) {
            out.push_back({"provider " + p.name, Status::kWarn,
                           "runs as user '" + p.user + "', which only root can check",
                           "run `sudo claude-harnessctl doctor`"});
            continue;
        }
        for (const auto& s : statuses)
            if (s.name == p.name) add_checks(p, s, &out);
    }
    return out;
}

}  // namespace ch::ctl
