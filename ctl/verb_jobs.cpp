// jobs: the queued and running jobs.
#include <cstdio>

#include "ctl/list_verb.h"
#include "ctl/verbs.h"

namespace ch::ctl {
namespace {

constexpr const char* kUsageText =
    "Usage: claude-harnessctl jobs [--json]\n"
    "\n"
    "Lists the jobs claude-harnessd is running or has queued: id, model, provider, state,\n"
    "client (API key id or address), age and the CLI's process id.\n";

}  // namespace

int verb_jobs(int argc, char** argv) {
    return list_verb(
        "jobs", kUsageText, "job", argc, argv, [](BusClient& client) { return client.jobs(); },
        [](const auto& jobs) {
            std::printf("%-24s  %-20s  %-10s  %-7s  %-16s  %8s  %s\n", "ID", "MODEL", "PROVIDER",
                        "STATE", "CLIENT", "AGE", "PID");
            const auto now = now_us();
            for (const auto& j : jobs) {
                const auto age = seconds_between(static_cast<std::int64_t>(j.created_us), now);
                std::printf("%-24s  %-20s  %-10s  %-7s  %-16s  %8s  %s\n", printable(j.id).c_str(),
                            printable(j.model).c_str(), printable(j.provider).c_str(),
                            j.state.c_str(), printable(j.client).c_str(),
                            human_duration(age).c_str(),
                            j.pid ? std::to_string(j.pid).c_str() : "-");
            }
        });
}

}  // namespace ch::ctl
