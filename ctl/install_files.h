// What `claude-harnessctl install` writes, as text, and the careful writing of it: a config.d
// fragment for the provider (and, for --docker, the listen address and key file), and the
// systemd drop-in that lets the run-as user's login through the unit's ProtectHome=yes.
#pragma once

#include <sys/types.h>

#include <string>

namespace ch::ctl {

struct InstallPlan {
    std::string user;         // run-as user
    std::string home;         // its home directory
    std::string claude;       // the CLI, as configured
    std::string claude_real;  // the CLI with symlinks resolved, to bind it when under home
    int port = 8013;
    bool port_given = false;
    std::string docker_address;  // "" without --docker
    std::string api_keys_file;   // set with --docker
};

// The unit keeps its state (and the packaged user's home) here; homes inside need no drop-in.
inline constexpr const char* kStateDir = "/var/lib/claude-harness";

std::string fragment_text(const InstallPlan& plan);
// "" when the user's home needs no drop-in.
std::string dropin_text(const InstallPlan& plan);

// Writes `text` atomically unless the file already holds exactly that; true when it changed.
// Throws std::runtime_error naming the path on failure.
bool write_if_changed(const std::string& path, const std::string& text, mode_t mode);
// True when the file existed and was removed.
bool remove_if_present(const std::string& path);

// A fresh API key: "sk-ch-" and 48 hex digits from the kernel's random source.
std::string new_api_key();

}  // namespace ch::ctl

namespace ch::ctl {

// Where install writes and uninstall removes, given the main configuration file and the
// systemd configuration directory (both overridable for staging and tests).
struct InstallPaths {
    std::string config;      // /etc/claude-harness/config.toml
    std::string fragment;    // /etc/claude-harness/config.d/50-install.toml
    std::string keys;        // /etc/claude-harness/api-keys (--docker)
    std::string dropin_dir;  // /etc/systemd/system/claude-harness.service.d
    std::string dropin;      // .../50-install.conf
};

InstallPaths install_paths(const std::string& config, const std::string& systemd_dir);

// Marks a key file install created, so that uninstall removes only its own.
inline constexpr const char* kKeysHeader = "# Created by claude-harnessctl install --docker.\n";

}  // namespace ch::ctl
