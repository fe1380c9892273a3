// reload: makes the daemon re-read its configuration.
#include <cstdio>

#include "common/bus_names.h"
#include "ctl/bus_client.h"
#include "ctl/exit_codes.h"
#include "ctl/output.h"
#include "ctl/verb_options.h"
#include "ctl/verbs.h"

namespace ch::ctl {
namespace {

constexpr const char* kUsageText =
    "Usage: claude-harnessctl reload\n"
    "\n"
    "Makes claude-harnessd re-read its configuration file and API keys, as\n"
    "`systemctl reload claude-harness` does. All or nothing: when the file is invalid every\n"
    "problem is printed as file:line:column: message and the daemon keeps the configuration\n"
    "it runs with. Running jobs are never interrupted. Listen addresses, state_dir and\n"
    "max_body_bytes change only with a restart. Allowed to root and members of the daemon's\n"
    "admin group.\n"
    "\n"
    "Options:\n"
    "  -h, --help  show this help\n"
    "\n"
    "Exit status: 0 reloaded, 1 invalid configuration or not allowed, 2 usage error,\n"
    "3 not running.\n";

}  // namespace

int verb_reload(int argc, char** argv) {
    VerbOptions options("reload", kUsageText);
    if (const auto exit = options.parse(argc, argv)) return *exit;

    return with_daemon([&]() -> int {
        BusClient client;
        try {
            client.reload();
        } catch (const BusError& e) {
            if (e.name != bus::kErrorConfigInvalid) throw;
            // The daemon's diagnostics, one per line, as check-config prints them.
            const std::string what = e.what();
            std::fprintf(stderr, "%s\nclaude-harnessctl: the configuration was not reloaded\n",
                         printable(what.substr(what.find(": ") + 2), true).c_str());
            return kFailure;
        }
        std::printf("Reloaded the configuration.\n");
        return kOk;
    });
}

}  // namespace ch::ctl
