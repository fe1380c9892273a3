// Data integrity: large prompts reach the CLI byte for byte, large answers arrive complete, and
// noisy CLIs (stderr floods, unknown lines) neither deadlock nor corrupt the answer.
#include <boost/test/unit_test.hpp>

#include "daemon_fixture.h"
#include "http_helpers.h"

using namespace it;

namespace {

std::string big_pattern(std::size_t n) {
    static const std::string pattern = "The quick brown fox jumps over the lazy dog. ";
    std::string text;
    text.reserve(n + pattern.size());
    while (text.size() < n)
        text += pattern;
    text.resize(n);
    return text;
}

// Index of the first differing byte, for readable failures of multi-megabyte comparisons.
std::string first_difference(const std::string& a, const std::string& b) {
    std::size_t i = 0;
    while (i < a.size() && i < b.size() && a[i] == b[i])
        ++i;
    if (i == a.size() && i == b.size()) return "equal";
    return "sizes " + std::to_string(a.size()) + " and " + std::to_string(b.size()) +
           ", first difference at byte " + std::to_string(i);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(data)

BOOST_AUTO_TEST_CASE(five_megabyte_prompt_is_echoed_byte_for_byte) {
    Daemon d;
    // ASCII, 2-, 3- and 4-byte UTF-8, JSON-escaped characters and a control character.
    const std::string piece =
        "line \xC3\xA9t\xC3\xA9 \xE4\xB8\x96\xE7\x95\x8C \xF0\x9F\x8E\x89 \"quoted\" back\\slash "
        "tab\there\r\n\x01 <turn role=\"x\"> ";
    std::string message = "FAKE[echo] ";
    while (message.size() < 5u * 1024 * 1024)
        message += piece;
    const std::string reply = completion_text(post_chat(d.port(), chat_body(message)));
    BOOST_TEST(reply == message, first_difference(reply, message));
}

BOOST_AUTO_TEST_CASE(three_megabyte_answer_arrives_complete) {
    Daemon d;
    const std::string expected = big_pattern(3000000);
    const std::string reply = completion_text(post_chat(d.port(), chat_body("FAKE[big=3000000]")));
    BOOST_TEST(reply == expected, first_difference(reply, expected));

    const SseResult r = stream_chat(d.port(), chat_body("FAKE[big=3000000]", true));
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.done);
    BOOST_TEST(r.text == expected, first_difference(r.text, expected));
    BOOST_TEST(r.content_chunks == (3000000u + 16383) / 16384, "one chunk per 16 KiB delta");
}

BOOST_AUTO_TEST_CASE(stderr_flood_does_not_deadlock) {
    Daemon d;
    const auto start = Clock::now();
    BOOST_TEST(completion_text(post_chat(d.port(), chat_body("FAKE[stderr_flood]"), {}, 20s)) ==
               "Hello from the fake.");
    BOOST_TEST(ms_since(start) < 10000);
    const SseResult r = stream_chat(d.port(), chat_body("FAKE[stderr_flood]", true), {}, 20s);
    BOOST_TEST(r.text == "Hello from the fake.");
    BOOST_TEST(r.done);
}

BOOST_AUTO_TEST_CASE(unknown_lines_are_ignored) {
    Daemon d;
    BOOST_TEST(completion_text(post_chat(d.port(), chat_body("FAKE[garbage]"))) ==
               "Hello from the fake.");
    const SseResult r = stream_chat(d.port(), chat_body("FAKE[garbage]", true));
    BOOST_TEST(r.text == "Hello from the fake.");
    BOOST_TEST(r.done);
    BOOST_TEST(!r.error.has_value());
}

BOOST_AUTO_TEST_SUITE_END()
