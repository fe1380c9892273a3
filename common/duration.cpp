#include "common/duration.h"

#include <array>
#include <cstdint>
#include <limits>

namespace ch {

namespace {

struct Unit {
    std::string_view suffix;
    std::int64_t ms;
};

// Largest first, so format_duration picks the coarsest unit that divides exactly.
constexpr std::array<Unit, 5> kUnits{{
    {"d", 24 * 60 * 60 * 1000},
    {"h", 60 * 60 * 1000},
    {"m", 60 * 1000},
    {"s", 1000},
    {"ms", 1},
}};

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
    if (text == "0") return std::chrono::milliseconds{0};

    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9')
        ++digits;
    if (digits == 0) return std::nullopt;  // empty, sign, space or a leading unit

    const std::string_view suffix = text.substr(digits);
    for (const Unit& unit : kUnits) {
        if (suffix != unit.suffix) continue;
        constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
        std::int64_t value = 0;
        for (char c : text.substr(0, digits)) {
            const int digit = c - '0';
            if (value > (kMax - digit) / 10) return std::nullopt;
            value = value * 10 + digit;
        }
        if (value > kMax / unit.ms) return std::nullopt;
        return std::chrono::milliseconds{value * unit.ms};
    }
    return std::nullopt;  // no unit ("5"), unknown unit, fraction or trailing text
}

std::string format_duration(std::chrono::milliseconds d) {
    // "0s" rather than "0": every other spelling carries a unit, and this one parses too.
    if (d.count() == 0) return "0s";
    // Unsigned magnitude so that the most negative value does not overflow when negated.
    const bool negative = d.count() < 0;
    const std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(d.count())
                                             : static_cast<std::uint64_t>(d.count());
    for (const Unit& unit : kUnits) {
        const auto unit_ms = static_cast<std::uint64_t>(unit.ms);
        if (magnitude % unit_ms == 0) {
            return (negative ? "-" : "") + std::to_string(magnitude / unit_ms) +
                   std::string(unit.suffix);
        }
    }
    return {};  // unreachable: every count is a multiple of 1ms
}

}  // namespace ch
