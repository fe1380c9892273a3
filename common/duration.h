// Durations as written in the configuration: "250ms", "2s", "5m", "1h", "1d".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ch {

// Parses a non-negative duration; std::nullopt for anything else (the caller words the error).
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// Shortest exact spelling, e.g. 120000ms -> "2m"; for messages and the health document.
std::string format_duration(std::chrono::milliseconds d);

}  // namespace ch
