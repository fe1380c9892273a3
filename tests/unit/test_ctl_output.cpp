// The ctl's output helpers: durations and times in words, and text safe to print.
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

#include "ctl/output.h"

using namespace ch::ctl;
using std::chrono::seconds;

namespace {

constexpr std::int64_t kSecond = 1000000;
// 2026-11-21 10:00:00 UTC.
constexpr std::int64_t kTime = 1795255200LL * kSecond;

// Sets TZ for one test and restores it afterwards.
struct Zone {
    explicit Zone(const char* tz) {
        if (const char* old = std::getenv("TZ")) saved = old;
        setenv("TZ", tz, 1);
        tzset();
    }
    ~Zone() {
        if (saved)
            setenv("TZ", saved->c_str(), 1);
        else
            unsetenv("TZ");
        tzset();
    }
    std::optional<std::string> saved;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(ctl_output)

BOOST_AUTO_TEST_CASE(durations_show_the_two_largest_units) {
    BOOST_TEST(human_duration(seconds{0}) == "0s");
    BOOST_TEST(human_duration(seconds{45}) == "45s");
    BOOST_TEST(human_duration(seconds{60}) == "1min");
    BOOST_TEST(human_duration(seconds{200}) == "3min 20s");
    BOOST_TEST(human_duration(seconds{2 * 3600 + 3 * 60 + 59}) == "2h 3min");
    BOOST_TEST(human_duration(seconds{2 * 3600 + 30}) == "2h");
    BOOST_TEST(human_duration(seconds{3 * 86400 + 4 * 3600 + 5}) == "3d 4h");
    BOOST_TEST(human_duration(seconds{400 * 86400}) == "400d");
    BOOST_TEST(human_duration(seconds{-90}) == "1min 30s");
}

BOOST_AUTO_TEST_CASE(local_time_uses_the_zone_and_its_abbreviation) {
    {
        Zone utc("UTC");
        BOOST_TEST(local_time(kTime) == "2026-11-21 10:00:00 UTC");
        BOOST_TEST(local_time(0) == "1970-01-01 00:00:00 UTC");
    }
    Zone east("XYZ-2");  // POSIX TZ: abbreviation XYZ, two hours east of UTC
    BOOST_TEST(local_time(kTime + 999999) == "2026-11-21 12:00:00 XYZ");
}

BOOST_AUTO_TEST_CASE(relative_times_say_in_or_ago) {
    BOOST_TEST(relative_time(kTime + 5 * 3600 * kSecond, kTime) == "in 5h");
    BOOST_TEST(relative_time(kTime - 3 * 60 * kSecond, kTime) == "3min ago");
    BOOST_TEST(relative_time(kTime - 2 * 86400 * kSecond, kTime) == "2d ago");
    BOOST_TEST(relative_time(kTime + 500000, kTime) == "now");
    BOOST_TEST(relative_time(kTime + 45 * kSecond, kTime) == "in 45s");
}

BOOST_AUTO_TEST_CASE(invalid_utf8_becomes_the_replacement_character) {
    const std::string r = "\xEF\xBF\xBD";
    BOOST_TEST(valid_utf8("héllo 世界 🎉") == "héllo 世界 🎉");
    BOOST_TEST(valid_utf8("a\xff"
                          "b") == "a" + r + "b");
    BOOST_TEST(valid_utf8("\xC0\xAF") == r + r);                  // overlong '/'
    BOOST_TEST(valid_utf8("\xED\xA0\x80") == r + r + r);          // surrogate
    BOOST_TEST(valid_utf8("\xF4\x90\x80\x80") == r + r + r + r);  // beyond U+10FFFF
    BOOST_TEST(valid_utf8("\xE4\xB8") == r + r);                  // cut short
    BOOST_TEST(valid_utf8("tab\tnl\n") == "tab\tnl\n");
}

BOOST_AUTO_TEST_CASE(printable_text_has_no_control_characters) {
    const std::string r = "\xEF\xBF\xBD";
    BOOST_TEST(printable("red \x1b[31m!") == "red " + r + "[31m!");
    BOOST_TEST(printable("a\nb") == "a" + r + "b");
    BOOST_TEST(printable("a\nb", true) == "a\nb");
    BOOST_TEST(printable("a\tb\rc\x7f") == "a\tb" + r + "c" + r);
    BOOST_TEST(printable("\xC2\x9B"
                         "1m") == r + "1m");  // C1 CSI
    BOOST_TEST(printable(std::string("nul\0!", 5)) == "nul" + r + "!");
}

BOOST_AUTO_TEST_SUITE_END()
