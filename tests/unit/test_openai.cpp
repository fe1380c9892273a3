#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/openai.h"

namespace oa = ch::openai;
using nlohmann::json;

namespace {

const std::string kPng =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+"
    "M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

// A valid body with `patch` merged in (null values delete keys).
std::string body(const json& patch) {
    json b = {{"model", "sonnet"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}};
    b.merge_patch(patch);
    return b.dump();
}

std::string with_messages(const json& messages) {
    return body({{"messages", messages}});
}

// Strips a chunk's "data: " prefix and "\n\n" suffix and parses the JSON in between.
json sse_json(const std::string& event) {
    BOOST_REQUIRE(event.rfind("data: ", 0) == 0);
    BOOST_REQUIRE(event.size() > 8 && event.substr(event.size() - 2) == "\n\n");
    return json::parse(event.substr(6, event.size() - 8));
}

ch::Usage sample_usage() {
    ch::Usage u;
    u.input_tokens = 10;
    u.cache_read_input_tokens = 100;
    u.cache_creation_input_tokens = 5;
    u.output_tokens = 7;
    return u;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(openai)

BOOST_AUTO_TEST_CASE(every_validation_error_names_its_field) {
    struct Case {
        std::string body;
        std::string error;
        std::string param;
    };
    const json user_parts = {{"role", "user"}};
    const std::vector<Case> cases = {
        {"[1]", "request body must be a JSON object", ""},
        {body({{"model", nullptr}}), "model: required string", "model"},
        {body({{"model", 5}}), "model: required string", "model"},
        {body({{"model", ""}}), "model: must not be empty", "model"},
        {body({{"messages", nullptr}}), "messages: must be a non-empty array", "messages"},
        {body({{"messages", json::array()}}), "messages: must be a non-empty array", "messages"},
        {body({{"messages", "hi"}}), "messages: must be a non-empty array", "messages"},
        {with_messages({"hi"}), "messages[0]: expected object", "messages[0]"},
        {with_messages({{{"content", "x"}}}), "messages[0].role: required string",
         "messages[0].role"},
        {with_messages({{{"role", "tool"}, {"content", "x"}, {"tool_call_id", "t"}}}),
         "messages[0].tool_call_id: tool message answers tool_call_id 't', which no earlier "
         "assistant message called",
         "messages[0].tool_call_id"},
        // The index is the body's, also after a system message (which joins the system prompt).
        {with_messages({{{"role", "system"}, {"content", "s"}},
                        {{"role", "tool"}, {"content", "x"}, {"tool_call_id", "t"}}}),
         "messages[1].tool_call_id: tool message answers tool_call_id 't', which no earlier "
         "assistant message called",
         "messages[1].tool_call_id"},
        {with_messages({{{"role", "function"}, {"content", "x"}}}),
         "messages[0].role: unsupported role 'function'", "messages[0].role"},
        {with_messages({{{"role", "user"}}}),
         "messages[0].content: required string or array of content parts", "messages[0].content"},
        {with_messages({{{"role", "user"}, {"content", 3}}}),
         "messages[0].content: expected string or array of content parts", "messages[0].content"},
        {with_messages({{{"role", "user"}, {"content", json::array()}}}),
         "messages[0].content: must not be empty", "messages[0].content"},
        {with_messages({{{"role", "user"}, {"content", {"x"}}}}),
         "messages[0].content[0]: expected object", "messages[0].content[0]"},
        {with_messages({{{"role", "user"}, {"content", {{{"text", "x"}}}}}}),
         "messages[0].content[0].type: required string", "messages[0].content[0].type"},
        {with_messages({{{"role", "user"}, {"content", {{{"type", "text"}}}}}}),
         "messages[0].content[0].text: required string", "messages[0].content[0].text"},
        {with_messages({{{"role", "system"}, {"content", "s"}},
                        {{"role", "user"},
                         {"content",
                          {{{"type", "text"}, {"text", "a"}},
                           {{"type", "input_audio"}, {"input_audio", json::object()}}}}}}),
         "messages[1].content[1].type: unsupported part type 'input_audio'",
         "messages[1].content[1].type"},
        {with_messages({{{"role", "user"}, {"content", {{{"type", "image_url"}}}}}}),
         "messages[0].content[0].image_url: required object", "messages[0].content[0].image_url"},
        {with_messages({{{"role", "user"},
                         {"content", {{{"type", "image_url"}, {"image_url", json::object()}}}}}}),
         "messages[0].content[0].image_url.url: required string",
         "messages[0].content[0].image_url.url"},
        {with_messages(
             {{{"role", "user"},
               {"content",
                {{{"type", "image_url"}, {"image_url", {{"url", "https://x.test/a.png"}}}}}}}}),
         "messages[0].content[0].image_url.url: only data: URLs are supported",
         "messages[0].content[0].image_url.url"},
        {with_messages(
             {{{"role", "user"},
               {"content",
                {{{"type", "image_url"}, {"image_url", {{"url", "data:image/png;base64"}}}}}}}}),
         "messages[0].content[0].image_url.url: malformed data: URL (no ',')",
         "messages[0].content[0].image_url.url"},
        {with_messages(
             {{{"role", "user"},
               {"content",
                {{{"type", "image_url"}, {"image_url", {{"url", "data:image/png,abc"}}}}}}}}),
         "messages[0].content[0].image_url.url: data: URL must be base64-encoded "
         "(data:<media type>;base64,<data>)",
         "messages[0].content[0].image_url.url"},
        {with_messages({{{"role", "user"},
                         {"content",
                          {{{"type", "image_url"},
                            {"image_url", {{"url", "data:image/bmp;base64,AAAA"}}}}}}}}),
         "messages[0].content[0].image_url.url: unsupported image media type 'image/bmp' "
         "(supported: image/png, image/jpeg, image/gif, image/webp)",
         "messages[0].content[0].image_url.url"},
        {with_messages({{{"role", "user"},
                         {"content",
                          {{{"type", "image_url"},
                            {"image_url", {{"url", "data:image/png;base64,a b"}}}}}}}}),
         "messages[0].content[0].image_url.url: image data is not valid base64",
         "messages[0].content[0].image_url.url"},
        {with_messages(
             {{{"role", "system"},
               {"content",
                {{{"type", "image_url"}, {"image_url", {{"url", "data:image/png;base64,AA"}}}}}}},
              {{"role", "user"}, {"content", "x"}}}),
         "messages[0].content[0].type: unsupported part type 'image_url'",
         "messages[0].content[0].type"},
        {with_messages({{{"role", "system"}}, {{"role", "user"}, {"content", "x"}}}),
         "messages[0].content: required string or array of text parts", "messages[0].content"},
        {with_messages({{{"role", "user"}, {"content", "q"}},
                        {{"role", "assistant"}},
                        {{"role", "user"}, {"content", "x"}}}),
         "messages[1].content: required unless the message has tool_calls", "messages[1].content"},
        {with_messages({{{"role", "user"}, {"content", "q"}},
                        {{"role", "assistant"},
                         {"content", nullptr},
                         {"tool_calls", {{{"id", "c1"}, {"type", "function"}}}}},
                        {{"role", "user"}, {"content", "x"}}}),
         "messages[1].tool_calls[0].function: required object",
         "messages[1].tool_calls[0].function"},
        {with_messages({{{"role", "user"}, {"content", "q"}},
                        {{"role", "assistant"}, {"function_call", {{"name", "f"}}}},
                        {{"role", "user"}, {"content", "x"}}}),
         "messages[1].function_call: the legacy function_call is not supported: use tool_calls",
         "messages[1].function_call"},
        {with_messages(
             {{{"role", "user"}, {"content", "q"}}, {{"role", "assistant"}, {"content", "a"}}}),
         "messages: the last message must have role 'user' or 'tool' (got 'assistant')",
         "messages"},
        {with_messages(
             {{{"role", "user"}, {"content", "q"}}, {{"role", "system"}, {"content", "s"}}}),
         "messages: the last message must have role 'user' or 'tool' (got 'system')", "messages"},
        {body({{"stream", "yes"}}), "stream: expected boolean", "stream"},
        {body({{"stream_options", true}}), "stream_options: expected object", "stream_options"},
        {body({{"stream_options", {{"include_usage", 1}}}}),
         "stream_options.include_usage: expected boolean", "stream_options.include_usage"},
        {body({{"n", 2}}), "n: only n=1 is supported", "n"},
        {body({{"n", 0}}), "n: only n=1 is supported", "n"},
        {body({{"n", "1"}}), "n: expected integer", "n"},
        {body({{"max_tokens", 0}}), "max_tokens: expected positive integer", "max_tokens"},
        {body({{"max_tokens", -5}}), "max_tokens: expected positive integer", "max_tokens"},
        {body({{"max_tokens", 10.5}}), "max_tokens: expected positive integer", "max_tokens"},
        {body({{"max_completion_tokens", "9"}}), "max_completion_tokens: expected positive integer",
         "max_completion_tokens"},
        {body({{"user", 12}}), "user: expected string", "user"},
        {body({{"tools", {{{"type", "function"}}}}}), "tools[0].function: required object",
         "tools[0].function"},
        {body({{"functions", {{{"name", "f"}}}}}),
         "functions: the legacy functions API is not supported: use tools and tool_choice",
         "functions"},
        {body({{"logprobs", true}}), "logprobs: logprobs are not supported", "logprobs"},
    };
    for (const auto& c : cases) {
        const auto r = oa::parse_chat_request(c.body);
        BOOST_TEST(!r.request.has_value(), c.body);
        BOOST_TEST(r.error == c.error, c.body);
        BOOST_TEST(r.param == c.param, c.body);
    }
}

BOOST_AUTO_TEST_CASE(malformed_json_is_reported_with_detail) {
    for (const std::string text : {"", "{", "{\"model\":}", "not json", "{\"a\":\"\xFF\"}"}) {
        const auto r = oa::parse_chat_request(text);
        BOOST_TEST(!r.request.has_value());
        BOOST_TEST(r.error.rfind("invalid JSON: ", 0) == 0u, r.error);
        BOOST_TEST(r.error.size() > 20u, r.error);
        BOOST_TEST(r.error.find("[json.exception") == std::string::npos, r.error);
        BOOST_TEST(r.param.empty());
    }
}

BOOST_AUTO_TEST_CASE(full_request_translates) {
    const json b = {
        {"model", "claude-sonnet-5"},
        {"messages",
         {{{"role", "system"}, {"content", "Be brief."}},
          {{"role", "developer"},
           {"content",
            {{{"type", "text"}, {"text", "Use English."}},
             {{"type", "text"}, {"text", "No lists."}}}}},
          {{"role", "user"}, {"content", "What is 2+2?"}, {"name", "alice"}},
          {{"role", "assistant"}, {"content", "4"}, {"tool_calls", json::array()}},
          {{"role", "user"},
           {"content",
            {{{"type", "text"}, {"text", "And this?"}},
             {{"type", "image_url"},
              {"image_url", {{"url", "data:image/png;base64," + kPng}, {"detail", "low"}}}},
             {{"type", "image_url"},
              {"image_url", {{"url", "data:Image/JPG;base64,/9j/AA=="}}}}}}}}},
        {"stream", true},
        {"stream_options", {{"include_usage", true}}},
        {"max_tokens", 100},
        {"max_completion_tokens", 50},
        {"n", 1},
        {"user", "u-1"},
        {"temperature", 0.2},
        {"top_p", 1},
        {"presence_penalty", 0},
        {"frequency_penalty", 0},
        {"logit_bias", {{"50256", -100}}},
        {"seed", 7},
        {"stop", {"\n"}},
        {"response_format", {{"type", "text"}}},
        {"logprobs", false},
        {"tools", json::array()},
        {"metadata", {{"k", "v"}}},
        {"some_future_field", {1, 2}}};
    const auto r = oa::parse_chat_request(b.dump());
    BOOST_REQUIRE_MESSAGE(r.request.has_value(), r.error);
    const ch::ChatRequest& q = *r.request;
    BOOST_TEST(q.model == "claude-sonnet-5");
    BOOST_TEST(q.system.value_or("<none>") == "Be brief.\n\nUse English.\n\nNo lists.");
    BOOST_TEST(q.stream);
    BOOST_TEST(q.include_usage);
    BOOST_TEST(q.max_tokens.value_or(0) == 50);  // max_completion_tokens wins
    BOOST_TEST(q.user == "u-1");
    BOOST_REQUIRE_EQUAL(q.messages.size(), 3u);
    BOOST_TEST(q.messages[0].role == "user");
    BOOST_TEST(q.messages[0].parts.at(0).text == "What is 2+2?");
    BOOST_TEST(q.messages[1].role == "assistant");
    BOOST_TEST(q.messages[1].parts.at(0).text == "4");
    const auto& parts = q.messages[2].parts;
    BOOST_REQUIRE_EQUAL(parts.size(), 3u);
    BOOST_TEST((parts[0].kind == ch::ContentPart::Kind::Text));
    BOOST_TEST((parts[1].kind == ch::ContentPart::Kind::Image));
    BOOST_TEST(parts[1].media_type == "image/png");
    BOOST_TEST(parts[1].data == kPng);
    BOOST_TEST(parts[2].media_type == "image/jpeg");
    BOOST_TEST(parts[2].data == "/9j/AA==");
}

BOOST_AUTO_TEST_CASE(minimal_request_defaults) {
    const auto r = oa::parse_chat_request(
        R"({"model":"m","messages":[{"role":"user","content":"hi"}],"stream":null,"n":null,)"
        R"("max_tokens":null,"stream_options":null,"user":null})");
    BOOST_REQUIRE_MESSAGE(r.request.has_value(), r.error);
    BOOST_TEST(!r.request->system.has_value());
    BOOST_TEST(!r.request->stream);
    BOOST_TEST(!r.request->include_usage);
    BOOST_TEST(!r.request->max_tokens.has_value());
    BOOST_TEST(r.request->user.empty());
    BOOST_TEST(r.error.empty());
    // An empty system message still counts as a system prompt that was sent.
    const auto empty_system = oa::parse_chat_request(with_messages(
        {{{"role", "system"}, {"content", ""}}, {{"role", "user"}, {"content", "x"}}}));
    BOOST_TEST(empty_system.request->system.value_or("<none>") == "");
}

BOOST_AUTO_TEST_CASE(finish_reasons) {
    BOOST_TEST(oa::finish_reason("max_tokens") == "length");
    BOOST_TEST(oa::finish_reason("end_turn") == "stop");
    BOOST_TEST(oa::finish_reason("stop_sequence") == "stop");
    BOOST_TEST(oa::finish_reason("") == "stop");
}

BOOST_AUTO_TEST_CASE(usage_counts_cache_as_prompt) {
    const json u = json::parse(oa::usage_json(sample_usage()));
    BOOST_TEST(u == json::parse(R"({"prompt_tokens":115,"completion_tokens":7,"total_tokens":122,
        "prompt_tokens_details":{"cached_tokens":100},
        "completion_tokens_details":{"reasoning_tokens":0}})"));
}

BOOST_AUTO_TEST_CASE(completion_object_has_openai_shape) {
    const std::string text = oa::completion_json("chatcmpl-1", 1795273200, "sonnet", "Hi \"there\"",
                                                 "stop", sample_usage());
    const json c = json::parse(text);
    const json expected = json::parse(R"({"id":"chatcmpl-1","object":"chat.completion",
        "created":1795273200,"model":"sonnet",
        "choices":[{"index":0,
                    "message":{"role":"assistant","content":"Hi \"there\"","refusal":null},
                    "logprobs":null,"finish_reason":"stop"}],
        "usage":{"prompt_tokens":115,"completion_tokens":7,"total_tokens":122,
                 "prompt_tokens_details":{"cached_tokens":100},
                 "completion_tokens_details":{"reasoning_tokens":0}},
        "system_fingerprint":null})");
    BOOST_TEST(c == expected, c.dump());
    BOOST_TEST(text.rfind("{\"id\":", 0) == 0u);  // OpenAI's field order, compact
    BOOST_TEST(text.find('\n') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(chunks_have_openai_shape) {
    oa::Chunk role;
    role.role = "assistant";
    BOOST_TEST(sse_json(oa::chunk_event("c1", 5, "m", role)) == json::parse(R"({"id":"c1",
        "object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":0,
        "delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,
        "finish_reason":null}]})"));

    oa::Chunk content;
    content.content = "Hel";
    const json c = sse_json(oa::chunk_event("c1", 5, "m", content));
    BOOST_TEST(c["choices"][0]["delta"] == json::parse(R"({"content":"Hel"})"));
    BOOST_TEST(c["choices"][0]["finish_reason"].is_null());
    BOOST_TEST(!c.contains("usage"));

    content.usage_null = true;  // include_usage requested: "usage": null on ordinary chunks
    const json n = sse_json(oa::chunk_event("c1", 5, "m", content));
    BOOST_TEST(n.contains("usage"));
    BOOST_TEST(n["usage"].is_null());

    oa::Chunk finish;
    finish.finish_reason = "length";
    const json f = sse_json(oa::chunk_event("c1", 5, "m", finish));
    BOOST_TEST(f["choices"][0]["delta"] == json::object());
    BOOST_TEST(f["choices"][0]["finish_reason"] == "length");

    oa::Chunk usage;
    usage.usage = sample_usage();
    usage.usage_null = true;
    const json u = sse_json(oa::chunk_event("c1", 5, "m", usage));
    BOOST_TEST(u["choices"] == json::array());
    BOOST_TEST(u["usage"]["prompt_tokens"] == 115);
    BOOST_TEST(u["usage"]["prompt_tokens_details"]["cached_tokens"] == 100);
    BOOST_TEST(u["object"] == "chat.completion.chunk");
}

BOOST_AUTO_TEST_CASE(invalid_utf8_from_the_cli_is_replaced_not_thrown) {
    const std::string bad = "ok \xFF\xC3 end";
    std::string text;
    BOOST_CHECK_NO_THROW(text = oa::completion_json("c", 1, "m", bad, "stop", ch::Usage{}));
    const json c = json::parse(text);  // valid UTF-8 again
    BOOST_TEST(c["choices"][0]["message"]["content"] == "ok \xEF\xBF\xBD\xEF\xBF\xBD end");
    oa::Chunk chunk;
    chunk.content = bad;
    BOOST_CHECK_NO_THROW(sse_json(oa::chunk_event("c", 1, "m", chunk)));
    BOOST_CHECK_NO_THROW(json::parse(oa::error_json(500, bad)));
}

BOOST_AUTO_TEST_CASE(error_objects) {
    const json e = json::parse(oa::error_json(400, "messages: bad", "messages"));
    BOOST_TEST(e == json::parse(R"({"error":{"message":"messages: bad",
        "type":"invalid_request_error","param":"messages","code":null}})"));
    const json n = json::parse(oa::error_json(429, "slow down", "", "usage_limit"));
    BOOST_TEST(n["error"]["param"].is_null());
    BOOST_TEST(n["error"]["code"] == "usage_limit");
    BOOST_TEST(n["error"]["type"] == "rate_limit_error");
    BOOST_TEST(json::parse(oa::error_json(401, "x"))["error"]["type"] == "authentication_error");
    BOOST_TEST(json::parse(oa::error_json(403, "x"))["error"]["type"] == "permission_error");
    BOOST_TEST(json::parse(oa::error_json(404, "x"))["error"]["type"] == "not_found_error");
    BOOST_TEST(json::parse(oa::error_json(413, "x"))["error"]["type"] == "invalid_request_error");
    BOOST_TEST(json::parse(oa::error_json(502, "x"))["error"]["type"] == "api_error");

    const json ev = sse_json(oa::error_event(503, "upstream down", "overloaded"));
    BOOST_TEST(ev["error"]["message"] == "upstream down");
    BOOST_TEST(ev["error"]["code"] == "overloaded");
    BOOST_TEST(ev["error"]["param"].is_null());
}

BOOST_AUTO_TEST_SUITE_END()
