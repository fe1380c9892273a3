// install: sets claude-harness up for one user's Claude login, idempotently.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
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
#include "daemon/api_keys.h"
#include "daemon/child_reaper.h"
#include "daemon/provider_health.h"

namespace ch::ctl {
namespace {

constexpr const char* kUsageText =
    "Usage: claude-harnessctl install [--user USER] [--claude PATH] [--docker] [--port N]\n"
    "                                 [--config PATH] [--systemd-dir DIR] [--files-only]\n"
    "\n"
    "Sets the service up to run the Claude CLI as USER (default: the packaged system user\n"
    "claude-harness) with that user's Claude login. As root:\n"
    "  1. checks that USER exists and that its `claude` runs and is logged in;\n"
    "  2. writes the provider to config.d/50-install.toml next to the configuration;\n"
    "  3. writes the systemd drop-in claude-harness.service.d/50-install.conf that makes the\n"
    "     user's ~/.claude visible to the service (not needed for homes under\n"
    "     /var/lib/claude-harness);\n"
    "  4. with --docker, listens on the Docker bridge address too, creates an API key and\n"
    "     prints the settings for a router in a container;\n"
    "  5. reloads systemd, enables and (re)starts the service, waits until it is ready and\n"
    "     runs `claude-harnessctl test`.\n"
    "Running it again with the same options changes nothing.\n"
    "\n"
    "Options:\n"
    "  --user USER        the user whose login the CLI uses\n"
    "  --claude PATH      the Claude CLI (default: `claude` on the user's usual PATH)\n"
    "  --docker           also listen on the Docker bridge (docker0, else 172.17.0.1)\n"
    "  --port N           the port to listen on (default 8013)\n"
    "  --config PATH      main configuration file (default /etc/claude-harness/config.toml)\n"
    "  --systemd-dir DIR  where the drop-in goes (default /etc/systemd/system)\n"
    "  --files-only       write the files only; do not call systemctl or run the test\n"
    "  -h, --help         show this help\n"
    "\n"
    "Exit status: 0 installed and answering, 1 failure, 2 usage error.\n";

struct Options {
    std::string user = "claude-harness", claude, config = kDefaultConfigPath,
                systemd_dir = "/etc/systemd/system";
    int port = 8013;
    bool port_given = false, docker = false, files_only = false;
};

// docker0's IPv4 address when the bridge exists; Docker's default otherwise (the daemon binds
// it with IP_FREEBIND, so it works before Docker creates the bridge).
std::string docker_bridge_address() {
    std::string found = "172.17.0.1";
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return found;
    for (const ifaddrs* i = list; i; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET ||
            std::string(i->ifa_name) != "docker0")
            continue;
        char text[INET_ADDRSTRLEN];
        const auto* in = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
        if (inet_ntop(AF_INET, &in->sin_addr, text, sizeof text)) found = text;
    }
    freeifaddrs(list);
    return found;
}

void report(bool changed, const std::string& what, const std::string& path) {
    std::printf("%s %s\n", changed ? (what + ":").c_str() : "unchanged:", path.c_str());
}

// Checks the user and its CLI the way the daemon will; fills the plan's user and CLI.
bool check_provider(const Options& o, InstallPlan& plan) {
    const passwd* pw = getpwnam(o.user.c_str());
    if (!pw) {
        std::fprintf(stderr,
                     "claude-harnessctl: no user '%s' (create it, or pass --user with the user "
                     "whose Claude login should be used)\n",
                     printable(o.user).c_str());
        return false;
    }
    plan.user = o.user;
    plan.home = pw->pw_dir;
    ChildReaper reaper;
    ProviderConfig provider;
    provider.name = "default";
    provider.user = o.user;
    provider.claude = o.claude.empty() ? "claude" : o.claude;
    ProviderHealth health({provider}, reaper);
    const ProviderStatus s = health.current().front();
    if (!s.ready) {
        std::fprintf(stderr, "claude-harnessctl: %s\n", printable(s.reason).c_str());
        return false;
    }
    plan.claude = s.executable;
    std::error_code ec;
    plan.claude_real = std::filesystem::canonical(s.executable, ec).string();
    std::printf("ok: %s (%s) runs as %s, login: %s\n", printable(s.executable).c_str(),
                printable(s.version).c_str(), printable(o.user).c_str(), s.login.c_str());
    return true;
}

// The key file's first key, created when there is none.
std::string ensure_api_key(const std::string& path, bool* changed) {
    std::string error;
    if (const auto keys = ApiKeys::load(path, &error); keys && keys->enabled())
        return keys->first();
    const std::string key = new_api_key();
    *changed = write_if_changed(path, std::string(kKeysHeader) + key + "\n", 0600);
    return key;
}

// Writes the fragment and checks the result loads; a fragment that breaks it is taken back.
bool write_fragment(const InstallPaths& paths, const InstallPlan& plan, bool* changed) {
    std::filesystem::create_directories(std::filesystem::path(paths.fragment).parent_path());
    bool existed = false;
    std::ifstream old_in(paths.fragment);
    existed = static_cast<bool>(old_in);
    const std::string old((std::istreambuf_iterator<char>(old_in)), {});
    *changed = write_if_changed(paths.fragment, fragment_text(plan), 0644);
    const ConfigLoad load = load_config_file(paths.config);
    if (load.ok()) return true;
    for (const auto& e : load.errors)
        std::fprintf(stderr, "%s\n", printable(e).c_str());
    if (existed)
        write_if_changed(paths.fragment, old, 0644);
    else
        remove_if_present(paths.fragment);
    std::fprintf(stderr,
                 "claude-harnessctl: the configuration would be invalid; nothing changed\n");
    return false;
}

void print_router_settings(const InstallPlan& plan, const std::string& key) {
    const std::string port = std::to_string(plan.port);
    std::printf(
        "\nFor a router in a Docker container:\n"
        "  base URL: http://host.docker.internal:%s/v1\n"
        "            (docker run --add-host=host.docker.internal:host-gateway, or in compose:\n"
        "             extra_hosts: [\"host.docker.internal:host-gateway\"])\n"
        "        or: http://%s:%s/v1\n"
        "  API key:  %s   (kept in %s)\n",
        port.c_str(), plan.docker_address.c_str(), port.c_str(), key.c_str(),
        plan.api_keys_file.c_str());
}

int install(const Options& o) {
    if (geteuid() != 0) {
        std::fprintf(stderr, "claude-harnessctl: install must run as root (sudo)\n");
        return kFailure;
    }
    InstallPlan plan;
    plan.port = o.port;
    plan.port_given = o.port_given;
    if (!check_provider(o, plan)) return kFailure;
    const InstallPaths paths = install_paths(o.config, o.systemd_dir);
    bool any_change = false, changed = false;
    std::string key;
    if (o.docker) {
        plan.docker_address = docker_bridge_address();
        plan.api_keys_file = paths.keys;
        key = ensure_api_key(paths.keys, &changed);
        report(changed, "created", paths.keys);
        any_change |= changed;
    }
    if (!write_fragment(paths, plan, &changed)) return kFailure;
    report(changed, "wrote", paths.fragment);
    any_change |= changed;
    const std::string dropin = dropin_text(plan);
    if (dropin.empty()) {
        changed = remove_if_present(paths.dropin);
        if (changed) report(true, "removed", paths.dropin);
    } else {
        std::filesystem::create_directories(paths.dropin_dir);
        changed = write_if_changed(paths.dropin, dropin, 0644);
        report(changed, "wrote", paths.dropin);
    }
    any_change |= changed;
    if (o.docker) print_router_settings(plan, key);
    if (o.files_only) {
        std::printf("\nFiles only: run `systemctl daemon-reload && systemctl restart %s`.\n",
                    kUnit);
        return kOk;
    }
    if (any_change) systemctl({"daemon-reload"});
    systemctl({"enable", "--quiet", kUnit});
    if (any_change || !unit_active()) systemctl({"restart", kUnit});
    if (!unit_active()) {
        std::fprintf(stderr, "claude-harnessctl: %s did not start: see `claude-harnessctl logs`\n",
                     kUnit);
        return kFailure;
    }
    std::printf("%s is running.\n\n", kUnit);
    std::vector<std::string> args{"test"};
    if (!key.empty()) args.insert(args.end(), {"--api-key", key});
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    return verb_test(static_cast<int>(args.size()), argv.data());
}

}  // namespace

int verb_install(int argc, char** argv) {
    Options o;
    VerbOptions options("install", kUsageText);
    options.value("user", 0, [&](const std::string& v) { o.user = v; })
        .value("claude", 0, [&](const std::string& v) { o.claude = v; })
        .flag("docker", 0, &o.docker)
        .value("port", 0,
               [&](const std::string& v) {
                   o.port = std::atoi(v.c_str());
                   o.port_given = true;
                   if (o.port <= 0 || o.port > 65535 || std::to_string(o.port) != v)
                       throw UsageError("--port must be a port number from 1 to 65535");
               })
        .value("config", 0, [&](const std::string& v) { o.config = v; })
        .value("systemd-dir", 0, [&](const std::string& v) { o.systemd_dir = v; })
        .flag("files-only", 0, &o.files_only);
    if (const auto exit = options.parse(argc, argv)) return *exit;
    try {
        return install(o);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "claude-harnessctl: %s\n", printable(e.what()).c_str());
        return kFailure;
    }
}

}  // namespace ch::ctl
