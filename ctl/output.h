// Output helpers shared by the verbs: JSON on stdout, durations and times in words, and text
// made safe to print whatever bytes it came with.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ch::ctl {

// The document indented by two spaces, then a newline. Invalid UTF-8 becomes U+FFFD.
void print_json(const nlohmann::json& doc);
// The document on one line (for one object per line output).
void print_json_line(const nlohmann::json& doc);

// The two largest non-zero units of the magnitude: "45s", "3min 20s", "2h 3min", "3d 4h", "0s".
std::string human_duration(std::chrono::seconds d);

// An epoch-µs time in the local zone with its abbreviation: "2026-11-21 10:00:00 UTC".
std::string local_time(std::int64_t epoch_us);
// The same in a strftime(3) format.
std::string local_time(std::int64_t epoch_us, const char* format);

// "in 5h", "3min ago", "now" (under a second), relative to now_us.
std::string relative_time(std::int64_t epoch_us, std::int64_t now_us);

std::int64_t now_us();

// Whole seconds from epoch_us to now_us.
inline std::chrono::seconds seconds_between(std::int64_t epoch_us, std::int64_t now_us) {
    return std::chrono::seconds((now_us - epoch_us) / 1000000);
}

// Every invalid UTF-8 sequence (stray, overlong, surrogate, beyond U+10FFFF) as U+FFFD.
std::string valid_utf8(std::string_view text);

// valid_utf8, and control characters as U+FFFD too (except tab, and newline when kept), so
// that text from elsewhere cannot drive the terminal.
std::string printable(std::string_view text, bool keep_newlines = false);

}  // namespace ch::ctl
