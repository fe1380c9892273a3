// GET /metrics: what a few requests leave in the counters and histograms, access per
// [server] metrics, and the text as Prometheus' own parser (promtool) reads it.
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <map>
#include <sstream>

#include "ctl_helpers.h"
#include "daemon_fixture.h"
#include "http_helpers.h"

using namespace it;

namespace {

// "name{labels}" -> value, for every sample line.
std::map<std::string, double> samples(const std::string& text) {
    std::map<std::string, double> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        const auto space = line.rfind(' ');
        BOOST_REQUIRE_MESSAGE(space != std::string::npos, "no value in: " << line);
        out[line.substr(0, space)] = std::stod(line.substr(space + 1));
    }
    return out;
}

double sample(const std::map<std::string, double>& all, const std::string& series) {
    const auto it = all.find(series);
    BOOST_REQUIRE_MESSAGE(it != all.end(), "no sample " << series);
    return it->second;
}

std::string promtool() {
    const char* path = std::getenv("PATH");
    std::istringstream dirs(path != nullptr ? path : "");
    for (std::string dir; std::getline(dirs, dir, ':');)
        if (!dir.empty() && path_exists(dir + "/promtool")) return dir + "/promtool";
    BOOST_FAIL(
        "promtool not found in PATH: install Debian's prometheus package "
        "(scripts/install-deps.sh)");
    return "";
}

httplib::Result get_metrics(int port, const httplib::Headers& headers = {}) {
    return make_client(port).Get("/metrics", headers);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(metrics)

BOOST_AUTO_TEST_CASE(requests_tokens_and_gauges) {
    Daemon d;
    BOOST_REQUIRE_EQUAL(post_chat(d.port(), chat_body("one"))->status, 200);
    const SseResult streamed = stream_chat(d.port(), chat_body("two", true));
    BOOST_REQUIRE_EQUAL(streamed.status, 200);
    const json messages = {{"model", "claude-sonnet"},
                           {"max_tokens", 64},
                           {"messages", {{{"role", "user"}, {"content", "three"}}}}};
    BOOST_REQUIRE_EQUAL(
        make_client(d.port()).Post("/v1/messages", messages.dump(), "application/json")->status,
        200);
    check_error(post_text(d.port(), "{\"model\": \"claude-sonnet\", \"messages\": ["), 400,
                "invalid_request");
    json unknown = chat_body("four");
    unknown["model"] = "no-such-model";
    BOOST_REQUIRE_EQUAL(post_chat(d.port(), unknown)->status, 404);

    // The server records a request once its response is written, and a job leaves its slot once
    // its CLI is reaped; both may be just after the client has read the answer: wait for them.
    std::string last;
    const bool counted = wait_until(
        [&] {
            const auto scraped = get_metrics(d.port());
            last = scraped ? scraped->body : "no answer";
            const auto now = samples(last);
            double total = 0;
            for (const auto& [series, value] : now)
                if (series.rfind("claude_harness_requests_total{", 0) == 0) total += value;
            const auto running = now.find("claude_harness_running_jobs");
            return total == 5 && running != now.end() && running->second == 0;
        },
        10s);
    BOOST_REQUIRE_MESSAGE(counted, "requests not counted or jobs still running:\n" << last);
    const auto res = get_metrics(d.port());  // nothing else runs: the same counts
    BOOST_REQUIRE(res);
    BOOST_TEST(res->status == 200);
    BOOST_TEST(res->get_header_value("Content-Type") == "text/plain; version=0.0.4");
    const auto all = samples(res->body);
    const std::string chat = "endpoint=\"chat_completions\",model=\"claude-sonnet\"";
    const std::string msgs = "endpoint=\"messages\",model=\"claude-sonnet\"";
    BOOST_TEST(sample(all, "claude_harness_requests_total{" + chat + ",status=\"200\"}") == 2);
    BOOST_TEST(sample(all, "claude_harness_requests_total{" + msgs + ",status=\"200\"}") == 1);
    BOOST_TEST(sample(all,
                      "claude_harness_requests_total{endpoint=\"chat_completions\","
                      "model=\"none\",status=\"400\"}") == 1);
    BOOST_TEST(sample(all,
                      "claude_harness_requests_total{endpoint=\"chat_completions\","
                      "model=\"none\",status=\"404\"}") == 1);
    BOOST_TEST(sample(all, "claude_harness_request_duration_seconds_count{" + chat + "}") == 2);
    BOOST_TEST(sample(all, "claude_harness_request_duration_seconds_bucket{" + chat +
                               ",le=\"+Inf\"}") == 2);
    BOOST_TEST(sample(all, "claude_harness_request_duration_seconds_sum{" + chat + "}") > 0);
    BOOST_TEST(sample(all,
                      "claude_harness_request_duration_seconds_count{endpoint=\""
                      "chat_completions\",model=\"none\"}") == 2);
    BOOST_TEST(sample(all, "claude_harness_time_to_first_token_seconds_count{" + chat + "}") == 2);
    BOOST_TEST(sample(all, "claude_harness_time_to_first_token_seconds_count{" + msgs + "}") == 1);
    // The first token cannot come after the end of the response.
    BOOST_TEST(sample(all, "claude_harness_time_to_first_token_seconds_sum{" + chat + "}") <=
               sample(all, "claude_harness_request_duration_seconds_sum{" + chat + "}"));
    const std::string tokens =
        "claude_harness_tokens_total{model=\"claude-sonnet\","
        "provider=\"default\",kind=";
    BOOST_TEST(sample(all, tokens + "\"input\"}") > 0);
    BOOST_TEST(sample(all, tokens + "\"output\"}") > 0);
    sample(all, tokens + "\"cache_read\"}");
    sample(all, tokens + "\"cache_creation\"}");
    BOOST_TEST(sample(all, "claude_harness_queue_depth") == 0);
    BOOST_TEST(sample(all, "claude_harness_running_jobs") == 0);
    BOOST_TEST(sample(all, "claude_harness_cli_processes") == 0);
    BOOST_TEST(sample(all, "claude_harness_provider_ready{provider=\"default\"}") == 1);
    BOOST_TEST(sample(all, "claude_harness_process_start_time_seconds") > 1.7e9);
    BOOST_TEST(res->body.find("claude_harness_build_info{version=\"") != std::string::npos);
    BOOST_TEST(res->body.find("# TYPE claude_harness_request_duration_seconds histogram\n") !=
               std::string::npos);

    // Prometheus' own parser accepts the text (lint problems fail too).
    TempDir dir;
    write_file(dir.path() + "/metrics.txt", res->body);
    const ProcessResult check =
        run_process({promtool(), "check", "metrics"}, {}, dir.path() + "/metrics.txt");
    BOOST_TEST(check.exit_code() == 0, "promtool check metrics:\n" << check.out << check.err);

    const auto post = make_client(d.port()).Post("/metrics", "", "text/plain");
    check_error(post, 405, "method_not_allowed");
    BOOST_TEST(post->get_header_value("Allow") == "GET, HEAD");
}

BOOST_AUTO_TEST_CASE(access_follows_the_setting) {
    const httplib::Headers key = {{"Authorization", "Bearer sk-metrics"}};
    {
        Daemon d({.api_keys = {"sk-metrics"}});  // default: "api_key"
        check_error(get_metrics(d.port()), 401, "missing_api_key");
        BOOST_TEST(get_metrics(d.port(), key)->status == 200);
    }
    {
        Daemon d({.server = {"metrics = \"public\""}, .api_keys = {"sk-metrics"}});
        BOOST_TEST(get_metrics(d.port())->status == 200);
        check_error(post_chat(d.port(), chat_body("hi")), 401, "missing_api_key");
    }
    {
        Daemon d({.server = {"metrics = \"off\""}, .api_keys = {"sk-metrics"}});
        check_error(get_metrics(d.port(), key), 404, "not_found");
    }
}

BOOST_AUTO_TEST_SUITE_END()
