// Zones: libstdc++ 12 has no std::chrono::locate_zone, and setenv("TZ") + localtime_r races
// with every other thread that formats local time (spdlog does), mutex or not. So zone offsets
// are read here straight from the system's TZif files (RFC 8536): the transition table, and
// the POSIX TZ footer rule for instants after the last transition ("slim" tzdata).
#include "common/usage_limit.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace ch {

namespace {

using namespace std::chrono;

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool digit(char c) {
    return c >= '0' && c <= '9';
}

bool alpha(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0;
}

// Consumes `c` when it comes next.
bool eat(std::string_view& s, char c) {
    if (s.empty() || s.front() != c) return false;
    s.remove_prefix(1);
    return true;
}

// Reads up to `max` digits; -1 when there is none.
long number(std::string_view& s, std::size_t max = 10) {
    long n = -1;
    for (std::size_t i = 0; i < max && !s.empty() && digit(s.front()); ++i) {
        n = (n < 0 ? 0 : n * 10) + (s.front() - '0');
        s.remove_prefix(1);
    }
    return n;
}

// "[+-]hh[:mm[:ss]]" in seconds; false when no hour is there.
bool hms(std::string_view& s, long& seconds) {
    const long sign = eat(s, '-') ? -1 : (eat(s, '+'), 1);
    const long h = number(s, 3);
    if (h < 0) return false;
    long parts[2] = {0, 0};  // minutes, seconds
    for (long& part : parts) {
        if (!eat(s, ':')) break;
        part = std::max(0L, number(s, 2));
    }
    seconds = sign * (h * 3600 + parts[0] * 60 + parts[1]);
    return true;
}

// One DST boundary of a POSIX TZ rule: "Mm.w.d", "Jn" or "n", then "/time" (default 02:00).
struct RuleDate {
    char kind = 'M';
    long m = 0, w = 0, d = 0;  // 'J' and 'n' keep their day number in d
    long time = 7200;

    bool parse(std::string_view& s) {
        if (eat(s, 'M')) {
            m = number(s, 2);
            if (m < 1 || m > 12 || !eat(s, '.')) return false;
            w = number(s, 1);
            if (w < 1 || w > 5 || !eat(s, '.')) return false;
            d = number(s, 1);
            if (d < 0 || d > 6) return false;
        } else {
            kind = eat(s, 'J') ? 'J' : 'n';
            if ((d = number(s, 3)) < 0) return false;
        }
        return !eat(s, '/') || hms(s, time);
    }

    // Seconds since the epoch of this boundary in `year`, as local time of offset `utoff`.
    std::int64_t at(int y, long utoff) const {
        sys_days day;
        const year_month ym{year(y), month(static_cast<unsigned>(m))};
        if (kind == 'M' && w == 5) {
            day = sys_days(ym / weekday_last(weekday(static_cast<unsigned>(d))));
        } else if (kind == 'M') {
            day = sys_days(
                ym / weekday_indexed(weekday(static_cast<unsigned>(d)), static_cast<unsigned>(w)));
        } else {
            const auto jan1 = sys_days(year(y) / January / 1);
            const bool skip_leap = kind == 'J' && year(y).is_leap() && d >= 60;
            day = jan1 + days(kind == 'J' ? d - 1 + (skip_leap ? 1 : 0) : d);
        }
        return day.time_since_epoch().count() * 86400LL + time - utoff;
    }
};

// "std offset [dst [offset] [,start[/time],end[/time]]]", e.g. "CET-1CEST,M3.5.0,M10.5.0/3".
// POSIX offsets count west of Greenwich, hence the sign flips.
struct PosixRule {
    long std_off = 0, dst_off = 0;
    bool has_dst = false;
    RuleDate start, end;

    static bool name(std::string_view& s) {
        if (!s.empty() && s.front() == '<') {
            const auto close = s.find('>');
            if (close == std::string_view::npos) return false;
            s.remove_prefix(close + 1);
            return true;
        }
        std::size_t n = 0;
        while (n < s.size() && alpha(s[n]))
            ++n;
        s.remove_prefix(n);
        return n >= 3;
    }

    bool parse(std::string_view s) {
        long west = 0;
        if (!name(s) || !hms(s, west)) return false;
        std_off = -west;
        if (s.empty()) return true;
        if (!name(s)) return false;
        has_dst = true;
        dst_off = std_off + 3600;
        if (!s.empty() && s.front() != ',') {
            if (!hms(s, west)) return false;
            dst_off = -west;
        }
        // Without a rule DST cannot be placed: the transition table alone is used then.
        return eat(s, ',') && start.parse(s) && eat(s, ',') && end.parse(s);
    }

    long offset_at(std::int64_t t) const {
        if (!has_dst) return std_off;
        const auto local_day = floor<days>(sys_seconds(seconds(t + std_off)));
        const int y = static_cast<int>(year_month_day(local_day).year());
        const std::int64_t from = start.at(y, std_off), to = end.at(y, dst_off);
        const bool dst = from < to ? (t >= from && t < to) : (t >= from || t < to);
        return dst ? dst_off : std_off;
    }
};

class Zone {
  public:
    static Zone fixed(long offset) {
        Zone zone;
        zone.initial_ = offset;
        return zone;
    }

    static std::optional<Zone> load(const std::string& name) {
        // Only plain IANA names: no absolute paths, no "..", nothing outside the database.
        const bool safe = !name.empty() && name.front() != '/' &&
                          name.find("..") == std::string::npos &&
                          std::all_of(name.begin(), name.end(), [](char c) {
                              return std::isalnum(static_cast<unsigned char>(c)) || c == '/' ||
                                     c == '_' || c == '-' || c == '+';
                          });
        if (!safe) return std::nullopt;
        std::ifstream in("/usr/share/zoneinfo/" + name, std::ios::binary);
        std::string data;
        if (in) data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        Zone zone;
        if (!zone.parse(data)) return std::nullopt;
        return zone;
    }

    long offset_at(std::int64_t t) const {
        if (transitions_.empty() || t < transitions_.front()) {
            return transitions_.empty() && has_rule_ ? rule_.offset_at(t) : initial_;
        }
        if (has_rule_ && t >= transitions_.back()) return rule_.offset_at(t);
        const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
        return offsets_[static_cast<std::size_t>(it - transitions_.begin()) - 1];
    }

  private:
    bool parse(const std::string& data) {
        std::size_t pos = 0;
        auto be = [&](std::size_t at, int bytes) {
            std::uint64_t v = 0;
            for (int i = 0; i < bytes; ++i)
                v = v << 8 | static_cast<unsigned char>(data[at + i]);
            // Sign-extend (times and offsets are signed).
            return bytes == 4 ? static_cast<std::int64_t>(static_cast<std::int32_t>(v))
                              : static_cast<std::int64_t>(v);
        };
        // Header + data block; v2+ files repeat both with 64-bit times after the v1 part.
        for (int pass = 0; pass < 2; ++pass) {
            if (data.size() < pos + 44 || data.compare(pos, 4, "TZif") != 0) return false;
            const bool v2 = data[pos + 4] >= '2';
            const int tsize = pass == 0 ? 4 : 8;
            std::int64_t c[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
            for (int i = 0; i < 6; ++i)
                c[i] = be(pos + 20 + 4 * i, 4);
            if (std::any_of(c, c + 6, [](std::int64_t n) { return n < 0 || n > 100000; })) {
                return false;
            }
            pos += 44;
            const auto size = static_cast<std::size_t>(c[3] * tsize + c[3] + c[4] * 6 + c[5] +
                                                       c[2] * (tsize + 4) + c[1] + c[0]);
            if (data.size() < pos + size || c[4] == 0) return false;
            if (pass == 0 && v2) {
                pos += size;  // skip the 32-bit data
                continue;
            }
            transitions_.clear();
            offsets_.clear();
            const std::size_t idx = pos + static_cast<std::size_t>(c[3] * tsize);
            const std::size_t types = idx + static_cast<std::size_t>(c[3]);
            for (std::int64_t i = 0; i < c[3]; ++i) {
                const auto type = static_cast<unsigned char>(data[idx + i]);
                if (type >= c[4]) return false;
                transitions_.push_back(be(pos + i * tsize, tsize));
                offsets_.push_back(static_cast<long>(be(types + type * 6u, 4)));
            }
            initial_ = static_cast<long>(be(types, 4));  // type 0 rules before the first
            pos += size;
            if (pass == 1 && pos < data.size() && data[pos] == '\n') {
                const auto end = data.find('\n', pos + 1);
                if (end != std::string::npos) {
                    has_rule_ = rule_.parse(std::string_view(data).substr(pos + 1, end - pos - 1));
                }
            }
            return true;
        }
        return false;
    }

    std::vector<std::int64_t> transitions_;
    std::vector<long> offsets_;
    long initial_ = 0;
    bool has_rule_ = false;
    PosixRule rule_;
};

// No zone named means UTC; "UTC"/"GMT" and "UTC+2"/"GMT-05:30" are fixed; the rest IANA.
std::optional<Zone> resolve_zone(const std::string& name) {
    const std::string up = lower(name);
    if (up.empty() || up == "utc" || up == "gmt" || up == "z" || up == "ut") return Zone::fixed(0);
    if ((up.rfind("utc", 0) == 0 || up.rfind("gmt", 0) == 0) && (up[3] == '+' || up[3] == '-')) {
        std::string_view rest = std::string_view(up).substr(3);
        long offset = 0;
        if (hms(rest, offset) && rest.empty() && offset > -86400 && offset < 86400) {
            return Zone::fixed(offset);
        }
        return std::nullopt;
    }
    return Zone::load(name);
}

// Consumes a word when it abbreviates one of `names` (at least 3 letters); its index or -1.
int word_in(std::string_view& s, const std::vector<std::string_view>& names) {
    std::size_t n = 0;
    while (n < s.size() && alpha(s[n]))
        ++n;
    if (n < 3) return -1;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i].substr(0, n) == s.substr(0, n)) {
            s.remove_prefix(n);
            return static_cast<int>(i);
        }
    }
    return -1;
}

void skip(std::string_view& s, std::string_view chars = " \t,") {
    while (!s.empty() && chars.find(s.front()) != std::string_view::npos)
        s.remove_prefix(1);
}

struct ResetSpec {
    int weekday = -1;             // 0 = Sunday
    unsigned month = 0, day = 0;  // 0 = not named
    long minutes = 0;             // of the day
    std::string zone;
};

// Parses what follows "reset(s)": "[at] [Mon] [Sep 15[,]] [at] 4[:30]pm|16:00 [(Zone)]".
// `low` is the lowercased text and `orig` the same bytes with case kept (for the zone name).
std::optional<ResetSpec> parse_spec(std::string_view low, std::string_view orig) {
    static const std::vector<std::string_view> kDays = {
        "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
    static const std::vector<std::string_view> kMonths = {
        "january", "february", "march",     "april",   "may",      "june",
        "july",    "august",   "september", "october", "november", "december"};
    auto filler = [](std::string_view& s) {  // "at", "on" between the parts
        skip(s);
        if (s.substr(0, 3) == "at " || s.substr(0, 3) == "on ") s.remove_prefix(3);
        skip(s);
    };
    ResetSpec spec;
    auto s = low;
    filler(s);
    spec.weekday = word_in(s, kDays);
    skip(s);
    if (const int m = word_in(s, kMonths); m >= 0) {
        skip(s, " ");
        const long day = number(s, 2);
        if (day < 1) return std::nullopt;
        spec.month = static_cast<unsigned>(m + 1);
        spec.day = static_cast<unsigned>(day);
        while (!s.empty() && alpha(s.front()))
            s.remove_prefix(1);  // "15th"
    }
    filler(s);
    long hour = number(s, 2), minute = 0;
    if (hour < 0) return std::nullopt;
    const bool colon = !s.empty() && s.front() == ':';
    if (colon) {
        s.remove_prefix(1);
        if ((minute = number(s, 2)) < 0) return std::nullopt;
    }
    skip(s, " ");
    if (s.substr(0, 2) == "am" || s.substr(0, 2) == "pm" || s.substr(0, 4) == "a.m." ||
        s.substr(0, 4) == "p.m.") {
        if (hour < 1 || hour > 12) return std::nullopt;
        hour = hour % 12 + (s.front() == 'p' ? 12 : 0);
        s.remove_prefix(s[1] == '.' ? 4 : 2);
    } else if (!colon || hour > 23) {
        return std::nullopt;  // a bare number is not a time
    }
    if (minute > 59) return std::nullopt;
    spec.minutes = hour * 60 + minute;
    skip(s, " ");
    if (!s.empty() && s.front() == '(') {
        const auto close = s.find(')');
        if (close == std::string_view::npos) return std::nullopt;
        const std::size_t at = low.size() - s.size();
        spec.zone = std::string(orig.substr(at + 1, close - 1));
    }
    return spec;
}

std::optional<long> next_occurrence(const ResetSpec& spec, std::int64_t now) {
    const auto zone = resolve_zone(spec.zone);
    if (!zone) return std::nullopt;
    // The instants showing wall-clock `local`: both in a repeated hour (earliest first), and a
    // time skipped by a DST gap maps forward by the gap. Transitions are days apart.
    auto instants = [&](std::int64_t local) {
        const long before = zone->offset_at(local - 86400), after = zone->offset_at(local + 86400);
        std::vector<std::int64_t> out;
        if (zone->offset_at(local - before) == before) out.push_back(local - before);
        if (after != before && zone->offset_at(local - after) == after)
            out.push_back(local - after);
        if (out.empty()) out.push_back(local - before);
        std::sort(out.begin(), out.end());
        return out;
    };
    const auto today = floor<days>(sys_seconds(seconds(now + zone->offset_at(now))));
    std::vector<sys_days> candidates;
    if (spec.month != 0) {
        const auto y = year_month_day(today).year();
        for (const auto yr : {y, y + years(1)}) {
            const year_month_day date{yr, month(spec.month), day(spec.day)};
            if (date.ok()) candidates.push_back(sys_days(date));
        }
    } else {
        for (int k = 0; k <= 8; ++k) {
            const sys_days date = today + days(k);
            if (spec.weekday < 0 || weekday(date).c_encoding() == unsigned(spec.weekday)) {
                candidates.push_back(date);
            }
        }
    }
    for (const sys_days date : candidates) {
        const std::int64_t local = date.time_since_epoch().count() * 86400LL + spec.minutes * 60;
        for (const std::int64_t at : instants(local)) {
            if (at > now) return static_cast<long>(std::max<std::int64_t>(1, at - now));
        }
    }
    return std::nullopt;
}

}  // namespace

bool is_usage_limit_message(std::string_view text) {
    const std::string low = lower(text);
    auto has = [&](std::string_view needle) { return low.find(needle) != std::string::npos; };
    return (has("hit your") && has("limit")) || has("usage limit reached") ||
           has("limit will reset") || (has("limit reached") && (has("reset") || has("|")));
}

std::optional<long> seconds_until_reset(std::string_view text, system_clock::time_point now) {
    const std::int64_t now_s = floor<seconds>(now).time_since_epoch().count();
    const std::string low = lower(text);
    // Older CLIs: "Claude AI usage limit reached|<epoch seconds>".
    if (const auto bar = low.find("limit reached|"); bar != std::string::npos) {
        std::string_view rest = std::string_view(low).substr(bar + 14);
        long long epoch = 0;
        std::size_t n = 0;
        for (; n < rest.size() && n < 15 && digit(rest[n]); ++n)
            epoch = epoch * 10 + rest[n] - '0';
        if (n > 0) {
            if (n >= 13) epoch /= 1000;  // milliseconds
            return static_cast<long>(std::max<long long>(1, epoch - now_s));
        }
    }
    for (auto pos = low.find("reset"); pos != std::string::npos; pos = low.find("reset", pos + 5)) {
        std::size_t start = pos + 5;
        if (start < low.size() && low[start] == 's') ++start;
        const auto spec = parse_spec(std::string_view(low).substr(start), text.substr(start));
        if (spec) return next_occurrence(*spec, now_s);
    }
    return std::nullopt;
}

}  // namespace ch
