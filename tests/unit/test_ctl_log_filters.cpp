// What `claude-harnessctl logs` and `usage` accept for --since, and `logs` for --priority.
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <ctime>
#include <string>

#include "ctl/log_filters.h"

using namespace ch::ctl;

namespace {

constexpr std::int64_t kSecond = 1000000;
// 2026-11-21 10:30:15 UTC.
constexpr std::int64_t kNow = (1795255200LL + 30 * 60 + 15) * kSecond;

// -1 stands for "rejected", so that one BOOST_TEST shows the input and both outcomes.
std::int64_t since(const std::string& text) {
    return parse_since(text, kNow).value_or(-1);
}

// Parsing is in local time: these tests run in a fixed zone, restored afterwards.
struct InZone {
    explicit InZone(const char* tz = "UTC") {
        if (const char* old = std::getenv("TZ")) saved = old;
        setenv("TZ", tz, 1);
        tzset();
    }
    ~InZone() {
        if (!saved.empty())
            setenv("TZ", saved.c_str(), 1);
        else
            unsetenv("TZ");
        tzset();
    }
    std::string saved;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(ctl_log_filters)

BOOST_AUTO_TEST_CASE(absolute_times_are_local) {
    InZone utc;
    BOOST_TEST(since("2026-11-21") == 1795219200LL * kSecond);
    BOOST_TEST(since("2026-11-21 10:00") == 1795255200LL * kSecond);
    BOOST_TEST(since("2026-11-21 10:00:07") == 1795255207LL * kSecond);
    BOOST_TEST(since("2026-11-21T10:00:07") == 1795255207LL * kSecond);
    InZone east("XYZ-2");
    BOOST_TEST(since("2026-11-21 12:00") == 1795255200LL * kSecond);
}

BOOST_AUTO_TEST_CASE(today_and_yesterday_start_at_local_midnight) {
    InZone utc;
    BOOST_TEST(since("today") == 1795219200LL * kSecond);
    BOOST_TEST(since("yesterday") == (1795219200LL - 86400) * kSecond);
    BOOST_TEST(since("now") == kNow);
    InZone west("ABC+11");  // 23:30 on the 20th there
    BOOST_TEST(since("today") == (1795219200LL - 86400 + 11 * 3600) * kSecond);
}

BOOST_AUTO_TEST_CASE(relative_times_count_back_from_now) {
    InZone utc;
    BOOST_TEST(since("-5m") == kNow - 300 * kSecond);
    BOOST_TEST(since("-5min") == kNow - 300 * kSecond);
    BOOST_TEST(since("5min ago") == kNow - 300 * kSecond);
    BOOST_TEST(since("5 min ago") == kNow - 300 * kSecond);
    BOOST_TEST(since("30s ago") == kNow - 30 * kSecond);
    BOOST_TEST(since("2h ago") == kNow - 7200 * kSecond);
    BOOST_TEST(since("2 hours ago") == kNow - 7200 * kSecond);
    BOOST_TEST(since("1d ago") == kNow - 86400 * kSecond);
    BOOST_TEST(since("-1w") == kNow - 7 * 86400 * kSecond);
    BOOST_TEST(since("5m") == kNow - 300 * kSecond);
    BOOST_TEST(since("24h") == kNow - 86400 * kSecond);
    BOOST_TEST(since("7d") == kNow - 7 * 86400 * kSecond);
}

BOOST_AUTO_TEST_CASE(rfc3339_times_carry_their_zone) {
    InZone west("ABC+11");  // the local zone plays no part
    BOOST_TEST(since("2026-11-21T10:00:07Z") == 1795255207LL * kSecond);
    BOOST_TEST(since("2026-11-21t10:00:07z") == 1795255207LL * kSecond);
    BOOST_TEST(since("2026-11-21T12:00:07+02:00") == 1795255207LL * kSecond);
    BOOST_TEST(since("2026-11-21T08:30:07-01:30") == 1795255207LL * kSecond);
    BOOST_TEST(since("2026-11-21T10:00:07.25Z") == 1795255207LL * kSecond + 250000);
    BOOST_TEST(ch::parse_rfc3339("2026-11-21T10:00:07.123456Z").value_or(-1) ==
               1795255207LL * kSecond + 123456);
    for (const char* text : {"2026-11-21", "2026-11-21T10:00:07", "2026-11-21 10:00:07Z",
                             "2026-11-21T10:00:07.Z", "2026-11-21T10:00:07+2", "7d"})
        BOOST_TEST(!ch::parse_rfc3339(text).has_value(), "accepted \"" << text << "\"");
}

BOOST_AUTO_TEST_CASE(rfc3339_output_is_utc_with_milliseconds) {
    BOOST_TEST(ch::format_rfc3339_ms(1795255207LL * kSecond + 123999) ==
               "2026-11-21T10:00:07.123Z");
    BOOST_TEST(ch::format_rfc3339_ms(0) == "1970-01-01T00:00:00.000Z");
    const std::int64_t t = 1795255207LL * kSecond + 5000;
    BOOST_TEST(ch::parse_rfc3339(ch::format_rfc3339_ms(t)).value_or(-1) == t);
}

BOOST_AUTO_TEST_CASE(rejects_what_it_cannot_read) {
    InZone utc;
    for (const char* text : {"",
                             "soon",
                             "2026-13-01",
                             "2026-02-30",
                             "2026-11-21 24:00",
                             "2026-11-21 10:60",
                             "2026-11-21 10",
                             "2026-1-5",
                             "2026-11-21 10:00:00 UTC",
                             "2026-11-21T10:00:00+25:00",
                             "21.11.2026",
                             "-5",
                             "-m",
                             "5 ago",
                             "-5parsecs",
                             "-1.5h",
                             "--5m",
                             "-99999999999999999999d",
                             "-40000d",
                             "tomorrow"}) {
        BOOST_TEST(since(text) == -1, "accepted \"" << text << "\"");
    }
}

BOOST_AUTO_TEST_CASE(priorities_by_name_or_number) {
    BOOST_TEST(parse_priority("emerg").value_or(-1) == 0);
    BOOST_TEST(parse_priority("err").value_or(-1) == 3);
    BOOST_TEST(parse_priority("warning").value_or(-1) == 4);
    BOOST_TEST(parse_priority("debug").value_or(-1) == 7);
    BOOST_TEST(parse_priority("0").value_or(-1) == 0);
    BOOST_TEST(parse_priority("7").value_or(-1) == 7);
    for (const char* text : {"", "8", "-1", "07", "WARNING", "warnings", "info "})
        BOOST_TEST(!parse_priority(text).has_value(), "accepted \"" << text << "\"");
    BOOST_TEST(std::string(priority_name(4)) == "warning");
}

BOOST_AUTO_TEST_SUITE_END()
