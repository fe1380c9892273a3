// The fake CLI run directly, the way the daemon runs it: the baseline the daemon is measured
// against.
#pragma once

#include <string>
#include <vector>

#include "bench/util.h"

namespace bench {

struct DirectCommand {
    std::string path;
    std::vector<std::string> argv;
    std::vector<std::string> env;
    std::string cwd;
    std::string input;  // the initialize control_request and the user line
};

// The daemon's own argv, environment and stdin (daemon/cli_command.cpp, common/prompt.cpp).
DirectCommand direct_command(const std::string& fake, const std::string& cwd);

// One direct run: spawn, write stdin, read to the result line, close stdin, reap.
Sample run_direct(const DirectCommand& cmd);

}  // namespace bench
