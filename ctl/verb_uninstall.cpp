// uninstall: takes back what install did.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/config.h"
#include "ctl/exit_codes.h"
#include "ctl/install_files.h"
#include "ctl/output.h"
#include "ctl/service_control.h"
#include "ctl/verb_options.h"
#include "ctl/verbs.h"

namespace ch::ctl {
namespace {

constexpr const char* kUsageText =
    "Usage: claude-harnessctl uninstall [--config PATH] [--systemd-dir DIR] [--files-only]\n"
    "\n"
    "Undoes `claude-harnessctl install`: removes the config.d/50-install.toml fragment, the\n"
    "API key file install created and the systemd drop-in, reloads systemd, then stops and\n"
    "disables the service. The package's own files and the state directory stay (remove the\n"
    "package, or purge it, for those). Running it again changes nothing.\n"
    "\n"
    "Options:\n"
    "  --config PATH      main configuration file (default /etc/claude-harness/config.toml)\n"
    "  --systemd-dir DIR  where the drop-in is (default /etc/systemd/system)\n"
    "  --files-only       remove the files only; do not call systemctl\n"
    "  -h, --help         show this help\n"
    "\n"
    "Exit status: 0 done, 1 failure, 2 usage error.\n";

// Only a key file that install created goes; one the administrator made stays.
bool created_by_install(const std::string& path) {
    std::ifstream in(path);
    std::string first;
    std::getline(in, first);
    return in && first + "\n" == kKeysHeader;
}

void removed(bool did, const std::string& path) {
    std::printf("%s %s\n", did ? "removed:" : "absent:", path.c_str());
}

}  // namespace

int verb_uninstall(int argc, char** argv) {
    std::string config = kDefaultConfigPath, systemd_dir = "/etc/systemd/system";
    bool files_only = false;
    VerbOptions options("uninstall", kUsageText);
    options.value("config", 0, [&](const std::string& v) { config = v; })
        .value("systemd-dir", 0, [&](const std::string& v) { systemd_dir = v; })
        .flag("files-only", 0, &files_only);
    if (const auto exit = options.parse(argc, argv)) return *exit;
    if (geteuid() != 0) {
        std::fprintf(stderr, "claude-harnessctl: uninstall must run as root (sudo)\n");
        return kFailure;
    }
    try {
        const InstallPaths paths = install_paths(config, systemd_dir);
        removed(remove_if_present(paths.fragment), paths.fragment);
        if (created_by_install(paths.keys)) removed(remove_if_present(paths.keys), paths.keys);
        const bool dropin = remove_if_present(paths.dropin);
        removed(dropin, paths.dropin);
        std::error_code ec;
        std::filesystem::remove(paths.dropin_dir, ec);  // only when empty
        if (files_only) return kOk;
        if (dropin) systemctl({"daemon-reload"});
        systemctl({"disable", "--now", "--quiet", kUnit});
        std::printf("%s is stopped and disabled.\n", kUnit);
        return kOk;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "claude-harnessctl: %s\n", printable(e.what()).c_str());
        return kFailure;
    }
}

}  // namespace ch::ctl
