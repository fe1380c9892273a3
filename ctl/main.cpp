// claude-harnessctl: the control client. This first version only validates configuration
// files; the D-Bus verbs (status, jobs, cancel, reload, test, logs, doctor) build on it.
#include <cstdio>
#include <cstring>
#include <string>

#include "common/config.h"
#include "common/version.h"

namespace {

constexpr const char* kUsage =
    "Usage: claude-harnessctl [--version] [--help] COMMAND\n"
    "\n"
    "Commands:\n"
    "  check-config [PATH]  Validate a configuration file (default "
    "/etc/claude-harness/config.toml)\n"
    "\n"
    "Exit status: 0 ok, 1 failure, 2 usage error.\n";

int check_config(const std::string& path) {
    const ch::ConfigLoad load = ch::load_config_file(path);
    for (const auto& e : load.errors)
        std::fprintf(stderr, "%s\n", e.c_str());
    if (!load.ok()) return 1;
    std::printf("%s: ok\n", path.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    const std::string verb = argv[1];
    if (verb == "--help" || verb == "-h") {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (verb == "--version") {
        std::printf("claude-harnessctl %s\n", ch::kVersion);
        return 0;
    }
    if (verb == "check-config" && argc <= 3) {
        return check_config(argc == 3 ? argv[2] : "/etc/claude-harness/config.toml");
    }
    std::fprintf(stderr, "claude-harnessctl: unknown command or arguments: %s\n%s", argv[1],
                 kUsage);
    return 2;
}
