#include "ctl/service_control.h"

#include <stdexcept>

#include "ctl/run_program.h"

namespace ch::ctl {

void systemctl(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"systemctl"};
    argv.insert(argv.end(), args.begin(), args.end());
    const ProgramResult r = run_program(argv);
    if (r.exit_code != 0) {
        std::string command;
        for (const auto& a : argv)
            command += (command.empty() ? "" : " ") + a;
        throw std::runtime_error(command + " failed: " + r.output);
    }
}

bool unit_active() {
    return run_program({"systemctl", "is-active", "--quiet", kUnit}).exit_code == 0;
}

}  // namespace ch::ctl
