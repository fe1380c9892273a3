#include "common/since.h"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace ch {
namespace {

// Reads exactly `count` decimal digits at text[*pos] into *value; advances *pos.
bool digits(std::string_view text, std::size_t* pos, std::size_t count, int* value) {
    if (*pos + count > text.size()) return false;
    *value = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const char c = text[*pos + i];
        if (c < '0' || c > '9') return false;
        *value = *value * 10 + (c - '0');
    }
    *pos += count;
    return true;
}

bool expect(std::string_view text, std::size_t* pos, char c) {
    if (*pos >= text.size() || text[*pos] != c) return false;
    ++*pos;
    return true;
}

struct Fields {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

bool in_range(const Fields& f) {
    return f.month >= 1 && f.month <= 12 && f.day >= 1 && f.day <= 31 && f.hour <= 23 &&
           f.minute <= 59 && f.second <= 59;
}

// Local or UTC time to epoch µs; nullopt when a field is out of range (mktime and timegm
// would roll it over).
std::optional<std::int64_t> epoch_us(const Fields& f, bool utc) {
    if (!in_range(f)) return std::nullopt;
    std::tm tm{};
    tm.tm_year = f.year - 1900;
    tm.tm_mon = f.month - 1;
    tm.tm_mday = f.day;
    tm.tm_hour = f.hour;
    tm.tm_min = f.minute;
    tm.tm_sec = f.second;
    tm.tm_isdst = -1;
    const std::tm wanted = tm;
    const std::time_t t = utc ? timegm(&tm) : std::mktime(&tm);
    if (t == -1 || tm.tm_year != wanted.tm_year || tm.tm_mon != wanted.tm_mon ||
        tm.tm_mday != wanted.tm_mday)
        return std::nullopt;
    return static_cast<std::int64_t>(t) * 1000000;
}

// ".123" (any number of digits) at text[*pos]: the fraction in µs.
bool fraction(std::string_view text, std::size_t* pos, std::int64_t* us) {
    *us = 0;
    if (*pos >= text.size() || text[*pos] != '.') return true;
    ++*pos;
    const std::size_t start = *pos;
    std::int64_t scale = 100000;
    for (; *pos < text.size() && text[*pos] >= '0' && text[*pos] <= '9'; ++*pos) {
        *us += (text[*pos] - '0') * scale;
        scale /= 10;
    }
    return *pos > start;
}

// "Z", "+HH:MM" or "-HH:MM": seconds east of UTC.
bool zone(std::string_view text, std::size_t* pos, int* offset) {
    if (expect(text, pos, 'Z') || expect(text, pos, 'z')) {
        *offset = 0;
        return true;
    }
    if (*pos >= text.size() || (text[*pos] != '+' && text[*pos] != '-')) return false;
    const int sign = text[(*pos)++] == '-' ? -1 : 1;
    int h = 0, m = 0;
    if (!digits(text, pos, 2, &h) || !expect(text, pos, ':') || !digits(text, pos, 2, &m) ||
        h > 23 || m > 59)
        return false;
    *offset = sign * (h * 3600 + m * 60);
    return true;
}

// "YYYY-MM-DD" and "YYYY-MM-DD[ T]HH:MM[:SS]" in local time, or RFC 3339 with a zone.
std::optional<std::int64_t> absolute(std::string_view text, bool zone_required) {
    std::size_t pos = 0;
    Fields f;
    if (!digits(text, &pos, 4, &f.year) || !expect(text, &pos, '-') ||
        !digits(text, &pos, 2, &f.month) || !expect(text, &pos, '-') ||
        !digits(text, &pos, 2, &f.day))
        return std::nullopt;
    if (pos == text.size()) return zone_required ? std::nullopt : epoch_us(f, false);
    const bool t = expect(text, &pos, 'T') || expect(text, &pos, 't');
    if (!t && !expect(text, &pos, ' ')) return std::nullopt;
    if (!digits(text, &pos, 2, &f.hour) || !expect(text, &pos, ':') ||
        !digits(text, &pos, 2, &f.minute))
        return std::nullopt;
    if (pos == text.size()) return zone_required ? std::nullopt : epoch_us(f, false);
    if (text[pos] == ':' && (!expect(text, &pos, ':') || !digits(text, &pos, 2, &f.second)))
        return std::nullopt;
    if (pos == text.size()) return zone_required ? std::nullopt : epoch_us(f, false);
    // From here on it must be RFC 3339: a fraction, then a zone.
    std::int64_t us = 0;
    int offset = 0;
    if (!t || !fraction(text, &pos, &us) || !zone(text, &pos, &offset) || pos != text.size())
        return std::nullopt;
    const auto utc = epoch_us(f, true);
    if (!utc) return std::nullopt;
    return *utc + us - static_cast<std::int64_t>(offset) * 1000000;
}

std::optional<std::int64_t> unit_seconds(std::string_view unit) {
    static const struct {
        std::string_view names[5];
        std::int64_t seconds;
    } kUnits[] = {
        {{"s", "sec", "secs", "second", "seconds"}, 1},
        {{"m", "min", "mins", "minute", "minutes"}, 60},
        {{"h", "hr", "hrs", "hour", "hours"}, 3600},
        {{"d", "day", "days", "", ""}, 86400},
        {{"w", "week", "weeks", "", ""}, 7 * 86400},
    };
    for (const auto& u : kUnits)
        for (std::string_view name : u.names)
            if (!name.empty() && name == unit) return u.seconds;
    return std::nullopt;
}

// "7d", "-5m" or "5min ago" (also "5 min ago"): how many µs before now.
std::optional<std::int64_t> relative(std::string_view text) {
    if (text.starts_with("-")) {
        text.remove_prefix(1);
    } else if (text.ends_with(" ago")) {
        text.remove_suffix(4);
    }
    std::int64_t count = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
    if (ec != std::errc() || end == text.data() || count < 0) return std::nullopt;
    std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
    if (unit.starts_with(" ")) unit.remove_prefix(1);
    const auto seconds = unit_seconds(unit);
    // Beyond a century is a typo, and keeps the product far from overflow.
    if (!seconds || count > 36500LL * 86400 / *seconds) return std::nullopt;
    return count * *seconds * 1000000;
}

std::optional<std::int64_t> local_midnight(std::int64_t now_us, int days_back) {
    const std::time_t now = static_cast<std::time_t>(now_us / 1000000);
    std::tm tm{};
    localtime_r(&now, &tm);
    tm.tm_mday -= days_back;  // mktime normalises across month ends
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    const std::time_t t = std::mktime(&tm);
    if (t == -1) return std::nullopt;
    return static_cast<std::int64_t>(t) * 1000000;
}

}  // namespace

std::optional<std::int64_t> parse_since(std::string_view text, std::int64_t now_us) {
    if (text == "now") return now_us;
    if (text == "today") return local_midnight(now_us, 0);
    if (text == "yesterday") return local_midnight(now_us, 1);
    if (const auto ago = relative(text)) return now_us - *ago;
    return absolute(text, false);
}

std::optional<std::int64_t> parse_rfc3339(std::string_view text) {
    return absolute(text, true);
}

std::string format_rfc3339_ms(std::int64_t epoch_us) {
    // Floor division, so that times before the epoch stay well-formed.
    std::int64_t seconds = epoch_us / 1000000;
    std::int64_t us = epoch_us % 1000000;
    if (us < 0) {
        us += 1000000;
        --seconds;
    }
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[96];  // room for any int the compiler can imagine in each field
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(us / 1000));
    return buf;
}

}  // namespace ch
