// The Anthropic Messages dialect: what is accepted, refused and rendered, as exact JSON.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/anthropic.h"

namespace an = ch::anthropic;
using nlohmann::json;

namespace {

const std::string kPng =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9";

// A valid body with `patch` merged in (null values delete keys).
std::string body(const json& patch) {
    json b = {{"model", "sonnet"},
              {"max_tokens", 100},
              {"messages", {{{"role", "user"}, {"content", "hi"}}}}};
    b.merge_patch(patch);
    return b.dump();
}

std::string error_of(const json& patch) {
    const auto r = an::parse_messages_request(body(patch));
    BOOST_TEST(!r.request.has_value());
    return r.error;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// input, cache read, cache creation, output: as fake-claude reports them.
const ch::Usage kUsage{11, 13, 17, 5};

}  // namespace

BOOST_AUTO_TEST_SUITE(anthropic)

BOOST_AUTO_TEST_CASE(minimal_request) {
    const auto r = an::parse_messages_request(body(json::object()));
    BOOST_REQUIRE(r.request.has_value());
    BOOST_TEST(r.request->model == "sonnet");
    BOOST_TEST(*r.request->max_tokens == 100);
    BOOST_TEST(!r.request->system.has_value());
    BOOST_TEST(!r.request->stream);
    BOOST_REQUIRE(r.request->messages.size() == 1u);
    BOOST_TEST(r.request->messages[0].parts[0].text == "hi");
}

BOOST_AUTO_TEST_CASE(system_blocks_history_image_and_ignored_settings) {
    const json messages = {
        {{"role", "user"}, {"content", "first"}},
        {{"role", "assistant"}, {"content", {{{"type", "text"}, {"text", "answer"}}}}},
        {{"role", "user"},
         {"content",
          {{{"type", "image"},
            {"source", {{"type", "base64"}, {"media_type", "image/png"}, {"data", kPng}}}},
           {{"type", "text"},
            {"text", "what is it?"},
            {"cache_control", {{"type", "ephemeral"}}}}}}}};
    const auto r = an::parse_messages_request(
        body({{"messages", messages},
              {"system",
               {{{"type", "text"}, {"text", "be brief"}}, {{"type", "text"}, {"text", "be kind"}}}},
              {"stream", true},
              {"temperature", 0.2},
              {"top_p", 0.9},
              {"top_k", 5},
              {"metadata", {{"user_id", "u-1"}}},
              {"stop_sequences", json::array()},
              {"tool_choice", {{"type", "auto"}}}}));
    BOOST_REQUIRE_MESSAGE(r.request.has_value(), r.error);
    BOOST_TEST(*r.request->system == "be brief\n\nbe kind");
    BOOST_TEST(r.request->stream);
    BOOST_TEST(r.request->user == "u-1");
    BOOST_REQUIRE(r.request->messages.size() == 3u);
    BOOST_TEST(r.request->messages[1].role == "assistant");
    const auto& parts = r.request->messages[2].parts;
    BOOST_REQUIRE(parts.size() == 2u);
    BOOST_TEST((parts[0].kind == ch::ContentPart::Kind::Image));
    BOOST_TEST(parts[0].media_type == "image/png");
    BOOST_TEST(parts[0].data == kPng);
    BOOST_TEST(parts[1].text == "what is it?");
}

BOOST_AUTO_TEST_CASE(string_system) {
    const auto r = an::parse_messages_request(body({{"system", "plain"}}));
    BOOST_REQUIRE(r.request.has_value());
    BOOST_TEST(*r.request->system == "plain");
}

BOOST_AUTO_TEST_CASE(refusals_name_the_field) {
    BOOST_TEST(error_of({{"max_tokens", nullptr}}) == "max_tokens: Field required");
    BOOST_TEST(contains(error_of({{"max_tokens", 0}}), "max_tokens: "));
    BOOST_TEST(contains(error_of({{"model", nullptr}}), "model: "));
    BOOST_TEST(contains(error_of({{"messages", json::array()}}), "messages: "));
    BOOST_TEST(contains(error_of({{"stop_sequences", {"END"}}}),
                        "stop_sequences: stop sequences "
                        "are not supported"));
    BOOST_TEST(error_of({{"tools", {{{"name", "x"}}}}}) ==
               "tools.0.input_schema: Field required (a JSON Schema object)");
    BOOST_TEST(contains(error_of({{"tool_choice", {{"type", "any"}}}}), "tool_choice.type: "));
    BOOST_TEST(contains(error_of({{"temperature", "hot"}}), "temperature: expected a number"));
    const json url_image = {
        {{"role", "user"},
         {"content",
          {{{"type", "image"},
            {"source", {{"type", "url"}, {"url", "https://example.com/a.png"}}}}}}}};
    BOOST_TEST(error_of({{"messages", url_image}}) ==
               "messages.0.content.0.source.type: image URLs are not supported: send the image "
               "as a base64 source");
    const json prefill = {{{"role", "user"}, {"content", "hi"}},
                          {{"role", "assistant"}, {"content", "Sure,"}}};
    BOOST_TEST(contains(error_of({{"messages", prefill}}), "prefill is not supported"));
    const json tool_result = {
        {{"role", "user"}, {"content", {{{"type", "tool_result"}, {"tool_use_id", "t"}}}}}};
    BOOST_TEST(error_of({{"messages", tool_result}}) ==
               "messages.0.content: tool_result for tool_use_id 't', which no earlier assistant "
               "message used");
    // The index is the body's, also after a system message (which joins the system prompt).
    const json after_system = {
        {{"role", "system"}, {"content", "s"}},
        {{"role", "user"}, {"content", {{{"type", "tool_result"}, {"tool_use_id", "t"}}}}}};
    BOOST_TEST(error_of({{"messages", after_system}}) ==
               "messages.1.content: tool_result for tool_use_id 't', which no earlier assistant "
               "message used");
    const json empty = {{{"role", "user"}, {"content", json::array()}}};
    BOOST_TEST(error_of({{"messages", empty}}) == "messages.0.content: must not be empty");
    BOOST_TEST(contains(an::parse_messages_request("{").error, "invalid JSON: "));
}

BOOST_AUTO_TEST_CASE(error_types_follow_the_status) {
    BOOST_TEST(an::error_json(400, "bad") ==
               R"({"type":"error","error":{"type":"invalid_request_error","message":"bad"}})");
    BOOST_TEST(std::string(an::error_type(401)) == "authentication_error");
    BOOST_TEST(std::string(an::error_type(403)) == "permission_error");
    BOOST_TEST(std::string(an::error_type(404)) == "not_found_error");
    BOOST_TEST(std::string(an::error_type(413)) == "request_too_large");
    BOOST_TEST(std::string(an::error_type(429)) == "rate_limit_error");
    BOOST_TEST(std::string(an::error_type(500)) == "api_error");
    BOOST_TEST(std::string(an::error_type(502)) == "api_error");
    BOOST_TEST(std::string(an::error_type(503)) == "overloaded_error");
    BOOST_TEST(std::string(an::error_type(504)) == "timeout_error");
    BOOST_TEST(std::string(an::error_type(529)) == "overloaded_error");
    BOOST_TEST(an::error_event(429, "later") ==
               "event: error\ndata: "
               R"({"type":"error","error":{"type":"rate_limit_error","message":"later"}})"
               "\n\n");
}

BOOST_AUTO_TEST_CASE(stop_reasons) {
    BOOST_TEST(an::stop_reason("end_turn") == "end_turn");
    BOOST_TEST(an::stop_reason("max_tokens") == "max_tokens");
    BOOST_TEST(an::stop_reason("stop_sequence") == "stop_sequence");
    BOOST_TEST(an::stop_reason("") == "end_turn");
}

BOOST_AUTO_TEST_CASE(message_object) {
    const std::vector<an::Block> content = {{an::Block::Kind::Thinking, "hmm", {}},
                                            {an::Block::Kind::Text, "Hi", {}}};
    BOOST_TEST(an::message_json("msg_1", "claude-sonnet", content, "end_turn", kUsage) ==
               R"({"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet",)"
               R"("content":[{"type":"thinking","thinking":"hmm","signature":""},)"
               R"({"type":"text","text":"Hi"}],"stop_reason":"end_turn","stop_sequence":null,)"
               R"("usage":{"input_tokens":11,"cache_creation_input_tokens":17,)"
               R"("cache_read_input_tokens":13,"output_tokens":5}})");
}

BOOST_AUTO_TEST_CASE(stream_events) {
    BOOST_TEST(an::message_start_event("msg_1", "m", ch::Usage{}) ==
               "event: message_start\ndata: "
               R"({"type":"message_start","message":{"id":"msg_1","type":"message",)"
               R"("role":"assistant","model":"m","content":[],"stop_reason":null,)"
               R"("stop_sequence":null,"usage":{"input_tokens":0,)"
               R"("cache_creation_input_tokens":0,"cache_read_input_tokens":0,)"
               R"("output_tokens":0}}})"
               "\n\n");
    BOOST_TEST(
        an::block_start_event(0, an::Block::Kind::Text) ==
        "event: content_block_start\ndata: "
        R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"
        "\n\n");
    BOOST_TEST(an::block_start_event(1, an::Block::Kind::Thinking) ==
               "event: content_block_start\ndata: "
               R"({"type":"content_block_start","index":1,)"
               R"("content_block":{"type":"thinking","thinking":"","signature":""}})"
               "\n\n");
    BOOST_TEST(
        an::block_delta_event(0, an::Block::Kind::Text, "Hi") ==
        "event: content_block_delta\ndata: "
        R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}})"
        "\n\n");
    BOOST_TEST(an::block_delta_event(2, an::Block::Kind::Thinking, "so") ==
               "event: content_block_delta\ndata: "
               R"({"type":"content_block_delta","index":2,)"
               R"("delta":{"type":"thinking_delta","thinking":"so"}})"
               "\n\n");
    BOOST_TEST(
        an::block_stop_event(3) ==
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":3}\n\n");
    BOOST_TEST(
        an::message_delta_event("max_tokens", kUsage) ==
        "event: message_delta\ndata: "
        R"({"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},)"
        R"("usage":{"input_tokens":11,"cache_creation_input_tokens":17,)"
        R"("cache_read_input_tokens":13,"output_tokens":5}})"
        "\n\n");
    BOOST_TEST(an::message_stop_event() ==
               "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    BOOST_TEST(an::ping_event() == "event: ping\ndata: {\"type\":\"ping\"}\n\n");
}

BOOST_AUTO_TEST_SUITE_END()
