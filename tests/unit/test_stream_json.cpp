#include <boost/test/unit_test.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/stream_json.h"

using ch::CliEvent;
using ch::LineSplitter;
using ch::parse_cli_line;
using Kind = CliEvent::Kind;

namespace {

std::string read_sample(const std::string& name) {
    std::ifstream in(std::string(CH_TEST_DATA_DIR) + "/cli/" + name, std::ios::binary);
    BOOST_REQUIRE_MESSAGE(in, "missing test data " << name);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::vector<std::string> split_all(const std::string& bytes, std::size_t chunk) {
    LineSplitter splitter;
    std::vector<std::string> lines;
    for (std::size_t at = 0; at < bytes.size(); at += chunk) {
        BOOST_TEST(splitter.feed(std::string_view(bytes).substr(at, chunk),
                                 [&](std::string_view line) { lines.emplace_back(line); }));
    }
    const std::string rest = splitter.take_rest();
    if (!rest.empty()) lines.push_back(rest);
    return lines;
}

std::vector<CliEvent> parse_sample(const std::string& name) {
    std::vector<CliEvent> events;
    for (const auto& line : split_all(read_sample(name), 4096)) {
        events.push_back(parse_cli_line(line));
    }
    return events;
}

std::vector<CliEvent> of_kind(const std::vector<CliEvent>& events, Kind kind) {
    std::vector<CliEvent> out;
    for (const auto& e : events) {
        if (e.kind == kind) out.push_back(e);
    }
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(stream_json)

BOOST_AUTO_TEST_CASE(splits_lines_across_feeds_and_strips_cr) {
    LineSplitter splitter;
    std::vector<std::string> lines;
    auto collect = [&](std::string_view line) { lines.emplace_back(line); };
    BOOST_TEST(splitter.feed("ab", collect));
    BOOST_TEST(lines.empty());
    BOOST_TEST(splitter.feed("c\r\nd\n\nef", collect));
    BOOST_TEST(lines == (std::vector<std::string>{"abc", "d", ""}));
    BOOST_TEST(splitter.take_rest() == "ef");
    BOOST_TEST(splitter.take_rest() == "");
}

BOOST_AUTO_TEST_CASE(multibyte_utf8_split_across_feeds_arrives_intact) {
    // "é" is C3 A9, "€" is E2 82 AC, "🙂" is F0 9F 99 82: fed one byte per read.
    const std::string text = "{\"t\":\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x99\x82\"}\n";
    LineSplitter splitter;
    std::vector<std::string> lines;
    for (char c : text) {
        splitter.feed(std::string_view(&c, 1), [&](std::string_view l) { lines.emplace_back(l); });
    }
    BOOST_REQUIRE_EQUAL(lines.size(), 1u);
    BOOST_TEST(lines[0] == text.substr(0, text.size() - 1));
}

BOOST_AUTO_TEST_CASE(chunking_never_changes_the_lines) {
    const std::string bytes = read_sample("80-thinking-partial.stdout");
    const auto reference = split_all(bytes, bytes.size());
    BOOST_TEST(reference.size() == 19u);
    for (std::size_t chunk : {1u, 2u, 3u, 7u, 64u, 1000u}) {
        BOOST_TEST(split_all(bytes, chunk) == reference, "chunk " << chunk);
    }
}

BOOST_AUTO_TEST_CASE(overlong_line_is_dropped_and_reported) {
    LineSplitter splitter(10);
    std::vector<std::string> lines;
    auto collect = [&](std::string_view line) { lines.emplace_back(line); };
    BOOST_TEST(splitter.feed("0123456789\n", collect));  // exactly the limit is fine
    BOOST_TEST(splitter.feed("0123456", collect));
    BOOST_TEST(!splitter.feed("89abcdef", collect));  // 15 bytes without a newline
    BOOST_TEST(splitter.feed("more", collect));       // still dropping, already reported
    BOOST_TEST(splitter.feed("tail\nok\n", collect));
    BOOST_TEST(lines == (std::vector<std::string>{"0123456789", "ok"}));
    BOOST_TEST(!splitter.feed("0123456789abc\nnext\n", collect));  // overflow inside one read
    BOOST_TEST(lines.back() == "next");
}

BOOST_AUTO_TEST_CASE(partial_transcript_maps_every_line) {
    const auto events = parse_sample("07-stream-json-partial.stdout");
    std::map<Kind, int> count;
    for (const auto& e : events)
        ++count[e.kind];
    BOOST_TEST(count[Kind::Invalid] == 0);
    BOOST_TEST(count[Kind::Init] == 1);
    BOOST_TEST(count[Kind::MessageStart] == 1);
    BOOST_TEST(count[Kind::BlockStart] == 1);
    BOOST_TEST(count[Kind::TextDelta] == 4);
    BOOST_TEST(count[Kind::Assistant] == 1);
    BOOST_TEST(count[Kind::BlockStop] == 1);
    BOOST_TEST(count[Kind::MessageDelta] == 1);
    BOOST_TEST(count[Kind::Result] == 1);
    BOOST_TEST(count[Kind::Ignored] == 2);  // system/status, message_stop

    const CliEvent init = of_kind(events, Kind::Init).at(0);
    BOOST_TEST(init.model == "claude-opus-4-8[1m]");
    BOOST_TEST(init.session_id == "39ba0ad6-11df-4f55-97c2-7d405a687c3a");

    const CliEvent start = of_kind(events, Kind::MessageStart).at(0);
    BOOST_TEST(start.message_id == "msg_mock_14");
    BOOST_TEST(start.has_usage);
    BOOST_TEST(start.usage.input_tokens == 7);

    BOOST_TEST(of_kind(events, Kind::BlockStart).at(0).block_type == "text");
    std::string joined;
    for (const auto& d : of_kind(events, Kind::TextDelta))
        joined += d.text;
    BOOST_TEST(joined == "Hello from the mock.");

    const CliEvent assistant = of_kind(events, Kind::Assistant).at(0);
    BOOST_TEST(assistant.message_id == "msg_mock_14");
    BOOST_TEST(assistant.text == "Hello from the mock.");
    BOOST_TEST(assistant.error_kind.empty());

    const CliEvent delta = of_kind(events, Kind::MessageDelta).at(0);
    BOOST_TEST(delta.stop_reason == "end_turn");
    BOOST_TEST(delta.usage.output_tokens == 4);

    const CliEvent result = of_kind(events, Kind::Result).at(0);
    BOOST_TEST(!result.is_error);
    BOOST_TEST(result.subtype == "success");
    BOOST_TEST(!result.api_error_status.has_value());
    BOOST_TEST(result.text == "Hello from the mock.");
    BOOST_TEST(result.stop_reason == "end_turn");
    BOOST_TEST(result.terminal_reason == "completed");
    BOOST_TEST(result.has_usage);
    BOOST_TEST(result.usage.input_tokens == 7);
    BOOST_TEST(result.usage.output_tokens == 4);
    BOOST_TEST(result.usage.cache_read_input_tokens == 0);
    BOOST_TEST(result.total_cost_usd > 0.0);
}

BOOST_AUTO_TEST_CASE(thinking_deltas_and_block_types) {
    const auto events = parse_sample("80-thinking-partial.stdout");
    const auto thinking = of_kind(events, Kind::ThinkingDelta);
    BOOST_REQUIRE_EQUAL(thinking.size(), 1u);
    BOOST_TEST(thinking[0].text == "Let me think about this carefully.");
    const auto starts = of_kind(events, Kind::BlockStart);
    BOOST_REQUIRE_EQUAL(starts.size(), 2u);
    BOOST_TEST(starts[0].block_type == "thinking");
    BOOST_TEST(starts[1].block_type == "text");
    BOOST_TEST(starts[1].index == 1);
    // The thinking block's assistant line carries no text.
    const auto assistants = of_kind(events, Kind::Assistant);
    BOOST_REQUIRE_EQUAL(assistants.size(), 2u);
    BOOST_TEST(assistants[0].text == "");
    BOOST_TEST(assistants[1].text == "Hello from the mock.");
}

BOOST_AUTO_TEST_CASE(api_error_transcript) {
    const auto events = parse_sample("20-err401-streamjson.stdout");
    const auto retries = of_kind(events, Kind::ApiRetry);
    BOOST_REQUIRE_EQUAL(retries.size(), 10u);
    BOOST_TEST(retries[0].attempt == 1);
    BOOST_TEST(retries[9].attempt == 10);
    BOOST_TEST(retries[0].max_retries == 10);
    BOOST_TEST(retries[0].retry_delay_ms > 600.0);
    BOOST_TEST(retries[0].api_error_status.value_or(0) == 401);
    BOOST_TEST(retries[0].error_kind == "authentication_failed");

    const CliEvent synthetic = of_kind(events, Kind::Assistant).at(0);
    BOOST_TEST(synthetic.model == "<synthetic>");
    BOOST_TEST(synthetic.error_kind == "authentication_failed");
    BOOST_TEST(synthetic.text == "Invalid API key \xC2\xB7 Fix external API key");

    const CliEvent result = of_kind(events, Kind::Result).at(0);
    BOOST_TEST(result.is_error);
    BOOST_TEST(result.subtype == "success");
    BOOST_TEST(result.api_error_status.value_or(0) == 401);
    BOOST_TEST(result.text == "Invalid API key \xC2\xB7 Fix external API key");
}

BOOST_AUTO_TEST_CASE(error_subtype_keeps_errors) {
    const auto events = parse_sample("50-max-turns.stdout");
    const CliEvent result = of_kind(events, Kind::Result).at(0);
    BOOST_TEST(result.is_error);
    BOOST_TEST(result.subtype == "error_max_turns");
    BOOST_TEST(result.text == "");
    BOOST_TEST(result.errors == (std::vector<std::string>{"Reached maximum number of turns (1)"}));
    BOOST_TEST(result.terminal_reason == "max_turns");
    BOOST_TEST(result.stop_reason == "tool_use");
    // The text block and the tool_use block arrive as two lines of one message.
    const auto assistants = of_kind(events, Kind::Assistant);
    BOOST_REQUIRE_EQUAL(assistants.size(), 2u);
    BOOST_TEST(assistants[0].message_id == assistants[1].message_id);
    BOOST_TEST(assistants[1].text == "");
}

BOOST_AUTO_TEST_CASE(unknown_types_and_subtypes_are_ignored) {
    for (const char* line : {
             R"({"type":"bogus"})",
             R"({"type":"system","subtype":"brand_new_subtype","x":1})",
             R"({"type":"system","subtype":"status","status":"requesting"})",
             R"({"type":"rate_limit_event","rate_limit_info":{"status":"allowed"}})",
             R"({"type":"stream_event","event":{"type":"future_event"}})",
             R"({"type":"stream_event","event":{"type":"content_block_delta",)"
             R"("delta":{"type":"signature_delta"}}})",
             R"({"type":"user","message":{"role":"user","content":"x"}})",
             R"({"no_type":true})",
             R"({"type":42})",
             "",
             "  \r",
         }) {
        const CliEvent e = parse_cli_line(line);
        BOOST_TEST((e.kind == Kind::Ignored), line);
        BOOST_TEST(e.error.empty());
    }
}

BOOST_AUTO_TEST_CASE(invalid_lines_are_reported) {
    for (const char* line : {"not json at all", "[1,2]", "\"a string\"", "42",
                             "{\"type\":", "{\"type\":\"result\"} trailing", "\xFF\xFE"}) {
        const CliEvent e = parse_cli_line(line);
        BOOST_TEST((e.kind == Kind::Invalid), line);
        BOOST_TEST(!e.error.empty(), line);
    }
    BOOST_TEST(parse_cli_line("[1]").error.find("array") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(fields_of_unexpected_types_read_as_absent) {
    const CliEvent r = parse_cli_line(
        R"({"type":"result","subtype":"error_x","is_error":"yes","usage":"none","result":7,)"
        R"("api_error_status":"429","errors":["a",1,"b"]})");
    BOOST_TEST((r.kind == Kind::Result));
    BOOST_TEST(r.is_error);  // fell back on the error_ subtype
    BOOST_TEST(!r.has_usage);
    BOOST_TEST(r.text == "");
    BOOST_TEST(!r.api_error_status.has_value());
    BOOST_TEST(r.errors == (std::vector<std::string>{"a", "b"}));

    const CliEvent a = parse_cli_line(
        R"({"type":"assistant","message":{"id":"m1","content":[{"type":"text","text":"A"},)"
        R"({"type":"tool_use","id":"t","name":"Bash","input":{}},{"type":"text","text":"B"},)"
        R"({"type":"text"}],"usage":{"input_tokens":3,"cache_read_input_tokens":2,)"
        R"("cache_creation_input_tokens":1,"output_tokens":5}}})");
    BOOST_TEST((a.kind == Kind::Assistant));
    BOOST_TEST(a.text == "AB");
    BOOST_TEST(a.usage.prompt_total() == 6);
    BOOST_TEST(a.usage.output_tokens == 5);
}

BOOST_AUTO_TEST_SUITE_END()
