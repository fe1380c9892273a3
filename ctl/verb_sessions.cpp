// sessions: the conversations the daemon keeps for X-Claude-Session.
#include <cstdio>

#include "ctl/list_verb.h"
#include "ctl/verbs.h"

namespace ch::ctl {
namespace {

constexpr const char* kUsageText =
    "Usage: claude-harnessctl sessions [--json]\n"
    "\n"
    "Lists the conversations claude-harnessd keeps so that clients continue them by id\n"
    "(X-Claude-Session): id, provider, client (API key id or address), time since last use,\n"
    "and whether a request runs in it now.\n";

}  // namespace

int verb_sessions(int argc, char** argv) {
    return list_verb(
        "sessions", kUsageText, "session", argc, argv,
        [](BusClient& client) { return client.sessions(); },
        [](const auto& sessions) {
            std::printf("%-36s  %-10s  %-16s  %8s  %s\n", "ID", "PROVIDER", "CLIENT", "IDLE",
                        "STATE");
            const auto now = now_us();
            for (const auto& s : sessions) {
                const auto idle = seconds_between(static_cast<std::int64_t>(s.last_used_us), now);
                std::printf("%-36s  %-10s  %-16s  %8s  %s\n", printable(s.id).c_str(),
                            s.provider.empty() ? "-" : printable(s.provider).c_str(),
                            printable(s.client).c_str(),
                            s.busy ? "-" : human_duration(idle).c_str(), s.busy ? "busy" : "idle");
            }
        });
}

}  // namespace ch::ctl
