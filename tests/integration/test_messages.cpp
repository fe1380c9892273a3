// POST /v1/messages: Anthropic's shapes for messages, stream events, usage and errors, pings
// while the CLI is silent, and a vanished client stopping its CLI.
#include <boost/test/unit_test.hpp>

#include "daemon_fixture.h"
#include "http_helpers.h"

using namespace it;

namespace {

json messages_body(const std::string& text, bool stream = false) {
    return {{"model", "claude-sonnet"},
            {"max_tokens", 1024},
            {"stream", stream},
            {"messages", {{{"role", "user"}, {"content", text}}}}};
}

httplib::Result post_messages(int port, const json& body, const httplib::Headers& headers = {}) {
    return make_client(port).Post("/v1/messages", headers, body.dump(), "application/json");
}

// Asserts Anthropic's error shape with this status and type; returns the message.
std::string check_anthropic_error(const httplib::Result& res, int status, const std::string& type) {
    BOOST_REQUIRE(res);
    BOOST_TEST(res->status == status, res->body);
    const json body = json::parse(res->body);
    BOOST_TEST(body.size() == 2u, res->body);
    BOOST_TEST(body["type"] == "error");
    BOOST_TEST(body["error"].size() == 2u, res->body);
    BOOST_TEST(body["error"]["type"] == type, res->body);
    return body["error"]["message"].get<std::string>();
}

struct Event {
    std::string name;
    json data;
};

// The events of a raw Anthropic SSE body; every event must have both lines and a JSON body
// whose "type" is the event's name.
std::vector<Event> parse_events(const std::string& raw) {
    std::vector<Event> out;
    std::size_t pos = 0;
    while (pos < raw.size()) {
        const std::size_t end = raw.find("\n\n", pos);
        BOOST_REQUIRE_MESSAGE(end != std::string::npos, "unterminated event: " << raw.substr(pos));
        const std::string block = raw.substr(pos, end - pos);
        pos = end + 2;
        BOOST_REQUIRE_MESSAGE(block.rfind("event: ", 0) == 0, block);
        const std::size_t newline = block.find('\n');
        BOOST_REQUIRE_MESSAGE(newline != std::string::npos, block);
        BOOST_REQUIRE_MESSAGE(block.compare(newline + 1, 6, "data: ") == 0, block);
        Event e{block.substr(7, newline - 7), json::parse(block.substr(newline + 7))};
        BOOST_TEST(e.data["type"] == e.name);
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<std::string> names(const std::vector<Event>& events, bool with_pings = false) {
    std::vector<std::string> out;
    for (const auto& e : events)
        if (with_pings || e.name != "ping") out.push_back(e.name);
    return out;
}

void check_fake_usage(const json& usage) {
    BOOST_TEST(usage["input_tokens"] == 11);
    BOOST_TEST(usage["cache_creation_input_tokens"] == 17);
    BOOST_TEST(usage["cache_read_input_tokens"] == 13);
    BOOST_TEST(usage["output_tokens"] == 5);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(messages)

BOOST_AUTO_TEST_CASE(non_streaming_message) {
    Daemon d;
    auto res = post_messages(d.port(), messages_body("hello"));
    BOOST_REQUIRE(res);
    BOOST_TEST(res->status == 200, res->body);
    const json m = json::parse(res->body);
    BOOST_TEST(m["id"].get<std::string>().rfind("msg_", 0) == 0u);
    BOOST_TEST(m["type"] == "message");
    BOOST_TEST(m["role"] == "assistant");
    BOOST_TEST(m["model"] == "claude-sonnet");
    BOOST_TEST(m["content"] == json::parse(R"([{"type":"text","text":"Hello from the fake."}])"));
    BOOST_TEST(m["stop_reason"] == "end_turn");
    BOOST_TEST(m["stop_sequence"].is_null());
    check_fake_usage(m["usage"]);

    const json t = json::parse(post_messages(d.port(), messages_body("FAKE[thinking]"))->body);
    BOOST_REQUIRE(t["content"].size() == 2u);
    BOOST_TEST(t["content"][0]["type"] == "thinking");
    BOOST_TEST(!t["content"][0]["thinking"].get<std::string>().empty());
    BOOST_TEST(t["content"][1]["text"] == "Hello from the fake.");

    const json cut = json::parse(post_messages(d.port(), messages_body("FAKE[max_tokens]"))->body);
    BOOST_TEST(cut["stop_reason"] == "max_tokens");
}

BOOST_AUTO_TEST_CASE(stream_events_in_order) {
    Daemon d;
    auto res = post_messages(d.port(), messages_body("FAKE[thinking]", true));
    BOOST_REQUIRE(res);
    BOOST_TEST(res->status == 200, res->body);
    BOOST_TEST(res->get_header_value("Content-Type") == "text/event-stream");
    const auto events = parse_events(res->body);
    const std::vector<std::string> expected{
        "message_start",       "content_block_start", "content_block_delta", "content_block_stop",
        "content_block_start", "content_block_delta", "content_block_delta", "content_block_delta",
        "content_block_delta", "content_block_stop",  "message_delta",       "message_stop"};
    // The thinking may arrive as several deltas: compare around them.
    std::vector<std::string> got = names(events);
    std::size_t thinking_deltas = 0;
    for (const auto& e : events)
        if (e.name == "content_block_delta" && e.data["delta"]["type"] == "thinking_delta")
            ++thinking_deltas;
    BOOST_REQUIRE(thinking_deltas >= 1u);
    got.erase(got.begin() + 3, got.begin() + 3 + static_cast<long>(thinking_deltas - 1));
    BOOST_TEST(got == expected, boost::test_tools::per_element());

    const json& start = events[0].data["message"];
    BOOST_TEST(start["id"].get<std::string>().rfind("msg_", 0) == 0u);
    BOOST_TEST(start["model"] == "claude-sonnet");
    BOOST_TEST(start["content"] == json::array());
    // The CLI's message_start usage: input and cache tokens, and its first output token.
    BOOST_TEST(start["usage"] ==
               json::parse(R"({"input_tokens":11,"cache_creation_input_tokens":17,)"
                           R"("cache_read_input_tokens":13,"output_tokens":1})"));
    BOOST_TEST(events[1].data["content_block"]["type"] == "thinking");
    BOOST_TEST(events[1].data["index"] == 0);
    std::string text;
    for (const auto& e : events)
        if (e.name == "content_block_delta" && e.data["delta"]["type"] == "text_delta") {
            BOOST_TEST(e.data["index"] == 1);
            text += e.data["delta"]["text"].get<std::string>();
        }
    BOOST_TEST(text == "Hello from the fake.");
    const json& delta = events[events.size() - 2].data;
    BOOST_TEST(delta["delta"]["stop_reason"] == "end_turn");
    check_fake_usage(delta["usage"]);
}

BOOST_AUTO_TEST_CASE(pings_while_the_cli_is_silent) {
    Daemon d({.server = {"keepalive_interval = \"1s\""}});
    auto res = post_messages(d.port(), messages_body("FAKE[slow_start_ms=2500]", true));
    BOOST_REQUIRE(res);
    BOOST_TEST(res->status == 200);
    const auto events = parse_events(res->body);
    const auto all = names(events, true);
    BOOST_REQUIRE(all.size() >= 3u);
    BOOST_TEST(all[0] == "message_start");
    BOOST_TEST(all[1] == "ping", res->body);
    BOOST_TEST(all.back() == "message_stop");
}

BOOST_AUTO_TEST_CASE(failure_after_the_stream_began_is_an_error_event) {
    Daemon d;
    auto res = post_messages(d.port(), messages_body("FAKE[crash_after=2,delay_ms=300]", true));
    BOOST_REQUIRE(res);
    BOOST_TEST(res->status == 200);
    const auto events = parse_events(res->body);
    BOOST_REQUIRE(!events.empty());
    BOOST_TEST(events.back().name == "error", res->body);
    BOOST_TEST(events.back().data["error"]["type"] == "api_error");
    for (const auto& e : events)
        BOOST_TEST(e.name != "message_stop");
}

BOOST_AUTO_TEST_CASE(errors_before_the_stream_began_keep_their_status) {
    Daemon d;
    check_anthropic_error(post_messages(d.port(), messages_body("FAKE[error=500]")), 502,
                          "api_error");
    auto limited = post_messages(d.port(), messages_body("FAKE[usage_limit]", true));
    BOOST_TEST(check_anthropic_error(limited, 429, "rate_limit_error").find("session limit") !=
               std::string::npos);
    BOOST_TEST(!limited->get_header_value("Retry-After").empty());
    // The provider now cools down: refused at once, in the same shape.
    check_anthropic_error(post_messages(d.port(), messages_body("hi")), 429, "rate_limit_error");
}

BOOST_AUTO_TEST_CASE(bad_requests_and_unknown_model) {
    Daemon d;
    json no_max = messages_body("hi");
    no_max.erase("max_tokens");
    BOOST_TEST(check_anthropic_error(post_messages(d.port(), no_max), 400,
                                     "invalid_request_error") == "max_tokens: Field required");
    json stops = messages_body("hi");
    stops["stop_sequences"] = {"END"};
    check_anthropic_error(post_messages(d.port(), stops), 400, "invalid_request_error");
    json unknown = messages_body("hi");
    unknown["model"] = "gpt-4";
    check_anthropic_error(post_messages(d.port(), unknown), 404, "not_found_error");
    auto get = make_client(d.port()).Get("/v1/messages");
    check_anthropic_error(get, 405, "invalid_request_error");
}

BOOST_AUTO_TEST_CASE(authentication_errors_in_anthropic_shape) {
    Daemon d({.api_keys = {"sk-good"}});
    check_anthropic_error(post_messages(d.port(), messages_body("hi")), 401,
                          "authentication_error");
    check_anthropic_error(post_messages(d.port(), messages_body("hi"), {{"x-api-key", "sk-bad"}}),
                          401, "authentication_error");
    check_anthropic_error(
        make_client(d.port()).Get("/v1/models", {{"anthropic-version", "2023-06-01"}}), 401,
        "authentication_error");
    // Other routes without anthropic-version keep OpenAI's shape.
    check_error(make_client(d.port()).Get("/v1/models"), 401, "missing_api_key");
    auto ok = post_messages(d.port(), messages_body("hi"), {{"x-api-key", "sk-good"}});
    BOOST_REQUIRE(ok);
    BOOST_TEST(ok->status == 200, ok->body);
}

BOOST_AUTO_TEST_CASE(models_in_anthropic_shape_with_anthropic_version) {
    Daemon d;
    auto res = make_client(d.port()).Get("/v1/models", {{"anthropic-version", "2023-06-01"}});
    BOOST_REQUIRE(res);
    BOOST_TEST(res->status == 200);
    const json list = json::parse(res->body);
    BOOST_TEST(list["has_more"] == false);
    BOOST_TEST(list["first_id"] == "claude-sonnet");
    BOOST_TEST(list["last_id"] == "claude-sonnet");
    BOOST_REQUIRE(list["data"].size() == 1u);
    const json& model = list["data"][0];
    BOOST_TEST(model["type"] == "model");
    BOOST_TEST(model["id"] == "claude-sonnet");
    BOOST_TEST(model["display_name"] == "claude-sonnet");
    BOOST_TEST(model["created_at"].get<std::string>().size() == 20u, model.dump());
    const json openai = json::parse(make_client(d.port()).Get("/v1/models")->body);
    BOOST_TEST(openai["object"] == "list");

    const httplib::Headers anthropic{{"anthropic-version", "2023-06-01"}};
    auto one = make_client(d.port()).Get("/v1/models/sonnet", anthropic);
    BOOST_REQUIRE(one);
    BOOST_TEST(one->status == 200);
    const json alias = json::parse(one->body);
    BOOST_TEST(alias["type"] == "model");
    BOOST_TEST(alias["id"] == "sonnet");
    check_anthropic_error(make_client(d.port()).Get("/v1/models/gpt-4", anthropic), 404,
                          "not_found_error");
}

BOOST_AUTO_TEST_CASE(client_disconnect_stops_the_cli) {
    Daemon d({.server = {"keepalive_interval = \"1s\""}});
    RawConnection conn(d.port());
    const std::string body = messages_body("FAKE[hang]", true).dump();
    conn.send(
        "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body);
    BOOST_REQUIRE_MESSAGE(d.wait_pids(1, 10s), "the CLI did not start\n" << d.log());
    BOOST_REQUIRE_MESSAGE(conn.read_until("event: ping", 5s), conn.received());
    conn.close();
    BOOST_TEST(wait_until([&] { return d.alive_pids().empty(); }, 1500ms),
               "the CLI still runs 1.5 s after the client disconnected");
}

BOOST_AUTO_TEST_SUITE_END()
