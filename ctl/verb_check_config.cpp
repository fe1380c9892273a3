// check-config [PATH]: validates a configuration file the way the daemon reads it.
#include <cstdio>
#include <string>
#include <vector>

#include "common/config.h"
#include "ctl/exit_codes.h"
#include "ctl/output.h"
#include "ctl/verb_options.h"
#include "ctl/verbs.h"

namespace ch::ctl {
namespace {

constexpr const char* kUsageText =
    "Usage: claude-harnessctl check-config [--json] [PATH]\n"
    "\n"
    "Validates a configuration file (default /etc/claude-harness/config.toml) as the daemon\n"
    "would read it. Every problem is printed on stderr as file:line:column: message.\n"
    "\n"
    "Options:\n"
    "  --json      print {\"path\", \"valid\", \"errors\"} on stdout instead\n"
    "  -h, --help  show this help\n"
    "\n"
    "Exit status: 0 valid, 1 invalid or unreadable, 2 usage error.\n";

}  // namespace

int verb_check_config(int argc, char** argv) {
    bool json = false;
    std::vector<std::string> operands;
    VerbOptions options("check-config", kUsageText);
    options.json(&json).operands(0, 1, &operands);
    if (const auto exit = options.parse(argc, argv)) return *exit;

    const std::string path = operands.empty() ? kDefaultConfigPath : operands[0];
    const ConfigLoad load = load_config_file(path);
    if (json) {
        print_json({{"path", path}, {"valid", load.ok()}, {"errors", load.errors}});
        return load.ok() ? kOk : kFailure;
    }
    for (const auto& e : load.errors)
        std::fprintf(stderr, "%s\n", printable(e).c_str());
    if (!load.ok()) return kFailure;
    std::printf("%s: ok\n", path.c_str());
    return kOk;
}

}  // namespace ch::ctl
