#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>

#include "common/usage_limit.h"

using namespace std::chrono;

namespace {

// 2026-11-21T15:00:00Z, a Saturday.
constexpr long long kNow = 1795273200;

system_clock::time_point at(long long epoch) {
    return system_clock::time_point(seconds(epoch));
}

system_clock::time_point utc(int y, unsigned m, unsigned d, int hh, int mm = 0) {
    return sys_days(year(y) / month(m) / day(d)) + hours(hh) + minutes(mm);
}

// -1 stands for std::nullopt, so one BOOST_TEST shows the text and both values.
long secs(const std::string& text, system_clock::time_point now = at(kNow)) {
    return ch::seconds_until_reset(text, now).value_or(-1);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(usage_limit)

BOOST_AUTO_TEST_CASE(fixture_time_is_what_it_claims) {
    BOOST_TEST(utc(2026, 11, 21, 15).time_since_epoch() == seconds(kNow));
}

BOOST_AUTO_TEST_CASE(recognises_limit_messages) {
    for (const char* text : {
             "You've hit your session limit \xC2\xB7 resets 4pm (UTC)",
             "You've hit your weekly limit \xC2\xB7 resets Mon 9am (Europe/Berlin)",
             "You\xE2\x80\x99ve hit your limit \xC2\xB7 resets 11pm (America/Anchorage)",
             "5-hour limit reached \xE2\x88\x99 resets 3:30pm",
             "Weekly limit reached \xC2\xB7 resets 10am (Asia/Seoul) \xC2\xB7 /upgrade to Max",
             "Claude AI usage limit reached|1763740800",
             "Claude usage limit reached. Your limit will reset at 5pm (America/New_York).",
         }) {
        BOOST_TEST(ch::is_usage_limit_message(text), text);
    }
    for (const char* text : {
             "API Error: Request rejected (429) \xC2\xB7 Number of request tokens has exceeded "
             "your per-minute rate limit",
             "Prompt is too long \xC2\xB7 the request is ~300000 tokens (limit 200000)",
             "Invalid API key \xC2\xB7 Fix external API key",
             "Rate limit reached for requests",
             "",
         }) {
        BOOST_TEST(!ch::is_usage_limit_message(text), text);
    }
}

BOOST_AUTO_TEST_CASE(utc_and_unzoned_times) {
    BOOST_TEST(secs("You've hit your session limit \xC2\xB7 resets 4pm (UTC)") == 3600);
    BOOST_TEST(secs("resets 4pm") == 3600);  // no zone: UTC
    BOOST_TEST(secs("resets 4:30pm (GMT)") == 5400);
    BOOST_TEST(secs("resets 16:00 (UTC)") == 3600);
    BOOST_TEST(secs("5-hour limit reached \xE2\x88\x99 resets 3:30pm") == 1800);
    BOOST_TEST(secs("resets 3pm (UTC)") == 86400);  // exactly now: the next one is tomorrow
    BOOST_TEST(secs("resets 2:30pm (UTC)") == 84600);
    BOOST_TEST(secs("resets 12am (UTC)") == 9 * 3600);
    BOOST_TEST(secs("resets 12pm (UTC)") == 21 * 3600);
    BOOST_TEST(secs("RESETS 4 PM (utc)") == 3600);
    // Sub-second remainders still give at least one second.
    BOOST_TEST(secs("resets 4pm (UTC)", at(kNow + 3600) - milliseconds(300)) == 1);
}

BOOST_AUTO_TEST_CASE(across_midnight) {
    BOOST_TEST(secs("resets 12:15am (UTC)", utc(2026, 11, 21, 23, 30)) == 2700);
    BOOST_TEST(secs("resets 1am (UTC)", utc(2026, 12, 31, 23, 0)) == 7200);  // and the year
}

BOOST_AUTO_TEST_CASE(named_zones) {
    BOOST_TEST(secs("resets 5pm (Europe/Berlin)") == 3600);   // CET, UTC+1
    BOOST_TEST(secs("resets 8:30pm (Asia/Tokyo)") == 73800);  // tomorrow, UTC+9
    BOOST_TEST(secs("Claude usage limit reached. Your limit will reset at 5pm "
                    "(America/New_York).") == 25200);  // EST, UTC-5
    BOOST_TEST(secs("resets 6pm (UTC+2)") == 3600);
    BOOST_TEST(secs("resets 10:30am (UTC-05:30)") == 3600);
    BOOST_TEST(secs("resets 4:30am (Asia/Kolkata)") == 28800);  // 23:00Z tonight, UTC+5:30
}

BOOST_AUTO_TEST_CASE(daylight_saving_transitions) {
    // Berlin springs forward on 2026-03-29: 9am that day is 07:00Z, not 08:00Z.
    BOOST_TEST(secs("resets 9am (Europe/Berlin)", utc(2026, 3, 28, 12)) == 68400);
    // New York falls back on 2026-11-01: 9am that day is 14:00Z.
    BOOST_TEST(secs("resets 9am (America/New_York)", utc(2026, 10, 31, 20)) == 64800);
    // 2:30am happens twice on 2026-10-25 in Berlin; the second one (01:30Z) is still ahead.
    BOOST_TEST(secs("resets 2:30am (Europe/Berlin)", utc(2026, 10, 25, 0, 59)) == 1860);
    // 2:30am does not exist on 2026-03-29 in Berlin: it maps forward to 3:30 CEST (01:30Z).
    BOOST_TEST(secs("resets 2:30am (Europe/Berlin)", utc(2026, 3, 29, 0, 30)) == 3600);
    // Beyond the TZif transition table (2037): the file's POSIX rule decides.
    BOOST_TEST(secs("resets 9am (Europe/Berlin)", utc(2040, 7, 1, 12)) == 68400);
    BOOST_TEST(secs("resets 9am (Australia/Sydney)", utc(2040, 1, 10, 12)) == 36000);
    BOOST_TEST(secs("resets 9am (Australia/Sydney)", utc(2040, 7, 10, 12)) == 39600);
    BOOST_TEST(secs("resets 9am (America/New_York)", utc(2045, 3, 20, 12)) == 3600);
}

BOOST_AUTO_TEST_CASE(weekdays_and_dates) {
    BOOST_TEST(secs("You've hit your weekly limit \xC2\xB7 resets Mon 9am (Europe/Berlin)") ==
               147600);
    BOOST_TEST(secs("resets Sat 3pm (UTC)") == 7 * 86400);  // today at now: next week
    BOOST_TEST(secs("resets Saturday 4pm") == 3600);
    BOOST_TEST(secs("resets Nov 22 at 7pm") == 100800);
    BOOST_TEST(secs("resets Jul 31, 2am (UTC)") == 21726000);  // next year
    BOOST_TEST(secs("resets Jul 27 at 4:30am (Asia/Calcutta)") == 21369600);
}

BOOST_AUTO_TEST_CASE(epoch_form) {
    BOOST_TEST(secs("Claude AI usage limit reached|" + std::to_string(kNow + 7200)) == 7200);
    BOOST_TEST(secs("Claude AI usage limit reached|" + std::to_string((kNow + 60) * 1000)) == 60);
    BOOST_TEST(secs("Claude AI usage limit reached|1000") == 1);  // already past
}

BOOST_AUTO_TEST_CASE(unparseable_texts) {
    for (const char* text : {
             "no time here",
             "resets in 6d",
             "resets 4pm (Mars/Olympus)",
             "resets 25:00",
             "resets 13pm",
             "resets 4 (UTC)",
             "resets 4:75pm",
             "resets 4pm (../../etc/passwd)",
             "resets 4pm (/etc/localtime)",
             "resets Feb 30 at 1am",
             "resets 4pm (UTC+2x)",
             "Claude AI usage limit reached|",
         }) {
        BOOST_TEST(secs(text) == -1, text);
    }
}

BOOST_AUTO_TEST_SUITE_END()
