// The subscription's usage limit as the CLI reports it ("You've hit your session limit ·
// resets 4pm (UTC)"): how many seconds until that time next occurs, in the zone it names.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace ch {

bool is_usage_limit_message(std::string_view text);

// Seconds from `now` until the next occurrence of the reset time named in `text`, or
// std::nullopt when the text names no parseable time. Zones: IANA names ("Europe/Berlin"),
// "UTC"/"GMT" and fixed offsets ("UTC+2"). At least 1.
std::optional<long> seconds_until_reset(std::string_view text,
                                        std::chrono::system_clock::time_point now);

}  // namespace ch
