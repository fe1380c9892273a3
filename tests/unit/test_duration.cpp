#include <boost/test/unit_test.hpp>

#include <string>

#include "common/duration.h"

using std::chrono::milliseconds;

namespace {

// -1 stands for "rejected", so that one BOOST_TEST shows the input and both outcomes.
long long parsed(const std::string& text) {
    const auto d = ch::parse_duration(text);
    return d ? d->count() : -1;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(duration)

BOOST_AUTO_TEST_CASE(parses_every_unit) {
    BOOST_TEST(parsed("250ms") == 250);
    BOOST_TEST(parsed("2s") == 2000);
    BOOST_TEST(parsed("5m") == 5 * 60 * 1000);
    BOOST_TEST(parsed("1h") == 60 * 60 * 1000);
    BOOST_TEST(parsed("1d") == 24 * 60 * 60 * 1000);
    BOOST_TEST(parsed("90s") == 90000);
}

BOOST_AUTO_TEST_CASE(parses_zero) {
    BOOST_TEST(parsed("0") == 0);
    BOOST_TEST(parsed("0s") == 0);
    BOOST_TEST(parsed("0ms") == 0);
}

BOOST_AUTO_TEST_CASE(parses_the_largest_values) {
    BOOST_TEST(parsed("9223372036854775807ms") == 9223372036854775807LL);
    BOOST_TEST(parsed("106751991167d") == 106751991167LL * 86400000LL);
}

BOOST_AUTO_TEST_CASE(rejects_malformed_text) {
    for (const char* text : {"", "5", "00", "-1s", "+1s", "1.5s", "5 m", " 5m", "5m ", "5M", "5sec",
                             "ms", "s", "1s2", "1m30s", "0x10s", "1e3ms", "\xef\xbc\x95s"}) {
        BOOST_TEST(parsed(text) == -1, "accepted \"" << text << "\"");
    }
}

BOOST_AUTO_TEST_CASE(rejects_overflow) {
    BOOST_TEST(parsed("9223372036854775808ms") == -1);  // the digits alone overflow
    BOOST_TEST(parsed("9223372036854775807s") == -1);   // the unit conversion overflows
    BOOST_TEST(parsed("106751991168d") == -1);
    BOOST_TEST(parsed("99999999999999999999999999h") == -1);
}

BOOST_AUTO_TEST_CASE(formats_with_the_coarsest_exact_unit) {
    BOOST_TEST(ch::format_duration(milliseconds{0}) == "0s");
    BOOST_TEST(ch::format_duration(milliseconds{250}) == "250ms");
    BOOST_TEST(ch::format_duration(milliseconds{1500}) == "1500ms");
    BOOST_TEST(ch::format_duration(milliseconds{2000}) == "2s");
    BOOST_TEST(ch::format_duration(milliseconds{90000}) == "90s");
    BOOST_TEST(ch::format_duration(milliseconds{120000}) == "2m");
    BOOST_TEST(ch::format_duration(milliseconds{90 * 60 * 1000}) == "90m");
    BOOST_TEST(ch::format_duration(milliseconds{3600000}) == "1h");
    BOOST_TEST(ch::format_duration(milliseconds{86400000}) == "1d");
    BOOST_TEST(ch::format_duration(milliseconds{36 * 3600000}) == "36h");
    BOOST_TEST(ch::format_duration(milliseconds{-2000}) == "-2s");
    BOOST_TEST(ch::format_duration(milliseconds::min()) == "-9223372036854775808ms");
}

BOOST_AUTO_TEST_CASE(format_and_parse_round_trip) {
    for (long long ms :
         {0LL, 1LL, 999LL, 1000LL, 61000LL, 3600000LL, 86400000LL * 7, 9223372036854775807LL}) {
        const std::string text = ch::format_duration(milliseconds{ms});
        BOOST_TEST(parsed(text) == ms, text);
    }
}

BOOST_AUTO_TEST_SUITE_END()
