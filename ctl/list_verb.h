// The shape every verb that lists what the daemon holds (jobs, sessions) shares: --json prints
// the bus reply as a JSON array; otherwise a table and a count, or one line when it is empty.
#pragma once

#include <cstdio>
#include <string>

#include "ctl/bus_client.h"
#include "ctl/bus_json.h"
#include "ctl/exit_codes.h"
#include "ctl/output.h"
#include "ctl/verb_options.h"

namespace ch::ctl {

// `fetch(BusClient&)` returns the rows; `print_table(rows)` prints the header and a line each.
// `noun` is singular: "job" gives "No jobs." and "3 job(s).". `usage` is the help's usage line
// and description; the options and exit statuses, the same for all, follow.
template <typename Fetch, typename PrintTable>
int list_verb(const char* verb, const char* usage, const char* noun, int argc, char** argv,
              Fetch fetch, PrintTable print_table) {
    const std::string help = std::string(usage) +
                             "\n"
                             "Options:\n"
                             "  --json      print a JSON array instead\n"
                             "  -h, --help  show this help\n"
                             "\n"
                             "Exit status: 0 ok, 1 failure, 2 usage error, 3 not running.\n";
    bool json = false;
    VerbOptions options(verb, help.c_str());
    options.json(&json);
    if (const auto exit = options.parse(argc, argv)) return *exit;

    return with_daemon([&]() -> int {
        BusClient client;
        const auto rows = fetch(client);
        if (json) {
            print_json(to_json(rows));
        } else if (rows.empty()) {
            std::printf("No %ss.\n", noun);
        } else {
            print_table(rows);
            std::printf("\n%zu %s(s).\n", rows.size(), noun);
        }
        return kOk;
    });
}

}  // namespace ch::ctl
