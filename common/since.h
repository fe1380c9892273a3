// Points in time as people write them on a command line (`logs --since`, `usage --since`),
// and the RFC 3339 UTC timestamps of the usage ledger.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ch {

// Epoch µs for "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" (local time), an RFC 3339 time with a
// zone ("2026-11-21T10:00:00Z", "2026-11-21T12:00:00.5+02:00"), "today", "yesterday" (local
// midnight), "now", or a time before now_us: "7d", "-5m", "5min ago", "2h ago" (units s, min,
// h, d, w and their long names). std::nullopt for anything else.
std::optional<std::int64_t> parse_since(std::string_view text, std::int64_t now_us);

// Only RFC 3339 with a zone ("Z" or "±HH:MM") and optional fractional seconds.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);

// "2026-11-21T10:00:00.123Z": UTC with milliseconds.
std::string format_rfc3339_ms(std::int64_t epoch_us);

}  // namespace ch
