// The checks of `doctor`, each answering one question about the installation without the
// daemon's help, with what to do when the answer is not "ok".
#pragma once

#include <string>
#include <vector>

#include "common/config.h"

namespace ch::ctl {

enum class Status { kOk, kWarn, kFail };

struct Check {
    std::string name;  // "config", "provider default: login", "listen 127.0.0.1:8013", ...
    Status status = Status::kOk;
    std::string detail;  // what was found; may span lines
    std::string fix;     // what to do, when not ok
};

const char* status_name(Status s);  // "ok", "warn", "fail"

// The configuration file is valid; *config is filled when it is.
Check check_config(const std::string& path, Config* config);

// Per provider: its run-as user, its Claude CLI (runs, version), its login and its expiry.
std::vector<Check> check_providers(const std::vector<ProviderConfig>& providers);

// Per listen address: free, held by claude-harnessd, or held by something else.
std::vector<Check> check_listen(const std::vector<ListenAddress>& listen);

// The system bus ($DBUS_SYSTEM_BUS_ADDRESS when set), and whether the daemon holds its name
// there and says it is ready.
std::vector<Check> check_bus();

}  // namespace ch::ctl
