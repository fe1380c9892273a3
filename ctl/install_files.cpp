#include "ctl/install_files.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ch::ctl {
namespace {

std::string toml_quote(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

bool under(const std::string& path, const std::string& dir) {
    return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
           path[dir.size()] == '/';
}

// The first directory below home on the way to path: /home/a/.local/bin/claude -> /home/a/.local
std::string top_below(const std::string& path, const std::string& home) {
    const auto end = path.find('/', home.size() + 1);
    return path.substr(0, end);
}

std::string read_all(const std::string& path, bool* exists) {
    std::ifstream in(path, std::ios::binary);
    *exists = static_cast<bool>(in);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

std::string fragment_text(const InstallPlan& plan) {
    std::string out =
        "# Written by `claude-harnessctl install`; `claude-harnessctl uninstall` removes it.\n"
        "# The CLI runs as this user and uses its Claude login.\n"
        "[[providers]]\n"
        "name = \"default\"\n"
        "user = " +
        toml_quote(plan.user) + "\nclaude = " + toml_quote(plan.claude) + "\n";
    if (!plan.port_given && plan.docker_address.empty()) return out;
    const std::string port = std::to_string(plan.port);
    out += "\n[server]\nlisten = [\"127.0.0.1:" + port + "\"";
    if (!plan.docker_address.empty()) out += ", \"" + plan.docker_address + ":" + port + "\"";
    out += "]\n";
    if (!plan.api_keys_file.empty())
        out += "api_keys_file = " + toml_quote(plan.api_keys_file) + "\n";
    return out;
}

std::string dropin_text(const InstallPlan& plan) {
    if (under(plan.home, kStateDir)) return "";
    std::string out = "# Written by `claude-harnessctl install --user " + plan.user +
                      "`; `claude-harnessctl uninstall` removes it.\n"
                      "# The unit hides homes (ProtectHome=yes); the CLI runs as " +
                      plan.user +
                      " and must read and refresh its login,\n"
                      "# so only that login is made visible and writable.\n"
                      "[Service]\n"
                      "ProtectHome=tmpfs\n"
                      "BindPaths=-" +
                      plan.home + "/.claude\nBindPaths=-" + plan.home + "/.claude.json\n";
    // An npm install under the home (~/.local, ~/.npm-global) must stay visible too.
    for (const std::string& path : {plan.claude, plan.claude_real}) {
        if (!under(path, plan.home)) continue;
        const std::string top = top_below(path, plan.home);
        if (out.find("BindReadOnlyPaths=" + top + "\n") == std::string::npos)
            out += "BindReadOnlyPaths=" + top + "\n";
    }
    return out;
}

bool write_if_changed(const std::string& path, const std::string& text, mode_t mode) {
    bool exists = false;
    if (read_all(path, &exists) == text && exists) return false;
    const std::string tmp = path + ".tmp";
    const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    bool ok = fd >= 0;
    ok = ok && write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ok = ok && fchmod(fd, mode) == 0 && fsync(fd) == 0;
    const int saved = errno;
    if (fd >= 0) close(fd);
    if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
        unlink(tmp.c_str());
        throw std::runtime_error("cannot write " + path + ": " + std::strerror(ok ? errno : saved));
    }
    return true;
}

bool remove_if_present(const std::string& path) {
    if (unlink(path.c_str()) == 0) return true;
    if (errno == ENOENT) return false;
    throw std::runtime_error("cannot remove " + path + ": " + std::strerror(errno));
}

std::string new_api_key() {
    unsigned char bytes[24];
    if (getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes))
        throw std::runtime_error("getrandom failed");
    std::string key = "sk-ch-";
    for (const unsigned char b : bytes) {
        char hex[3];
        std::snprintf(hex, sizeof hex, "%02x", b);
        key += hex;
    }
    return key;
}

}  // namespace ch::ctl

namespace ch::ctl {

InstallPaths install_paths(const std::string& config, const std::string& systemd_dir) {
    const auto slash = config.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : config.substr(0, slash);
    InstallPaths p;
    p.config = config;
    p.fragment = dir + "/config.d/50-install.toml";
    p.keys = dir + "/api-keys";
    p.dropin_dir = systemd_dir + "/claude-harness.service.d";
    p.dropin = p.dropin_dir + "/50-install.conf";
    return p;
}

}  // namespace ch::ctl
