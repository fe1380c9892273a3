// cancel ID: stops a queued or running job.
#include <cstdio>
#include <string>
#include <vector>

#include "ctl/bus_client.h"
#include "ctl/exit_codes.h"
#include "ctl/output.h"
#include "ctl/verb_options.h"
#include "ctl/verbs.h"

namespace ch::ctl {
namespace {

constexpr const char* kUsageText =
    "Usage: claude-harnessctl cancel ID\n"
    "\n"
    "Cancels a queued or running job (see `claude-harnessctl jobs`). Its CLI is stopped and\n"
    "its client gets HTTP 410 with the code \"cancelled\". Allowed to root and members of\n"
    "the daemon's admin group (server.admin_group, default claude-harness).\n"
    "\n"
    "Options:\n"
    "  -h, --help  show this help\n"
    "\n"
    "Exit status: 0 cancelled, 1 failure (no such job, not allowed), 2 usage error,\n"
    "3 not running.\n";

}  // namespace

int verb_cancel(int argc, char** argv) {
    std::vector<std::string> ids;
    VerbOptions options("cancel", kUsageText);
    options.operands(1, 1, &ids);
    if (const auto exit = options.parse(argc, argv)) return *exit;

    return with_daemon([&]() -> int {
        BusClient client;
        client.cancel(ids[0]);
        std::printf("Cancelled job %s.\n", printable(ids[0]).c_str());
        return kOk;
    });
}

}  // namespace ch::ctl
