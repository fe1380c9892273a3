// Server-Sent Events: chunk order and shapes, headers, keep-alives, failures mid-stream, and
// the text arriving exactly once and byte-exact.
#include <boost/test/unit_test.hpp>

#include "daemon_fixture.h"
#include "http_helpers.h"

using namespace it;
using Kind = SseEvent::Kind;

namespace {

std::vector<Kind> kinds(const SseResult& r, bool with_comments = false) {
    std::vector<Kind> out;
    for (const auto& e : r.events)
        if (with_comments || e.kind != Kind::Comment) out.push_back(e.kind);
    return out;
}

std::vector<std::string> contents(const SseResult& r) {
    std::vector<std::string> out;
    for (const auto& e : r.events)
        if (e.kind == Kind::Content) out.push_back(e.value["choices"][0]["delta"]["content"]);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(streaming)

BOOST_AUTO_TEST_CASE(chunks_in_order_with_usage_and_done) {
    Daemon d;
    json body = chat_body("hello", true);
    body["stream_options"] = {{"include_usage", true}};
    const SseResult r = stream_chat(d.port(), body, {{"Accept-Encoding", "gzip, br"}});
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.headers.count("Content-Type") == 1u);
    BOOST_TEST(r.headers.find("Content-Type")->second == "text/event-stream");
    BOOST_TEST(r.headers.count("Content-Encoding") == 0u, "the stream must not be compressed");
    BOOST_TEST(r.raw.rfind("data: ", 0) == 0u, "uncompressed SSE text: " << r.raw.substr(0, 40));

    const std::vector<Kind> expected{Kind::Role,    Kind::Content, Kind::Content, Kind::Content,
                                     Kind::Content, Kind::Finish,  Kind::Usage,   Kind::Done};
    BOOST_TEST(kinds(r) == expected, boost::test_tools::per_element());
    BOOST_TEST(contents(r) == (std::vector<std::string>{"Hello", " from", " the", " fake."}),
               boost::test_tools::per_element());

    const json& role = r.events.front().value;
    BOOST_TEST(role["object"] == "chat.completion.chunk");
    BOOST_TEST(role["choices"][0]["delta"]["role"] == "assistant");
    BOOST_TEST(role["usage"].is_null());
    BOOST_TEST(role["model"] == "claude-sonnet");
    const std::string id = role["id"];
    BOOST_TEST(id.rfind("chatcmpl-", 0) == 0u);
    for (const auto& e : r.events)
        if (e.kind != Kind::Done) BOOST_TEST(e.value["id"] == id);

    const json& finish = r.events[5].value;
    BOOST_TEST(finish["choices"][0]["finish_reason"] == "stop");
    const json& usage = r.events[6].value["usage"];
    BOOST_TEST(usage["prompt_tokens"] == 41);  // 11 input + 17 cache creation + 13 cache read
    BOOST_TEST(usage["completion_tokens"] == 5);
    BOOST_TEST(usage["total_tokens"] == 46);
    BOOST_TEST(usage["prompt_tokens_details"]["cached_tokens"] == 13);
    BOOST_TEST(r.raw.size() >= 14u);
    BOOST_TEST(r.raw.substr(r.raw.size() - 14) == "data: [DONE]\n\n");
}

BOOST_AUTO_TEST_CASE(no_usage_chunk_without_include_usage_and_length_finish) {
    Daemon d;
    const SseResult r = stream_chat(d.port(), chat_body("FAKE[max_tokens]", true));
    BOOST_TEST(r.status == 200);
    for (const auto& e : r.events) {
        BOOST_TEST((e.kind != Kind::Usage), e.raw);
        if (e.kind != Kind::Done) BOOST_TEST(!e.value.contains("usage"), e.raw);
    }
    BOOST_REQUIRE(r.events.size() >= 2u);
    const auto& finish = r.events[r.events.size() - 2];
    BOOST_TEST((finish.kind == Kind::Finish));
    BOOST_TEST(finish.value["choices"][0]["finish_reason"] == "length");
    BOOST_TEST(r.done);
}

BOOST_AUTO_TEST_CASE(keepalive_comments_while_cli_is_silent) {
    Daemon d({.server = {"keepalive_interval = \"1s\""}});
    const auto start = Clock::now();
    const SseResult r = stream_chat(d.port(), chat_body("FAKE[slow_start_ms=2500]", true));
    BOOST_TEST(ms_since(start) >= 2400);
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.keepalives >= 1u, r.raw);
    // The keep-alives come before the first text, and the answer is still complete.
    std::size_t first_content = r.events.size(), last_keepalive = 0;
    for (std::size_t i = 0; i < r.events.size(); ++i) {
        if (r.events[i].kind == Kind::Content && first_content == r.events.size())
            first_content = i;
        if (r.events[i].kind == Kind::Comment) last_keepalive = i;
    }
    BOOST_TEST(last_keepalive < first_content);
    BOOST_TEST(r.text == "Hello from the fake.");
    BOOST_TEST(r.done);
}

BOOST_AUTO_TEST_CASE(failure_after_stream_began_ends_with_error_event) {
    Daemon d;
    // 300 ms between the deltas: the stream has begun when the CLI crashes.
    const SseResult r = stream_chat(d.port(), chat_body("FAKE[crash_after=2,delay_ms=300]", true));
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.text == "Hello from");
    BOOST_TEST(!r.done, "no [DONE] after a failure: " << r.raw);
    BOOST_REQUIRE_MESSAGE(r.error.has_value(), "an error event ends the stream: " << r.raw);
    BOOST_TEST((r.events.back().kind == Kind::Error));
    check_error_body(r.events.back().raw, 502, "cli_crashed", "exited with status 1");
    for (const auto& ev : r.events)
        BOOST_TEST((ev.kind != Kind::Finish));
}

BOOST_AUTO_TEST_CASE(fast_failure_after_first_text_is_still_an_error_event) {
    // The CLI writes two deltas and crashes at once: the text exists before the failure, so
    // the answer is a stream ending in an error event, however fast the crash follows.
    // (Whether the daemon has already committed is a race; 25 tries expose a wrong answer.)
    Daemon d;
    for (int i = 0; i < 25; ++i) {
        const SseResult r = stream_chat(d.port(), chat_body("FAKE[crash_after=2]", true));
        BOOST_TEST_CONTEXT("try " << i) {
            BOOST_TEST(r.status == 200, r.raw);
            BOOST_TEST(r.text == "Hello from");
            BOOST_TEST(r.error.has_value());
            BOOST_TEST(!r.done);
        }
        if (r.status != 200) break;
    }
}

BOOST_AUTO_TEST_CASE(error_before_first_text_keeps_its_status) {
    Daemon d;
    const SseResult r = stream_chat(d.port(), chat_body("FAKE[usage_limit]", true));
    BOOST_TEST(r.status == 429);
    check_error_body(r.raw, 429, "usage_limit", "session limit");
    BOOST_TEST(r.headers.count("Retry-After") == 1u);
}

BOOST_AUTO_TEST_CASE(resent_message_text_appears_once) {
    Daemon d;
    const SseResult r = stream_chat(d.port(), chat_body("FAKE[resend]", true));
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.text == "Hello from the fake.");
    BOOST_TEST(r.done);
    BOOST_TEST(completion_text(post_chat(d.port(), chat_body("FAKE[resend]"))) ==
               "Hello from the fake.");
}

BOOST_AUTO_TEST_CASE(utf8_split_across_writes_is_byte_exact) {
    Daemon d;
    const std::string expected = "h\xC3\xA9llo \xE4\xB8\x96\xE7\x95\x8C \xF0\x9F\x8E\x89 ok";
    const SseResult r = stream_chat(d.port(), chat_body("FAKE[utf8_split]", true));
    BOOST_TEST(r.status == 200);
    for (const auto& e : r.events)
        if (e.kind != Kind::Done && e.kind != Kind::Comment)
            BOOST_TEST(!e.value.is_discarded(), "each event is valid JSON (UTF-8): " << e.raw);
    BOOST_TEST(r.text == expected);
    BOOST_TEST(r.done);
    BOOST_TEST(completion_text(post_chat(d.port(), chat_body("FAKE[utf8_split]"))) == expected);
}

BOOST_AUTO_TEST_CASE(thinking_is_not_content) {
    Daemon d;
    const SseResult r = stream_chat(d.port(), chat_body("FAKE[thinking]", true));
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.text == "Hello from the fake.");
    BOOST_TEST(r.raw.find("think") == std::string::npos, r.raw);
    BOOST_TEST(completion_text(post_chat(d.port(), chat_body("FAKE[thinking]"))) ==
               "Hello from the fake.");
}

BOOST_AUTO_TEST_SUITE_END()
