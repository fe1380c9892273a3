#include "bench/util.h"

#include <cstdarg>
#include <cstdio>
#include <stdexcept>

namespace bench {

double ms_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

std::string sfmt(const char* format, ...) {
    va_list args;
    va_start(args, format);
    va_list again;
    va_copy(again, args);
    const int size = std::vsnprintf(nullptr, 0, format, args);
    va_end(args);
    std::string out(size > 0 ? static_cast<std::size_t>(size) : 0, '\0');
    std::vsnprintf(out.data(), out.size() + 1, format, again);
    va_end(again);
    return out;
}

[[noreturn]] void die(const std::string& message) {
    throw std::runtime_error(message);
}

const json& field(const json& j, const char* key) {
    static const json null;
    if (!j.is_object()) return null;
    const auto it = j.find(key);
    return it == j.end() ? null : *it;
}

const json& item(const json& j, std::size_t i) {
    static const json null;
    return j.is_array() && i < j.size() ? j[i] : null;
}

std::string text_of(const json& j) {
    return j.is_string() ? j.get<std::string>() : "";
}

}  // namespace bench
