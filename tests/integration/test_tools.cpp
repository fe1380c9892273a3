// Client tools through the real daemon and fake-claude: the daemon starts the CLI with its
// MCP bridge (which fake-claude queries), the model's call comes back as tool_calls or a
// tool_use block, the CLI and the bridge are gone afterwards, and the result reaches the next
// turn's prompt.
#include <boost/test/unit_test.hpp>

#include <dirent.h>

#include <filesystem>

#include "daemon_fixture.h"
#include "http_helpers.h"

using namespace it;

namespace {

const json kSchema = json::parse(R"({"type":"object","properties":{"city":{"type":"string"}}})");
const std::string kCall = R"(FAKE[tool_call=get_weather:{"city":"Paris"}])";

json openai_tools() {
    return {{{"type", "function"},
             {"function",
              {{"name", "get_weather"}, {"description", "Weather"}, {"parameters", kSchema}}}}};
}

json anthropic_body(const json& messages, bool stream = false) {
    return {{"model", "claude-sonnet"},
            {"max_tokens", 1024},
            {"stream", stream},
            {"tools",
             {{{"name", "get_weather"}, {"description", "Weather"}, {"input_schema", kSchema}}}},
            {"messages", messages}};
}

httplib::Result post_messages(int port, const json& body) {
    return make_client(port).Post("/v1/messages", body.dump(), "application/json");
}

// Live bridge processes serving tools files under `dir`.
std::vector<pid_t> bridge_pids(const std::string& dir) {
    std::vector<pid_t> out;
    DIR* proc = opendir("/proc");
    while (dirent* e = proc ? readdir(proc) : nullptr) {
        const pid_t pid = std::atoi(e->d_name);
        if (pid <= 0) continue;
        std::string cmdline = read_file("/proc/" + std::string(e->d_name) + "/cmdline");
        std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
        if (cmdline.find("--tool-bridge " + dir) != std::string::npos && pid_alive(pid))
            out.push_back(pid);
    }
    if (proc) closedir(proc);
    return out;
}

void check_all_gone(const Daemon& d) {
    BOOST_TEST(
        wait_until([&] { return d.alive_pids().empty() && bridge_pids(d.dir()).empty(); }, 5s),
        "a CLI or bridge process outlived its tool call");
}

// Events of an Anthropic SSE body: (name, data).
std::vector<std::pair<std::string, json>> anthropic_events(const std::string& raw) {
    std::vector<std::pair<std::string, json>> out;
    std::size_t pos = 0;
    while ((pos = raw.find("event: ", pos)) != std::string::npos) {
        const auto nl = raw.find('\n', pos);
        const auto end = raw.find("\n\n", nl);
        out.emplace_back(raw.substr(pos + 7, nl - pos - 7),
                         json::parse(raw.substr(nl + 7, end - nl - 7)));
        pos = end;
    }
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tools)

BOOST_AUTO_TEST_CASE(openai_call_comes_back_and_the_result_reaches_the_next_turn) {
    Daemon d;
    json body = chat_body("weather? " + kCall);
    body["tools"] = openai_tools();
    auto res = post_chat(d.port(), body);
    BOOST_REQUIRE(res);
    BOOST_TEST_REQUIRE(res->status == 200, res->body);
    const json c = json::parse(res->body);
    const json& choice = c["choices"][0];
    BOOST_TEST(choice["finish_reason"] == "tool_calls");
    BOOST_TEST(choice["message"]["content"] == "Hello from the fake.");
    BOOST_REQUIRE(choice["message"]["tool_calls"].size() == 1u);
    const json& call = choice["message"]["tool_calls"][0];
    BOOST_TEST(call["type"] == "function");
    BOOST_TEST(call["function"]["name"] == "get_weather");
    BOOST_TEST(json::parse(call["function"]["arguments"].get<std::string>()) ==
               json::parse(R"({"city":"Paris"})"));
    BOOST_TEST(c["usage"]["completion_tokens"] == 5);
    check_all_gone(d);

    json follow = chat_body("");
    follow["tools"] = openai_tools();
    follow["messages"] = {
        {{"role", "user"}, {"content", "FAKE[echo] weather? " + kCall}},
        {{"role", "assistant"}, {"content", nullptr}, {"tool_calls", {call}}},
        {{"role", "tool"}, {"tool_call_id", call["id"]}, {"content", "sunny, 24"}}};
    auto next = post_chat(d.port(), follow);
    BOOST_REQUIRE(next);
    BOOST_TEST_REQUIRE(next->status == 200, next->body);
    const json answer = json::parse(next->body)["choices"][0];
    BOOST_TEST(answer["finish_reason"] == "stop");
    const std::string echoed = answer["message"]["content"].get<std::string>();
    const std::string id = call["id"].get<std::string>();
    BOOST_TEST(echoed.find("role=\"tool_call\" id=\"" + id +
                           "\" name=\"mcp__client__get_weather\"") != std::string::npos,
               echoed);
    BOOST_TEST(echoed.find("role=\"tool_result\" tool_call_id=\"" + id + "\">\nsunny, 24\n") !=
                   std::string::npos,
               echoed);
}

BOOST_AUTO_TEST_CASE(openai_stream_delivers_argument_fragments) {
    Daemon d;
    json body = chat_body("weather? " + kCall, true);
    body["tools"] = openai_tools();
    const auto r = stream_chat(d.port(), body);
    BOOST_TEST_REQUIRE(r.status == 200, r.raw);
    BOOST_TEST(r.done);
    std::string id, name, arguments, finish;
    int fragments = 0;
    for (const auto& e : r.events) {
        if (!e.value.is_object() || !e.value.contains("choices") || e.value["choices"].empty())
            continue;
        const json& choice = e.value["choices"][0];
        if (choice["finish_reason"].is_string()) finish = choice["finish_reason"];
        if (!choice["delta"].contains("tool_calls")) continue;
        const json& t = choice["delta"]["tool_calls"][0];
        BOOST_TEST(t["index"] == 0);
        if (t.contains("id")) {
            id = t["id"];
            name = t["function"]["name"];
            BOOST_TEST(t["function"]["arguments"] == "");
        } else {
            arguments += t["function"]["arguments"].get<std::string>();
            ++fragments;
        }
    }
    BOOST_TEST(finish == "tool_calls");
    BOOST_TEST(!id.empty());
    BOOST_TEST(name == "get_weather");
    BOOST_TEST(fragments >= 2);
    BOOST_TEST(json::parse(arguments) == json::parse(R"({"city":"Paris"})"));
    BOOST_TEST(r.text == "Hello from the fake.");
    check_all_gone(d);
}

BOOST_AUTO_TEST_CASE(anthropic_tool_use_blocks_stream_and_whole) {
    Daemon d;
    const json ask = {{{"role", "user"}, {"content", "weather? " + kCall}}};
    auto res = post_messages(d.port(), anthropic_body(ask));
    BOOST_REQUIRE(res);
    BOOST_TEST_REQUIRE(res->status == 200, res->body);
    const json m = json::parse(res->body);
    BOOST_TEST(m["stop_reason"] == "tool_use");
    BOOST_REQUIRE(m["content"].size() == 2u);
    BOOST_TEST(m["content"][0] == json::parse(R"({"type":"text","text":"Hello from the fake."})"));
    BOOST_TEST(m["content"][1]["type"] == "tool_use");
    BOOST_TEST(m["content"][1]["name"] == "get_weather");
    BOOST_TEST(m["content"][1]["input"] == json::parse(R"({"city":"Paris"})"));
    check_all_gone(d);

    auto streamed = post_messages(d.port(), anthropic_body(ask, true));
    BOOST_REQUIRE(streamed);
    BOOST_TEST_REQUIRE(streamed->status == 200, streamed->body);
    std::string partial;
    std::vector<std::string> starts;
    std::string stop_reason;
    for (const auto& [name, data] : anthropic_events(streamed->body)) {
        if (name == "content_block_start")
            starts.push_back(std::to_string(data["index"].get<int>()) + ":" +
                             data["content_block"]["type"].get<std::string>());
        if (name == "content_block_delta" && data["delta"]["type"] == "input_json_delta") {
            BOOST_TEST(data["index"] == 1);
            partial += data["delta"]["partial_json"].get<std::string>();
        }
        if (name == "message_delta") stop_reason = data["delta"]["stop_reason"];
    }
    BOOST_TEST(starts == (std::vector<std::string>{"0:text", "1:tool_use"}),
               boost::test_tools::per_element());
    BOOST_TEST(json::parse(partial) == json::parse(R"({"city":"Paris"})"));
    BOOST_TEST(stop_reason == "tool_use");
    check_all_gone(d);

    const json follow = {{{"role", "user"}, {"content", "FAKE[echo] weather? " + kCall}},
                         {{"role", "assistant"}, {"content", {m["content"][1]}}},
                         {{"role", "user"},
                          {"content",
                           {{{"type", "tool_result"},
                             {"tool_use_id", m["content"][1]["id"]},
                             {"content", "fog"}}}}}};
    auto next = post_messages(d.port(), anthropic_body(follow));
    BOOST_REQUIRE(next);
    BOOST_TEST_REQUIRE(next->status == 200, next->body);
    const json answer = json::parse(next->body);
    BOOST_TEST(answer["stop_reason"] == "end_turn");
    BOOST_TEST(answer["content"][0]["text"].get<std::string>().find(">\nfog\n") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(refusals) {
    Daemon d;
    json forced = chat_body("hi");
    forced["tools"] = openai_tools();
    forced["tool_choice"] = "required";
    const json e = check_error(post_chat(d.port(), forced), 400, "invalid_request");
    BOOST_TEST(e["param"] == "tool_choice");

    json with_session = chat_body("hi");
    with_session["tools"] = openai_tools();
    with_session["session_id"] = "new";
    const json s = check_error(post_chat(d.port(), with_session), 400, "invalid_request");
    BOOST_TEST(s["message"].get<std::string>().find("tools cannot be combined with sessions") !=
               std::string::npos);

    json any = anthropic_body({{{"role", "user"}, {"content", "hi"}}});
    any["tool_choice"] = {{"type", "any"}};
    auto r = post_messages(d.port(), any);
    BOOST_REQUIRE(r);
    BOOST_TEST(r->status == 400);
    BOOST_TEST(json::parse(r->body)["error"]["type"] == "invalid_request_error");
    json job = {{"model", "claude-sonnet"}, {"prompt", "hi"}, {"tools", openai_tools()}};
    auto j = make_client(d.port()).Post("/v1/jobs", job.dump(), "application/json");
    BOOST_TEST(check_error(j, 400, "invalid_request")["param"] == "tools");
    BOOST_TEST(d.recorded_pids().empty());  // no CLI was started for any of them
}

BOOST_AUTO_TEST_CASE(a_tool_request_never_takes_a_pre_started_process) {
    DaemonOptions options;
    options.warm_pool = 1;
    Daemon d(options);
    BOOST_REQUIRE(d.wait_pids(1, 10s));  // the pre-started one, without the bridge
    json body = chat_body("weather? " + kCall);
    body["tools"] = openai_tools();
    auto res = post_chat(d.port(), body);
    BOOST_REQUIRE(res);
    BOOST_TEST_REQUIRE(res->status == 200, res->body);
    // Only a process started with the bridge calls the tool.
    BOOST_TEST(json::parse(res->body)["choices"][0]["finish_reason"] == "tool_calls");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(tools_not_offered)

// tool_choice "none": the CLI runs without the bridge, so the model cannot call the tool.
BOOST_AUTO_TEST_CASE(tool_choice_none_runs_without_the_bridge) {
    Daemon d;
    json body = chat_body("weather? " + kCall);
    body["tools"] = openai_tools();
    body["tool_choice"] = "none";
    auto res = post_chat(d.port(), body);
    BOOST_REQUIRE(res);
    BOOST_TEST_REQUIRE(res->status == 200, res->body);
    const json choice = json::parse(res->body)["choices"][0];
    BOOST_TEST(choice["finish_reason"] == "stop");
    BOOST_TEST(!choice["message"].contains("tool_calls"));
    BOOST_TEST(choice["message"]["content"] == "Hello from the fake.");
}

BOOST_AUTO_TEST_SUITE_END()
