// The values `logs` filters by, parsed from the command line: --since and --priority.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ch::ctl {

// Epoch µs for "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" (local time), "today", "yesterday"
// (local midnight), "now", or a time before now_us: "-5m", "5min ago", "2h ago", "1d ago"
// (units s, min, h, d, w and their long names). std::nullopt for anything else.
std::optional<std::int64_t> parse_since(std::string_view text, std::int64_t now_us);

// 0 (emerg) to 7 (debug) from a syslog level name or digit; std::nullopt for anything else.
std::optional<int> parse_priority(std::string_view text);

// "emerg", "alert", ..., "debug".
const char* priority_name(int priority);

}  // namespace ch::ctl
