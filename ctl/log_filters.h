// The values `logs` filters by, parsed from the command line: --since and --priority.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/since.h"

namespace ch::ctl {

// --since is read by parse_since, shared with `usage`.
using ch::parse_since;

// 0 (emerg) to 7 (debug) from a syslog level name or digit; std::nullopt for anything else.
std::optional<int> parse_priority(std::string_view text);

// "emerg", "alert", ..., "debug".
const char* priority_name(int priority);

}  // namespace ch::ctl
