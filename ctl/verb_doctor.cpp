// doctor: checks the installation without the daemon — configuration, providers, ports, the
// system bus and the daemon's state — and says how to fix what is wrong.
#include <cstdio>
#include <sstream>
#include <string>

#include <spdlog/spdlog.h>

#include "common/config.h"
#include "ctl/doctor_checks.h"
#include "ctl/exit_codes.h"
#include "ctl/output.h"
#include "ctl/verb_options.h"
#include "ctl/verbs.h"

namespace ch::ctl {
namespace {

constexpr const char* kUsageText =
    "Usage: claude-harnessctl doctor [--config PATH] [--json]\n"
    "\n"
    "Checks, without needing the daemon, one line each (ok, warn or fail, with the fix for\n"
    "anything not ok): the configuration; per provider its run-as user, its Claude CLI (run\n"
    "with --version as that user) and its login: none, or an expired one without a refresh\n"
    "token, is a failure; an expired access token with a refresh token is a warning, since\n"
    "the CLI renews it on its next run. Then each listen address: free, or held by\n"
    "claude-harnessd, is ok; held by another program is a failure. Last the system bus and\n"
    "whether the daemon runs and is ready: warnings only, the HTTP API works without them.\n"
    "\n"
    "Options:\n"
    "  --config PATH  configuration file (default /etc/claude-harness/config.toml)\n"
    "  --json         print {\"checks\": [{\"name\", \"status\", \"detail\", \"fix\"}], \"ok\"}\n"
    "  -h, --help     show this help\n"
    "\n"
    "Run it as root to check providers that run as other users.\n"
    "Exit status: 0 no check failed, 1 a check failed, 2 usage error.\n";

void print_human(const std::vector<Check>& checks) {
    for (const auto& c : checks) {
        std::istringstream detail(printable(c.detail, true));
        std::string line;
        std::getline(detail, line);
        std::printf("%-4s  %s: %s\n", status_name(c.status), c.name.c_str(), line.c_str());
        while (std::getline(detail, line))
            std::printf("      %s\n", line.c_str());
        if (c.status != Status::kOk && !c.fix.empty())
            std::printf("      fix: %s\n", printable(c.fix).c_str());
    }
}

nlohmann::json to_json(const std::vector<Check>& checks, bool ok) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& c : checks)
        list.push_back({{"name", c.name},
                        {"status", status_name(c.status)},
                        {"detail", c.detail},
                        {"fix", c.fix}});
    return {{"checks", list}, {"ok", ok}};
}

}  // namespace

int verb_doctor(int argc, char** argv) {
    bool json = false;
    std::string path = kDefaultConfigPath;
    VerbOptions options("doctor", kUsageText);
    options.value("config", 0, [&](const std::string& v) { path = v; }).json(&json);
    if (const auto exit = options.parse(argc, argv)) return *exit;

    spdlog::set_level(spdlog::level::off);  // the daemon code reused here logs; doctor reports
    std::vector<Check> checks;
    Config config;
    checks.push_back(check_config(path, &config));
    if (checks.back().status == Status::kOk) {
        for (auto& c : check_providers(config.providers))
            checks.push_back(std::move(c));
        for (auto& c : check_listen(config.server.listen))
            checks.push_back(std::move(c));
    }
    for (auto& c : check_bus())
        checks.push_back(std::move(c));

    bool ok = true;
    for (const auto& c : checks)
        ok = ok && c.status != Status::kFail;
    if (json)
        print_json(to_json(checks, ok));
    else
        print_human(checks);
    return ok ? kOk : kFailure;
}

}  // namespace ch::ctl
