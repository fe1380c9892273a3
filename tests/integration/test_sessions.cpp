// Sessions: a conversation continued by id (body or X-Claude-Session header) runs the CLI with
// --resume, so the CLI sends the earlier turns upstream itself; a resent history continues the
// session that answered it; one request per session at a time (409); sessions survive a
// restart and expire after [limits] session_idle_timeout.
#include <filesystem>
#include <future>

#include <boost/test/unit_test.hpp>

#include "daemon_fixture.h"
#include "http_helpers.h"

using namespace it;

namespace {

const std::string kHeader = "X-Claude-Session";

// Where the fake CLI keeps its transcripts: private to the test, and kept across a restart.
DaemonOptions with_config_dir(const TempDir& dir, DaemonOptions options = {}) {
    options.env["CLAUDE_CONFIG_DIR"] = dir.path();
    return options;
}

json user(const std::string& text) {
    return {{"role", "user"}, {"content", text}};
}
json assistant(const std::string& text) {
    return {{"role", "assistant"}, {"content", text}};
}

json body_of(const std::vector<json>& messages) {
    return {{"model", "claude-sonnet"}, {"messages", json(messages)}};
}

// The messages the CLI sent upstream in the turn (fake-claude's echo_history).
json upstream(const httplib::Result& res) {
    const json history = json::parse(completion_text(res), nullptr, false);
    BOOST_REQUIRE(history.is_array());
    return history;
}

std::string session_of(const httplib::Result& res) {
    BOOST_REQUIRE(res);
    return res->get_header_value(kHeader);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sessions)

BOOST_AUTO_TEST_CASE(a_session_continued_by_id_gets_its_history_from_the_cli) {
    TempDir config;
    Daemon d(with_config_dir(config));
    auto first = post_chat(d.port(), body_of({user("one FAKE[echo_history]")}), {{kHeader, "new"}});
    const std::string id = session_of(first);
    BOOST_REQUIRE_EQUAL(id.size(), 36u);
    BOOST_TEST(json::parse(first->body)["session_id"] == id);
    BOOST_TEST(upstream(first).size() == 1u);

    // Only the new message is sent; the CLI replays the rest from its transcript.
    json body = body_of({user("two FAKE[echo_history]")});
    body["session_id"] = id;
    auto second = post_chat(d.port(), body);
    BOOST_TEST(session_of(second) == id);
    const json history = upstream(second);
    BOOST_REQUIRE_EQUAL(history.size(), 3u);
    BOOST_TEST(history[0]["content"] == "one FAKE[echo_history]");
    BOOST_TEST(history[1]["role"] == "assistant");
    BOOST_TEST(history[2]["content"] == "two FAKE[echo_history]");
    BOOST_TEST(d.log().find("--resume") == std::string::npos);  // argv is not logged
    BOOST_TEST(std::filesystem::exists(d.state_dir() + "/sessions/default/" + id + ".json"));
}

BOOST_AUTO_TEST_CASE(a_resent_history_continues_the_session_that_answered_it) {
    TempDir config;
    Daemon d(with_config_dir(config));
    // A single message runs stateless.
    auto first = post_chat(d.port(), body_of({user("a FAKE[echo_history]")}));
    BOOST_TEST(session_of(first).empty());
    const std::string a1 = completion_text(first);

    // A longer history starts a session, rendered as text once.
    std::vector<json> history = {user("a FAKE[echo_history]"), assistant(a1),
                                 user("b FAKE[echo_history]")};
    auto second = post_chat(d.port(), body_of(history));
    const std::string id = session_of(second);
    BOOST_REQUIRE_EQUAL(id.size(), 36u);
    BOOST_TEST(upstream(second).size() == 1u);

    // Resent with the answer and one more message: continued, only the new message sent.
    history.push_back(assistant(completion_text(second)));
    history.push_back(user("c FAKE[echo_history]"));
    auto third = post_chat(d.port(), body_of(history));
    BOOST_TEST(session_of(third) == id);
    const json sent = upstream(third);
    BOOST_REQUIRE_EQUAL(sent.size(), 3u);
    BOOST_TEST(sent[2]["content"] == "c FAKE[echo_history]");

    // A history that differs from what was answered is not continued.
    history[3] = assistant("something else");
    auto other = post_chat(d.port(), body_of(history));
    BOOST_TEST(session_of(other) != id);
    BOOST_TEST(upstream(other).size() == 1u);
}

BOOST_AUTO_TEST_CASE(automatic_continuation_can_be_turned_off) {
    TempDir config;
    Daemon d(with_config_dir(config, {.limits = {"session_auto_resume = false"}}));
    auto res = post_chat(d.port(), body_of({user("a"), assistant("b"), user("c")}));
    BOOST_TEST(completion_text(res) == "Hello from the fake.");
    BOOST_TEST(session_of(res).empty());
}

BOOST_AUTO_TEST_CASE(a_busy_session_answers_409_and_stays_usable) {
    TempDir config;
    Daemon d(with_config_dir(config));
    const std::string id =
        session_of(post_chat(d.port(), body_of({user("one")}), {{kHeader, "new"}}));
    auto slow = std::async(std::launch::async, [&] {
        return post_chat(d.port(), body_of({user("FAKE[slow_start_ms=3000]")}), {{kHeader, id}});
    });
    BOOST_REQUIRE(d.wait_pids(2, 10s));  // its CLI has started
    auto busy = post_chat(d.port(), body_of({user("two")}), {{kHeader, id}});
    check_error(busy, 409, "session_busy", id);
    BOOST_TEST(completion_text(slow.get()) == "Hello from the fake.");
    BOOST_TEST(session_of(post_chat(d.port(), body_of({user("three")}), {{kHeader, id}})) == id);
}

BOOST_AUTO_TEST_CASE(unknown_and_malformed_sessions_are_refused) {
    TempDir config;
    Daemon d(with_config_dir(config));
    check_error(post_chat(d.port(), body_of({user("x")}),
                          {{kHeader, "11111111-2222-4333-8444-555555555555"}}),
                404, "session_not_found");
    check_error(post_chat(d.port(), body_of({user("x")}), {{kHeader, "../../etc"}}), 400,
                "invalid_request", "UUID");
}

BOOST_AUTO_TEST_CASE(a_session_is_continued_after_a_daemon_restart) {
    TempDir config, state;
    std::string id;
    {
        Daemon d(with_config_dir(config, {.state_dir = state.path()}));
        id = session_of(
            post_chat(d.port(), body_of({user("before FAKE[echo_history]")}), {{kHeader, "new"}}));
        BOOST_REQUIRE_EQUAL(id.size(), 36u);
    }
    Daemon d(with_config_dir(config, {.state_dir = state.path()}));
    auto res = post_chat(d.port(), body_of({user("after FAKE[echo_history]")}), {{kHeader, id}});
    BOOST_TEST(session_of(res) == id);
    const json sent = upstream(res);
    BOOST_REQUIRE_EQUAL(sent.size(), 3u);
    BOOST_TEST(sent[0]["content"] == "before FAKE[echo_history]");
}

BOOST_AUTO_TEST_CASE(an_idle_session_expires_with_its_files) {
    TempDir config;
    Daemon d(with_config_dir(config, {.limits = {"session_idle_timeout = \"1s\""}}));
    const std::string id =
        session_of(post_chat(d.port(), body_of({user("one")}), {{kHeader, "new"}}));
    const std::string dir = d.state_dir() + "/sessions/default/" + id;
    BOOST_REQUIRE(std::filesystem::is_directory(dir));
    // Removed by the daemon itself, without a request to notice it.
    BOOST_TEST(wait_until([&] { return !std::filesystem::exists(dir); }, 10s),
               "the idle session's directory is still there");
    check_error(post_chat(d.port(), body_of({user("two")}), {{kHeader, id}}), 404,
                "session_not_found");
    BOOST_TEST(!std::filesystem::exists(dir));
    BOOST_TEST(!std::filesystem::exists(dir + ".json"));
}

BOOST_AUTO_TEST_CASE(the_messages_api_names_the_session_too) {
    TempDir config;
    Daemon d(with_config_dir(config));
    const json body = {{"model", "claude-sonnet"},
                       {"max_tokens", 100},
                       {"messages", json::array({user("one FAKE[echo_history]")})}};
    auto res = make_client(d.port()).Post("/v1/messages", {{kHeader, "new"}}, body.dump(),
                                          "application/json");
    const std::string id = session_of(res);
    BOOST_REQUIRE_EQUAL(id.size(), 36u);
    json next = body;
    next["messages"] = json::array({user("two FAKE[echo_history]")});
    next["session_id"] = id;
    auto second = make_client(d.port()).Post("/v1/messages", next.dump(), "application/json");
    BOOST_TEST(session_of(second) == id);
    const json reply = json::parse(second->body);
    const json sent = json::parse(reply["content"][0]["text"].get<std::string>());
    BOOST_TEST(sent.size() == 3u);
}

BOOST_AUTO_TEST_SUITE_END()
