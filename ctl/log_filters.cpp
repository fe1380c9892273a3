#include "ctl/log_filters.h"

#include <charconv>
#include <ctime>
#include <string>

namespace ch::ctl {
namespace {

constexpr const char* kPriorityNames[] = {"emerg",   "alert",  "crit", "err",
                                          "warning", "notice", "info", "debug"};

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

// Local time to epoch µs; nullopt when a field is out of range (mktime would roll it over).
std::optional<std::int64_t> local_epoch_us(int year, int month, int day, int h, int m, int s) {
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = h;
    tm.tm_min = m;
    tm.tm_sec = s;
    tm.tm_isdst = -1;
    const std::tm wanted = tm;
    const std::time_t t = std::mktime(&tm);
    if (t == -1 || tm.tm_year != wanted.tm_year || tm.tm_mon != wanted.tm_mon ||
        tm.tm_mday != wanted.tm_mday || h > 23 || m > 59 || s > 59)
        return std::nullopt;
    return static_cast<std::int64_t>(t) * 1000000;
}

std::optional<std::int64_t> absolute(std::string_view text) {
    std::size_t pos = 0;
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!digits(text, &pos, 4, &year) || !expect(text, &pos, '-') ||
        !digits(text, &pos, 2, &month) || !expect(text, &pos, '-') || !digits(text, &pos, 2, &day))
        return std::nullopt;
    if (pos == text.size()) return local_epoch_us(year, month, day, 0, 0, 0);
    if (!expect(text, &pos, ' ') && !expect(text, &pos, 'T')) return std::nullopt;
    if (!digits(text, &pos, 2, &hour) || !expect(text, &pos, ':') ||
        !digits(text, &pos, 2, &minute))
        return std::nullopt;
    if (pos < text.size() && (!expect(text, &pos, ':') || !digits(text, &pos, 2, &second)))
        return std::nullopt;
    if (pos != text.size()) return std::nullopt;
    return local_epoch_us(year, month, day, hour, minute, second);
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

// "-5m" or "5min ago" (also "5 min ago"): how many µs before now.
std::optional<std::int64_t> relative(std::string_view text) {
    if (text.starts_with("-")) {
        text.remove_prefix(1);
    } else if (text.ends_with(" ago")) {
        text.remove_suffix(4);
    } else {
        return std::nullopt;
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
    return absolute(text);
}

std::optional<int> parse_priority(std::string_view text) {
    if (text.size() == 1 && text[0] >= '0' && text[0] <= '7') return text[0] - '0';
    for (int i = 0; i < 8; ++i)
        if (text == kPriorityNames[i]) return i;
    // The other spellings syslog and journalctl accept.
    if (text == "panic") return 0;
    if (text == "error") return 3;
    if (text == "warn") return 4;
    return std::nullopt;
}

const char* priority_name(int priority) {
    return priority >= 0 && priority < 8 ? kPriorityNames[priority] : "unknown";
}

}  // namespace ch::ctl
