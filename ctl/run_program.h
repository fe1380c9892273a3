// Running a helper program (systemctl) from claude-harnessctl and collecting what it says.
#pragma once

#include <string>
#include <vector>

namespace ch::ctl {

struct ProgramResult {
    int exit_code = -1;  // -1 when it could not run or was killed
    std::string output;  // stdout and stderr together
};

ProgramResult run_program(const std::vector<std::string>& argv);

}  // namespace ch::ctl
