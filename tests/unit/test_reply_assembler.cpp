#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/reply_assembler.h"
#include "common/stream_json.h"

using ch::CliEvent;
using ch::ReplyAssembler;
using ch::ReplyDelta;
using Kind = CliEvent::Kind;

namespace {

struct Run {
    std::vector<std::string> text_deltas;
    std::string text;               // all text deltas joined: what a streaming client saw
    std::string thinking;           // all thinking deltas joined
    std::vector<ch::Usage> starts;  // the usage of each message_start
    ch::ReplyOutcome outcome;
    std::string result_text;  // result.result as the CLI wrote it
};

void collect(Run& run, const std::vector<ReplyDelta>& deltas) {
    for (const auto& d : deltas) {
        if (d.kind == ReplyDelta::Kind::Text) {
            run.text_deltas.push_back(d.text);
            run.text += d.text;
        } else if (d.kind == ReplyDelta::Kind::Usage) {
            run.starts.push_back(d.usage);
        } else {
            run.thinking += d.text;
        }
    }
}

Run run_sample(const std::string& name) {
    std::ifstream in(std::string(CH_TEST_DATA_DIR) + "/cli/" + name, std::ios::binary);
    BOOST_REQUIRE_MESSAGE(in, "missing test data " << name);
    ReplyAssembler assembler;
    Run run;
    std::string line;
    while (std::getline(in, line)) {
        const CliEvent event = ch::parse_cli_line(line);
        BOOST_REQUIRE(event.kind != Kind::Invalid);
        if (event.kind == Kind::Result) run.result_text = event.text;
        collect(run, assembler.on_event(event));
    }
    BOOST_REQUIRE(assembler.finished());
    BOOST_TEST(assembler.streamed_text() == run.text);
    run.outcome = *assembler.outcome();
    return run;
}

std::size_t count(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = haystack.find(needle); at != std::string::npos;
         at = haystack.find(needle, at + 1)) {
        ++n;
    }
    return n;
}

CliEvent start(const std::string& id) {
    CliEvent e;
    e.kind = Kind::MessageStart;
    e.message_id = id;
    return e;
}

CliEvent delta(const std::string& text) {
    CliEvent e;
    e.kind = Kind::TextDelta;
    e.text = text;
    return e;
}

CliEvent assistant(const std::string& id, const std::string& text) {
    CliEvent e;
    e.kind = Kind::Assistant;
    e.message_id = id;
    e.text = text;
    return e;
}

CliEvent message_delta() {
    CliEvent e;
    e.kind = Kind::MessageDelta;
    e.stop_reason = "end_turn";
    return e;
}

CliEvent result(const std::string& text, bool is_error = false) {
    CliEvent e;
    e.kind = Kind::Result;
    e.subtype = "success";
    e.is_error = is_error;
    e.text = text;
    return e;
}

std::string feed(ReplyAssembler& assembler, const std::vector<CliEvent>& events) {
    Run run;
    for (const auto& e : events)
        collect(run, assembler.on_event(e));
    return run.text;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(reply_assembler)

BOOST_AUTO_TEST_CASE(single_message_transcripts_stream_exactly_the_result) {
    for (const char* name : {"01-stream-json-verbose.jsonl", "07-stream-json-partial.stdout",
                             "80-thinking-partial.stdout", "55-drop-conn-partial.stdout",
                             "56-midstream-error-partial.stdout"}) {
        const Run run = run_sample(name);
        BOOST_TEST(!run.outcome.is_error, name);
        BOOST_TEST(run.text == run.result_text, name);
        BOOST_TEST(run.outcome.text == run.result_text, name);
        BOOST_TEST(run.outcome.stop_reason == "end_turn", name);
        BOOST_TEST(run.outcome.terminal_reason == "completed", name);
    }
}

BOOST_AUTO_TEST_CASE(partial_deltas_are_forwarded_as_they_come) {
    const Run run = run_sample("07-stream-json-partial.stdout");
    BOOST_TEST(run.text_deltas == (std::vector<std::string>{"Hello ", "from ", "the ", "mock."}));
    BOOST_TEST(run.outcome.usage.input_tokens == 7);
    BOOST_TEST(run.outcome.usage.output_tokens == 4);
    BOOST_TEST(run.outcome.cost_usd.value_or(0) == 0.000135, boost::test_tools::tolerance(1e-12));
    // message_start's usage is passed on before the text, for dialects that report it early.
    BOOST_REQUIRE(run.starts.size() == 1u);
    BOOST_TEST(run.starts[0].input_tokens == 7);
    BOOST_TEST(run.starts[0].output_tokens == 1);
}

BOOST_AUTO_TEST_CASE(resent_message_after_broken_stream_is_not_duplicated) {
    for (const char* name : {"55-drop-conn-partial.stdout", "56-midstream-error-partial.stdout"}) {
        const Run run = run_sample(name);
        BOOST_TEST(count(run.text, "Hello from the mock.") == 1u, name);
        BOOST_TEST(count(run.text, "Hello") == 1u, name);
        BOOST_TEST(run.text_deltas == (std::vector<std::string>{"Hello ", "from the mock."}), name);
    }
}

BOOST_AUTO_TEST_CASE(thinking_is_forwarded_separately) {
    const Run run = run_sample("80-thinking-partial.stdout");
    BOOST_TEST(run.thinking == "Let me think about this carefully.");
    BOOST_TEST(run.text.find("think") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(each_api_message_of_a_turn_streams_its_text) {
    // Tool round-trip: the result holds only the last message's text.
    for (const char* name : {"12-tools-empty-tooluse.stdout", "83-tool-progress.stdout"}) {
        const Run run = run_sample(name);
        BOOST_TEST(run.text == "Let me run a tool.Tool result received.", name);
        BOOST_TEST(run.outcome.text == "Tool result received.", name);
        BOOST_TEST(run.outcome.text == run.result_text, name);
        BOOST_TEST(!run.outcome.is_error, name);
    }
}

BOOST_AUTO_TEST_CASE(synthetic_error_message_is_not_answer_text) {
    const Run run = run_sample("20-err401-streamjson.stdout");
    BOOST_TEST(run.text == "");
    BOOST_TEST(run.outcome.is_error);
    BOOST_TEST(run.outcome.error_kind == "authentication_failed");
    BOOST_TEST(run.outcome.api_error_status.value_or(0) == 401);
    BOOST_TEST(run.outcome.text == "Invalid API key \xC2\xB7 Fix external API key");
    BOOST_TEST(run.outcome.stop_reason == "stop_sequence");

    const Run limited = run_sample("errors/e429-nora.stdout");
    BOOST_TEST(limited.text == "");
    BOOST_TEST(limited.outcome.error_kind == "rate_limit");
    BOOST_TEST(limited.outcome.api_error_status.value_or(0) == 429);
}

BOOST_AUTO_TEST_CASE(max_tokens_continuations_then_synthetic_error) {
    const Run run = run_sample("81-stop-max-tokens.stdout");
    // Four real continuation messages, each streamed; the synthetic error is not.
    BOOST_TEST(count(run.text, "Hello from the mock.") == 4u);
    BOOST_TEST(run.text.find("API Error") == std::string::npos);
    BOOST_TEST(run.outcome.is_error);
    BOOST_TEST(run.outcome.error_kind == "max_output_tokens");
    BOOST_TEST(!run.outcome.api_error_status.has_value());
    BOOST_TEST(run.outcome.text.rfind("API Error: Claude's response exceeded", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(error_subtype_outcome_joins_errors) {
    const Run run = run_sample("50-max-turns.stdout");
    BOOST_TEST(run.outcome.is_error);
    BOOST_TEST(run.outcome.text == "Reached maximum number of turns (1)");
    BOOST_TEST(run.outcome.terminal_reason == "max_turns");
    BOOST_TEST(run.outcome.stop_reason == "tool_use");
    BOOST_TEST(run.text == "Let me run a tool.");

    ReplyAssembler assembler;
    CliEvent r = result("");
    r.subtype = "error_during_execution";
    r.is_error = true;
    r.errors = {"first", "second"};
    assembler.on_event(r);
    BOOST_TEST(assembler.outcome()->text == "first; second");
}

BOOST_AUTO_TEST_CASE(same_id_assistant_line_adds_only_missing_text) {
    ReplyAssembler assembler;
    BOOST_TEST(feed(assembler, {start("A"), delta("Hel")}) == "Hel");
    BOOST_TEST(feed(assembler, {assistant("A", "Hello")}) == "lo");
    BOOST_TEST(feed(assembler, {assistant("A", "")}) == "");  // e.g. a tool_use block
    BOOST_TEST(assembler.streamed_text() == "Hello");
}

BOOST_AUTO_TEST_CASE(diverging_resent_message_is_sent_in_full) {
    ReplyAssembler assembler;
    BOOST_TEST(feed(assembler, {start("A"), delta("Hello ")}) == "Hello ");
    BOOST_TEST(feed(assembler, {assistant("B", "Goodbye.")}) == "Goodbye.");
    // Later blocks of the replacement continue from its text.
    BOOST_TEST(feed(assembler, {assistant("B", " More.")}) == " More.");
}

BOOST_AUTO_TEST_CASE(restreamed_message_is_matched_against_shown_text) {
    // A new message_start before the previous message ended: a streamed retry.
    ReplyAssembler assembler;
    BOOST_TEST(feed(assembler, {start("A"), delta("Hello ")}) == "Hello ");
    BOOST_TEST(feed(assembler, {start("B"), delta("Hel")}) == "");
    BOOST_TEST(feed(assembler, {delta("lo wor"), delta("ld")}) == "world");
    BOOST_TEST(feed(assembler, {assistant("B", "Hello world"), message_delta()}) == "");
    BOOST_TEST(assembler.streamed_text() == "Hello world");
}

BOOST_AUTO_TEST_CASE(completed_messages_are_never_deduplicated) {
    ReplyAssembler assembler;
    feed(assembler, {start("A"), delta("Hello"), assistant("A", "Hello"), message_delta()});
    BOOST_TEST(feed(assembler, {start("B"), delta("Hello")}) == "Hello");
    // Without partial messages (no message_start), a new id is a new message too.
    ReplyAssembler plain;
    BOOST_TEST(feed(plain, {assistant("A", "Same."), assistant("B", "Same.")}) == "Same.Same.");
}

BOOST_AUTO_TEST_CASE(result_fills_in_an_answer_never_streamed) {
    ReplyAssembler assembler;
    BOOST_TEST(feed(assembler, {result("Only in the result.")}) == "Only in the result.");
    BOOST_TEST(assembler.finished());
    // Events after the result belong to no turn of this assembler.
    BOOST_TEST(feed(assembler, {start("X"), delta("late")}) == "");

    ReplyAssembler failed;
    BOOST_TEST(feed(failed, {result("Invalid API key", true)}) == "");
    BOOST_TEST(failed.outcome()->is_error);
}

BOOST_AUTO_TEST_CASE(max_tokens_stop_ends_the_answer_with_that_message) {
    // The CLI would follow a max_tokens stop with continuation requests (sample 81); the
    // client's limit is reached, so the message as it stands is the answer.
    ReplyAssembler assembler;
    CliEvent begin = start("A");
    begin.usage.input_tokens = 7;
    begin.usage.cache_read_input_tokens = 3;
    CliEvent stop = message_delta();
    stop.stop_reason = "max_tokens";
    stop.usage.output_tokens = 10;
    BOOST_TEST(feed(assembler, {begin, delta("Hello wor"), stop}) == "Hello wor");
    BOOST_REQUIRE(assembler.finished());
    const auto& outcome = *assembler.outcome();
    BOOST_TEST(!outcome.is_error);
    BOOST_TEST(outcome.text == "Hello wor");
    BOOST_TEST(outcome.stop_reason == "max_tokens");
    BOOST_TEST(outcome.usage.input_tokens == 7);
    BOOST_TEST(outcome.usage.cache_read_input_tokens == 3);
    BOOST_TEST(outcome.usage.output_tokens == 10);
    BOOST_TEST(!outcome.cost_usd.has_value());  // the result line with the cost never comes
    // The continuation that follows changes nothing.
    BOOST_TEST(feed(assembler, {start("B"), delta("ld")}) == "");
}

BOOST_AUTO_TEST_SUITE_END()
