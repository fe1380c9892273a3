// Client tools in both dialects: what is parsed into the ChatRequest, every 400, and the
// tool calls as responses and stream chunks render them.
#include <boost/test/unit_test.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "common/anthropic.h"
#include "common/openai.h"

namespace oa = ch::openai;
namespace an = ch::anthropic;
using nlohmann::json;

namespace {

const json kSchema = {{"type", "object"}, {"properties", {{"city", {{"type", "string"}}}}}};

json openai_body(const json& patch) {
    json b = {
        {"model", "sonnet"},
        {"messages", {{{"role", "user"}, {"content", "hi"}}}},
        {"tools",
         {{{"type", "function"},
           {"function",
            {{"name", "get_weather"}, {"description", "Weather"}, {"parameters", kSchema}}}}}}};
    b.merge_patch(patch);
    return b;
}

std::string openai_error(const json& patch) {
    const auto r = oa::parse_chat_request(openai_body(patch).dump());
    BOOST_TEST(!r.request.has_value());
    return r.error;
}

json anthropic_body(const json& patch) {
    json b = {{"model", "sonnet"},
              {"max_tokens", 100},
              {"messages", {{{"role", "user"}, {"content", "hi"}}}},
              {"tools",
               {{{"name", "get_weather"}, {"description", "Weather"}, {"input_schema", kSchema}}}}};
    b.merge_patch(patch);
    return b;
}

std::string anthropic_error(const json& patch) {
    const auto r = an::parse_messages_request(anthropic_body(patch).dump());
    BOOST_TEST(!r.request.has_value());
    return r.error;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tool_requests)

BOOST_AUTO_TEST_CASE(openai_tools_calls_and_results_are_parsed) {
    const json messages = {
        {{"role", "user"}, {"content", "weather?"}},
        {{"role", "assistant"},
         {"content", nullptr},
         {"tool_calls",
          {{{"id", "call_1"},
            {"type", "function"},
            {"function", {{"name", "get_weather"}, {"arguments", R"({"city":"Paris"})"}}}},
           {{"id", "call_2"},
            {"type", "function"},
            {"function", {{"name", "get_weather"}, {"arguments", R"({"city":"Rome"})"}}}}}}},
        {{"role", "tool"}, {"tool_call_id", "call_1"}, {"content", "sunny"}},
        {{"role", "tool"},
         {"tool_call_id", "call_2"},
         {"content", {{{"type", "text"}, {"text", "rain"}}}}}};
    const auto r = oa::parse_chat_request(
        openai_body(
            {{"messages", messages}, {"tool_choice", "auto"}, {"parallel_tool_calls", true}})
            .dump());
    BOOST_REQUIRE_MESSAGE(r.request.has_value(), r.error);
    const auto& req = *r.request;
    BOOST_REQUIRE(req.tools.size() == 1);
    BOOST_TEST(req.tools[0].name == "get_weather");
    BOOST_TEST(req.tools[0].description == "Weather");
    BOOST_TEST(json::parse(req.tools[0].input_schema) == kSchema);
    BOOST_TEST(!req.tool_choice_none);
    BOOST_TEST(ch::offers_tools(req));
    BOOST_REQUIRE(req.messages.size() == 3);  // both tool messages make one user turn
    BOOST_TEST(req.messages[1].parts.empty());
    BOOST_REQUIRE(req.messages[1].tool_calls.size() == 2);
    BOOST_TEST(req.messages[1].tool_calls[1].id == "call_2");
    BOOST_TEST(req.messages[1].tool_calls[1].arguments == R"({"city":"Rome"})");
    BOOST_TEST(req.messages[2].role == "user");
    BOOST_REQUIRE(req.messages[2].tool_results.size() == 2);
    BOOST_TEST(req.messages[2].tool_results[0].call_id == "call_1");
    BOOST_TEST(req.messages[2].tool_results[1].content == "rain");
}

BOOST_AUTO_TEST_CASE(openai_tool_choice_none_offers_nothing) {
    const auto r = oa::parse_chat_request(openai_body({{"tool_choice", "none"}}).dump());
    BOOST_REQUIRE_MESSAGE(r.request.has_value(), r.error);
    BOOST_TEST(r.request->tool_choice_none);
    BOOST_TEST(!ch::offers_tools(*r.request));
}

BOOST_AUTO_TEST_CASE(openai_refusals) {
    BOOST_TEST(contains(openai_error({{"tool_choice", "required"}}),
                        "tool_choice: only \"auto\" and \"none\" are supported: the Claude CLI "
                        "cannot be made to call a tool"));
    BOOST_TEST(contains(
        openai_error({{"tool_choice", {{"type", "function"}, {"function", {{"name", "x"}}}}}}),
        "cannot be made to call a tool"));
    BOOST_TEST(openai_error({{"tool_choice", "sometimes"}}) ==
               "tool_choice: expected \"auto\" or \"none\"");
    BOOST_TEST(contains(openai_error({{"functions", {{{"name", "f"}}}}}), "use tools"));
    BOOST_TEST(contains(openai_error({{"function_call", "auto"}}), "use tools"));
    BOOST_TEST(openai_error({{"parallel_tool_calls", "yes"}}) ==
               "parallel_tool_calls: expected boolean");
    BOOST_TEST(openai_error({{"tools", {{{"type", "web_search"}}}}}) ==
               "tools[0].type: only 'function' is supported");
    BOOST_TEST(contains(
        openai_error({{"tools", {{{"type", "function"}, {"function", {{"name", "a b"}}}}}}}),
        "tools[0].function.name: tool names may only contain"));
    BOOST_TEST(contains(
        openai_error(
            {{"tools", {{{"type", "function"}, {"function", {{"name", std::string(52, 'x')}}}}}}}),
        "1 to 51 characters"));
    BOOST_TEST(openai_error({{"tools",
                              {{{"type", "function"},
                                {"function", {{"name", "a"}, {"parameters", "x"}}}}}}}) ==
               "tools[0].function.parameters: expected a JSON Schema object");
    BOOST_TEST(openai_error({{"tools",
                              {{{"type", "function"}, {"function", {{"name", "a"}}}},
                               {{"type", "function"}, {"function", {{"name", "a"}}}}}}}) ==
               "tools[1].function.name: duplicate tool name");
    const json unknown_result = {{{"role", "user"}, {"content", "q"}},
                                 {{"role", "tool"}, {"tool_call_id", "nope"}, {"content", "r"}}};
    BOOST_TEST(contains(openai_error({{"messages", unknown_result}}),
                        "answers tool_call_id 'nope', which no earlier assistant message called"));
    const json no_id = {{{"role", "user"}, {"content", "q"}}, {{"role", "tool"}, {"content", "r"}}};
    BOOST_TEST(openai_error({{"messages", no_id}}) == "messages[1].tool_call_id: required string");
    const json bad_args = {{{"role", "user"}, {"content", "q"}},
                           {{"role", "assistant"},
                            {"tool_calls",
                             {{{"id", "c"},
                               {"type", "function"},
                               {"function", {{"name", "f"}, {"arguments", json::object()}}}}}}},
                           {{"role", "user"}, {"content", "x"}}};
    BOOST_TEST(openai_error({{"messages", bad_args}}) ==
               "messages[1].tool_calls[0].function.arguments: expected a string (JSON text)");
}

BOOST_AUTO_TEST_CASE(anthropic_tool_use_and_results_are_parsed) {
    const json messages = {{{"role", "user"}, {"content", "weather?"}},
                           {{"role", "assistant"},
                            {"content",
                             {{{"type", "text"}, {"text", "Checking."}},
                              {{"type", "tool_use"},
                               {"id", "toolu_1"},
                               {"name", "get_weather"},
                               {"input", {{"city", "Paris"}}}}}}},
                           {{"role", "user"},
                            {"content",
                             {{{"type", "tool_result"},
                               {"tool_use_id", "toolu_1"},
                               {"content", {{{"type", "text"}, {"text", "sunny"}}}},
                               {"is_error", true}},
                              {{"type", "text"}, {"text", "thanks"}}}}}};
    const auto r = an::parse_messages_request(
        anthropic_body({{"messages", messages}, {"tool_choice", {{"type", "auto"}}}}).dump());
    BOOST_REQUIRE_MESSAGE(r.request.has_value(), r.error);
    const auto& req = *r.request;
    BOOST_REQUIRE(req.tools.size() == 1);
    BOOST_TEST(json::parse(req.tools[0].input_schema) == kSchema);
    BOOST_REQUIRE(req.messages[1].tool_calls.size() == 1);
    BOOST_TEST(req.messages[1].parts[0].text == "Checking.");
    BOOST_TEST(json::parse(req.messages[1].tool_calls[0].arguments) == json({{"city", "Paris"}}));
    BOOST_REQUIRE(req.messages[2].tool_results.size() == 1);
    BOOST_TEST(req.messages[2].tool_results[0].content == "sunny");
    BOOST_TEST(req.messages[2].tool_results[0].is_error);
    BOOST_TEST(req.messages[2].parts[0].text == "thanks");
}

BOOST_AUTO_TEST_CASE(anthropic_refusals) {
    BOOST_TEST(contains(anthropic_error({{"tool_choice", {{"type", "any"}}}}),
                        "tool_choice.type: 'any' is not supported: the Claude CLI cannot be made "
                        "to call a tool"));
    BOOST_TEST(contains(anthropic_error({{"tool_choice", {{"type", "tool"}, {"name", "x"}}}}),
                        "cannot be made to call a tool"));
    BOOST_TEST(contains(
        anthropic_error({{"tools", {{{"type", "web_search_20250305"}, {"name", "web_search"}}}}}),
        "tools.0.type: server tools are not supported"));
    BOOST_TEST(
        contains(anthropic_error({{"tools", {{{"name", "a.b"}, {"input_schema", kSchema}}}}}),
                 "tools.0.name: tool names may only contain"));
    const json result_first = {
        {{"role", "user"},
         {"content", {{{"type", "tool_result"}, {"tool_use_id", "t"}, {"content", "x"}}}}}};
    BOOST_TEST(contains(anthropic_error({{"messages", result_first}}),
                        "tool_result for tool_use_id 't', which no earlier"));
    const json image_result = {
        {{"role", "user"}, {"content", "q"}},
        {{"role", "assistant"},
         {"content",
          {{{"type", "tool_use"}, {"id", "t"}, {"name", "f"}, {"input", json::object()}}}}},
        {{"role", "user"},
         {"content",
          {{{"type", "tool_result"},
            {"tool_use_id", "t"},
            {"content",
             {{{"type", "image"},
               {"source",
                {{"type", "base64"}, {"media_type", "image/png"}, {"data", "AA"}}}}}}}}}}};
    BOOST_TEST(anthropic_error({{"messages", image_result}}) ==
               "messages.2.content.0.content.0.type: content blocks of type 'image' are not "
               "supported here");
    const json text_then_result = {
        {{"role", "user"}, {"content", "q"}},
        {{"role", "assistant"},
         {"content",
          {{{"type", "tool_use"}, {"id", "t"}, {"name", "f"}, {"input", json::object()}}}}},
        {{"role", "user"},
         {"content",
          {{{"type", "text"}, {"text", "x"}}, {{"type", "tool_result"}, {"tool_use_id", "t"}}}}}};
    BOOST_TEST(anthropic_error({{"messages", text_then_result}}) ==
               "messages.2.content.1.type: tool_result blocks must come before any other content");
    const json user_tool_use = {
        {{"role", "user"},
         {"content",
          {{{"type", "tool_use"}, {"id", "t"}, {"name", "f"}, {"input", json::object()}}}}}};
    BOOST_TEST(anthropic_error({{"messages", user_tool_use}}) ==
               "messages.0.content.0.type: tool_use blocks come from the assistant");
}

BOOST_AUTO_TEST_CASE(openai_renders_tool_calls) {
    ch::Usage usage;
    const std::vector<ch::ToolCall> calls = {{"toolu_1", "get_weather", R"({"city":"Paris"})"}};
    const json none = json::parse(
        oa::completion_json("c1", 1, "m", "", oa::finish_reason("tool_use"), usage, calls));
    BOOST_TEST(none["choices"][0]["finish_reason"] == "tool_calls");
    BOOST_TEST(none["choices"][0]["message"]["content"].is_null());
    BOOST_TEST(none["choices"][0]["message"]["tool_calls"] ==
               json::parse(R"([{"id":"toolu_1","type":"function","function":{"name":"get_weather",
                              "arguments":"{\"city\":\"Paris\"}"}}])"));
    const json text =
        json::parse(oa::completion_json("c1", 1, "m", "Checking.", "tool_calls", usage, calls));
    BOOST_TEST(text["choices"][0]["message"]["content"] == "Checking.");

    oa::Chunk start;
    start.tool_call = oa::ToolCallDelta{0, "toolu_1", "get_weather", ""};
    const std::string first = oa::chunk_event("c1", 1, "m", start);
    BOOST_TEST(json::parse(first.substr(6))["choices"][0]["delta"] ==
               json::parse(R"({"tool_calls":[{"index":0,"id":"toolu_1","type":"function",
                              "function":{"name":"get_weather","arguments":""}}]})"));
    oa::Chunk more;
    more.tool_call = oa::ToolCallDelta{0, "", "", "{\"ci"};
    const std::string next = oa::chunk_event("c1", 1, "m", more);
    BOOST_TEST(json::parse(next.substr(6))["choices"][0]["delta"] ==
               json::parse(R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"ci"}}]})"));
}

BOOST_AUTO_TEST_CASE(anthropic_renders_tool_use) {
    ch::Usage usage;
    an::Block tool{an::Block::Kind::ToolUse, "", {"toolu_1", "get_weather", R"({"city":"Paris"})"}};
    const json m =
        json::parse(an::message_json("msg_1", "m", {tool}, an::stop_reason("tool_use"), usage));
    BOOST_TEST(m["stop_reason"] == "tool_use");
    BOOST_TEST(m["content"] == json::parse(R"([{"type":"tool_use","id":"toolu_1",
                                         "name":"get_weather","input":{"city":"Paris"}}])"));
    const std::string start = an::tool_start_event(1, "toolu_1", "get_weather");
    BOOST_TEST(contains(start, "event: content_block_start\n"));
    BOOST_TEST(contains(
        start,
        R"("index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}})"));
    const std::string delta = an::input_json_delta_event(1, "{\"ci");
    BOOST_TEST(contains(delta, R"("delta":{"type":"input_json_delta","partial_json":"{\"ci"})"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(tool_requests_claude_code)

// Claude Code, as a client, sends context as a trailing message with role "system".
BOOST_AUTO_TEST_CASE(system_messages_join_the_system_prompt) {
    const json messages = {{{"role", "user"}, {"content", "hi"}},
                           {{"role", "system"}, {"content", "agent types: ..."}}};
    const auto r = an::parse_messages_request(
        anthropic_body({{"messages", messages}, {"system", "be brief"}}).dump());
    BOOST_REQUIRE_MESSAGE(r.request.has_value(), r.error);
    BOOST_TEST(*r.request->system == "be brief\n\nagent types: ...");
    BOOST_TEST(r.request->messages.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
