// The few systemctl calls install and uninstall make, with failures as exceptions that carry
// systemctl's own words.
#pragma once

#include <string>
#include <vector>

namespace ch::ctl {

inline constexpr const char* kUnit = "claude-harness.service";

// Runs `systemctl ARGS...`; throws std::runtime_error with its output when it fails.
void systemctl(const std::vector<std::string>& args);
// `systemctl start/restart` return once the start job is done, which for Type=notify is when
// the daemon sent READY=1 (or failed), so no polling is needed after them.
bool unit_active();

}  // namespace ch::ctl
