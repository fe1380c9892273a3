#include "bench/tools_phase.h"

#include <filesystem>
#include <vector>

#include "bench/daemon.h"
#include "bench/http_client.h"
#include "bench/proc_stats.h"
#include "bench/real_cli.h"

namespace bench {
namespace {

constexpr int kWarmUpRounds = 2;
constexpr const char* kToolName = "get_weather";
constexpr const char* kArguments = R"({"city":"Paris","days":[1,2]})";

std::string tool_request_body() {
    const json tool = {{"type", "function"},
                       {"function",
                        {{"name", kToolName},
                         {"description", "The weather forecast for a city"},
                         {"parameters",
                          {{"type", "object"},
                           {"properties",
                            {{"city", {{"type", "string"}}},
                             {"days", {{"type", "array"}, {"items", {{"type", "integer"}}}}}}},
                           {"required", json::array({"city"})}}}}}};
    const std::string prompt =
        std::string("What is the weather? MOCK[tool=") + kToolName + " " + kArguments + "]";
    return json{{"model", "claude-sonnet"},
                {"stream", true},
                {"messages", json::array({{{"role", "user"}, {"content", prompt}}})},
                {"tools", json::array({tool})}}
        .dump();
}

// A streamed request whose answer is a call of kToolName: first_delta_ms is the time to the
// first tool_calls delta. The arguments streamed must add up to kArguments and the stream must
// end with finish_reason "tool_calls".
Sample post_tool_stream(httplib::Client& client) {
    Sample s;
    std::string arguments, finish;
    const auto t0 = Clock::now();
    const bool streamed = stream_chat(
        client, tool_request_body(),
        [&](const json& chunk, Clock::time_point arrived) {
            const json& choice = item(field(chunk, "choices"), 0);
            if (field(choice, "finish_reason").is_string())
                finish = field(choice, "finish_reason").get<std::string>();
            const json& call = item(field(field(choice, "delta"), "tool_calls"), 0);
            if (call.is_null()) return;
            if (s.first_delta_ms == 0) s.first_delta_ms = ms_between(t0, arrived);
            const json& piece = field(field(call, "function"), "arguments");
            if (piece.is_string()) arguments += piece.get<std::string>();
        },
        s);
    if (!streamed) return s;
    if (finish != "tool_calls")
        s.error = "finish_reason '" + finish + "'";
    else if (json::parse(arguments, nullptr, false) != json::parse(kArguments))
        s.error = "arguments " + arguments;
    s.ok = s.error.empty();
    return s;
}

std::string row(const char* what, const std::vector<double>& plain,
                const std::vector<double>& tools) {
    return sfmt("| %s | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %.0f ms | **%.2f×** |\n",
                what, percentile(plain, 0.5), percentile(plain, 0.9), percentile(plain, 0.0),
                percentile(tools, 0.5), percentile(tools, 0.9), percentile(tools, 0.0),
                percentile(tools, 0.5) / percentile(plain, 0.5));
}

}  // namespace

bool measure_tools(Report& out, const Options& opt, const std::string& dir) {
    const std::string node = find_node(opt);
    std::filesystem::create_directories(dir + "/home");
    progress("tools: starting the mock upstream and a daemon with the real CLI");
    MockUpstream mock(node, opt.mock);
    const std::string env =
        ", ANTHROPIC_BASE_URL = \"http://127.0.0.1:" + std::to_string(mock.port()) +
        "\", HOME = \"" + dir + "/home\"";
    Daemon d(opt.daemon, opt.claude, dir + "/d", 4, 16, 0, env);
    auto client = make_client(d.port());

    std::vector<double> plain_first, plain_total, tool_first, tool_total;
    int failures = 0, leftovers = 0;
    std::string first_error;
    const int rounds = kWarmUpRounds + opt.warm_requests;
    for (int i = 0; i < rounds; ++i) {
        if (i % 5 == 0) progress(sfmt("tools: round %d of %d", i + 1, rounds));
        // Each request starts from a daemon with no CLI: the last one, and its bridge, are gone.
        if (!wait_quiet(d, 0)) ++leftovers;
        const Sample plain = post_stream(*client, kPrompt, {}, kMockReply);
        if (!wait_quiet(d, 0)) ++leftovers;
        const Sample tool = post_tool_stream(*client);
        for (const Sample* s : {&plain, &tool}) {
            if (!s->ok && failures++ == 0) first_error = s->error;
        }
        if (i < kWarmUpRounds || !plain.ok || !tool.ok) continue;
        plain_first.push_back(plain.first_delta_ms);
        plain_total.push_back(plain.total_ms);
        tool_first.push_back(tool.first_delta_ms);
        tool_total.push_back(tool.total_ms);
    }
    if (!wait_quiet(d, 0)) ++leftovers;
    const std::string stop = d.stop();

    out("\n## Client-defined tools (real Claude Code CLI, mock upstream)\n\n");
    out(sfmt(
        "%d rounds after %d warm-up rounds, one request at a time to a daemon with "
        "`warm_pool = 0`: a plain streamed completion of \"%s\", then a streamed request "
        "offering one tool (`%s`) that the mock's model calls with %s. The tool request "
        "starts the CLI with the tool bridge (`--mcp-config`), and the daemon answers as "
        "soon as the call is complete and stops the CLI. Before each request the daemon "
        "holds no process (waited for; a process still there after 30 s counts as left "
        "over). CLI: `%s`. Failures: %d%s. Left over: %d.\n\n",
        opt.warm_requests, kWarmUpRounds, kPrompt, kToolName, kArguments, opt.claude.c_str(),
        failures, first_error.empty() ? "" : (" (first: " + first_error + ")").c_str(), leftovers));
    out("| measure | plain p50 | p90 | min | tool call p50 | p90 | min | tool / plain (p50) |\n");
    out("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    if (!plain_first.empty()) {
        out(row("first delta (text, or the tool call)", plain_first, tool_first));
        out(row("total (request sent → end of the stream)", plain_total, tool_total));
    }
    out(sfmt("\nShutdown: SIGTERM → %s.\n", stop.c_str()));
    return failures == 0 && leftovers == 0 && d.clean_exit();
}

}  // namespace bench
