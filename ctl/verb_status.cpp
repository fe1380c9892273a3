// status: everything that matters about the running daemon, in the manner of systemctl status.
#include <cstdio>
#include <string>

#include "ctl/bus_client.h"
#include "ctl/bus_json.h"
#include "ctl/exit_codes.h"
#include "ctl/output.h"
#include "ctl/verb_options.h"
#include "ctl/verbs.h"

namespace ch::ctl {
namespace {

constexpr const char* kUsageText =
    "Usage: claude-harnessctl status [--json]\n"
    "\n"
    "Shows whether claude-harnessd is ready, where it listens, each provider's login and\n"
    "readiness, the models, running and queued jobs, request counters, usage since start\n"
    "and the last error.\n"
    "\n"
    "Options:\n"
    "  --json      print the same as one JSON document\n"
    "  -h, --help  show this help\n"
    "\n"
    "Exit status: 0 ready, 1 failure, 2 usage error, 3 not running, 4 running but not ready.\n";

std::string login_text(const ProviderInfo& p, std::int64_t now) {
    std::string text = "login " + p.login;
    if (p.login_expires_us) {
        const auto at = static_cast<std::int64_t>(p.login_expires_us);
        // The CLI refreshes an expired access token itself while it holds a refresh token.
        text += at > now ? ", token expires " + relative_time(at, now)
                         : ", token expired " + relative_time(at, now) + " (refreshed on use)";
    }
    return text;
}

void print_providers(const std::vector<ProviderInfo>& providers, std::int64_t now) {
    std::printf("\nProviders:\n");
    for (const auto& p : providers) {
        std::string state = p.ready ? "ready" : "NOT READY";
        if (p.state == "suspended") state = "SUSPENDED";
        if (p.state == "cooling_down")
            state = "cooling down (usage limit) until " +
                    relative_time(static_cast<std::int64_t>(p.cooldown_until_us), now);
        state += ", " + std::to_string(p.running) + " running";
        if (p.max_concurrent) state += " of at most " + std::to_string(p.max_concurrent);
        std::printf("  %s: %s\n", printable(p.name).c_str(), state.c_str());
        std::printf("    user %s, claude %s (%s), %s\n", printable(p.user).c_str(),
                    p.cli_version.empty() ? "?" : printable(p.cli_version).c_str(),
                    p.cli_path.empty() ? "not found" : printable(p.cli_path).c_str(),
                    login_text(p, now).c_str());
        if (!p.last_error.empty())
            std::printf("    %s: %s\n", p.ready && p.state != "suspended" ? "last error" : "why",
                        printable(p.last_error).c_str());
    }
}

void print_models(const std::vector<ModelInfo>& models) {
    std::printf("\nModels:\n");
    for (const auto& m : models) {
        std::string aliases;
        for (const auto& a : m.aliases)
            aliases += (aliases.empty() ? " (" : ", ") + a;
        if (!aliases.empty()) aliases += ")";
        std::printf("  %s%s -> %s, CLI model %s\n", printable(m.id).c_str(),
                    printable(aliases).c_str(), printable(m.provider).c_str(),
                    printable(m.cli_model).c_str());
    }
}

void print_usage(const std::vector<UsageInfo>& usage) {
    if (usage.empty()) return;
    std::printf("\nUsage since start:\n");
    for (const auto& u : usage)
        std::printf(
            "  %s via %s: %llu requests (%llu failed), tokens %llu in, %llu out, "
            "%llu cache read, %llu cache write\n",
            printable(u.model).c_str(), printable(u.provider).c_str(),
            static_cast<unsigned long long>(u.requests), static_cast<unsigned long long>(u.failed),
            static_cast<unsigned long long>(u.input_tokens),
            static_cast<unsigned long long>(u.output_tokens),
            static_cast<unsigned long long>(u.cache_read_tokens),
            static_cast<unsigned long long>(u.cache_creation_tokens));
}

void print_summary(const DaemonState& s, std::int64_t now) {
    std::printf("claude-harnessd %s: %s\n", printable(s.version).c_str(),
                s.ready ? "ready" : ("NOT READY: " + printable(s.not_ready_reason)).c_str());
    std::string listen;
    for (const auto& l : s.listen)
        listen += (listen.empty() ? "" : ", ") + ("http://" + l);
    const auto started = static_cast<std::int64_t>(s.started_us);
    std::printf("      Listen: %s\n", listen.c_str());
    std::printf("      Uptime: %s (since %s)\n",
                human_duration(seconds_between(started, now)).c_str(), local_time(started).c_str());
    std::printf("      Config: %s\n", printable(s.config_path).c_str());
    std::printf("        Jobs: %u running, %u queued\n", s.active_jobs, s.queued_jobs);
    std::printf("    Requests: %llu, %llu failed\n",
                static_cast<unsigned long long>(s.requests_total),
                static_cast<unsigned long long>(s.requests_failed));
    if (s.last_error.at_us)
        std::printf("  Last error: %s, job %s: %s\n",
                    local_time(static_cast<std::int64_t>(s.last_error.at_us)).c_str(),
                    printable(s.last_error.job_id).c_str(), printable(s.last_error.text).c_str());
    else
        std::printf("  Last error: none\n");
}

}  // namespace

int verb_status(int argc, char** argv) {
    bool json = false;
    VerbOptions options("status", kUsageText);
    options.json(&json);
    if (const auto exit = options.parse(argc, argv)) return *exit;

    return with_daemon([&]() -> int {
        BusClient client;
        const DaemonState state = client.state();
        const auto providers = client.providers();
        const auto models = client.models();
        const auto usage = client.usage();
        const auto jobs = client.jobs();
        if (json) {
            auto doc = to_json(state);
            doc["providers"] = to_json(providers);
            doc["models"] = to_json(models);
            doc["usage"] = to_json(usage);
            doc["jobs"] = to_json(jobs);
            print_json(doc);
        } else {
            const auto now = now_us();
            print_summary(state, now);
            print_providers(providers, now);
            print_models(models);
            print_usage(usage);
        }
        return state.ready ? kOk : kNotReady;
    });
}

}  // namespace ch::ctl
