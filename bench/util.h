// What every part of harness-bench shares: the clock, the prompt and its expected reply, one
// sample of a request, string formatting and safe navigation of parsed JSON.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

namespace bench {

using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

inline constexpr std::chrono::seconds kRequestTimeout{30};  // one CLI run or one HTTP request
inline constexpr const char* kPrompt = "Say hello.";
inline constexpr const char* kExpectedReply = "Hello from the fake.";

struct Sample {
    bool ok = false;
    double first_delta_ms = 0;  // direct: spawn -> first text_delta line; HTTP: first content
    double total_ms = 0;        // direct: spawn -> result line; HTTP: the whole response
    std::string error;
};

double ms_between(Clock::time_point a, Clock::time_point b);

std::string sfmt(const char* format, ...) __attribute__((format(printf, 1, 2)));

[[noreturn]] void die(const std::string& message);

// Safe navigation of parsed JSON: a missing key, a wrong type or an index out of range
// gives null (or "") instead of an exception or undefined behaviour.
const json& field(const json& j, const char* key);
const json& item(const json& j, std::size_t i);
std::string text_of(const json& j);

}  // namespace bench
