// sessions: the conversations the daemon keeps for X-Claude-Session.
#include <cstdio>

#include "ctl/bus_client.h"
#include "ctl/bus_json.h"
#include "ctl/exit_codes.h"
#include "ctl/output.h"
#include "ctl/verb_options.h"
#include "ctl/verbs.h"

namespace ch::ctl {
namespace {

constexpr const char* kUsageText =
    "Usage: claude-harnessctl sessions [--json]\n"
    "\n"
    "Lists the conversations claude-harnessd keeps so that clients continue them by id\n"
    "(X-Claude-Session): id, provider, client (API key id or address), time since last use,\n"
    "and whether a request runs in it now.\n"
    "\n"
    "Options:\n"
    "  --json      print a JSON array instead\n"
    "  -h, --help  show this help\n"
    "\n"
    "Exit status: 0 ok, 1 failure, 2 usage error, 3 not running.\n";

}  // namespace

int verb_sessions(int argc, char** argv) {
    bool json = false;
    VerbOptions options("sessions", kUsageText);
    options.json(&json);
    if (const auto exit = options.parse(argc, argv)) return *exit;

    return with_daemon([&]() -> int {
        BusClient client;
        const auto sessions = client.sessions();
        if (json) {
            print_json(to_json(sessions));
            return kOk;
        }
        if (sessions.empty()) {
            std::printf("No sessions.\n");
            return kOk;
        }
        std::printf("%-36s  %-10s  %-16s  %8s  %s\n", "ID", "PROVIDER", "CLIENT", "IDLE", "STATE");
        const auto now = now_us();
        for (const auto& s : sessions) {
            const auto idle =
                std::chrono::seconds((now - static_cast<std::int64_t>(s.last_used_us)) / 1000000);
            std::printf("%-36s  %-10s  %-16s  %8s  %s\n", printable(s.id).c_str(),
                        s.provider.empty() ? "-" : printable(s.provider).c_str(),
                        printable(s.client).c_str(), s.busy ? "-" : human_duration(idle).c_str(),
                        s.busy ? "busy" : "idle");
        }
        std::printf("\n%zu session(s).\n", sessions.size());
        return kOk;
    });
}

}  // namespace ch::ctl
