// Every error status the daemon answers with, each in OpenAI's exact error shape.
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <thread>

#include "daemon_fixture.h"
#include "http_helpers.h"

using namespace it;

namespace {

// Holds a FAKE[hang] request open on a raw connection until its CLI runs.
std::unique_ptr<RawConnection> hang_request(const Daemon& d, std::size_t pids_before) {
    auto conn = std::make_unique<RawConnection>(d.port());
    conn->send_chat(chat_body("FAKE[hang] occupy the slot"));
    // Stop waiting early when the daemon answers instead of running the CLI.
    const bool started = wait_until(
        [&] { return d.recorded_pids().size() > pids_before || conn->read_until("HTTP/1.1", 0ms); },
        10s);
    BOOST_REQUIRE_MESSAGE(started && d.recorded_pids().size() > pids_before,
                          "the hanging CLI did not start; the daemon answered:\n"
                              << conn->received());
    return conn;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(errors)

BOOST_AUTO_TEST_CASE(bad_requests_400) {
    Daemon d;
    check_error(post_text(d.port(), "{\"model\": \"claude-sonnet\", \"messages\": ["), 400,
                "invalid_request", "invalid JSON");

    json body = chat_body("hi");
    body["messages"][0].erase("content");
    const json e =
        check_error(post_chat(d.port(), body), 400, "invalid_request", "messages[0].content");
    BOOST_TEST(e["param"] == "messages[0].content");

    body = chat_body("hi");
    body["stream"] = "yes";
    const json s = check_error(post_chat(d.port(), body), 400, "invalid_request", "stream");
    BOOST_TEST(s["param"] == "stream");

    body = chat_body("hi");
    body["n"] = 2;
    const json n = check_error(post_chat(d.port(), body), 400, "invalid_request", "n=1");
    BOOST_TEST(n["param"] == "n");
    BOOST_TEST(d.recorded_pids().empty(), "no CLI ran for a bad request");
}

BOOST_AUTO_TEST_CASE(api_keys_401) {
    Daemon d({.api_keys = {"sk-good-one", "sk-good-two"}});
    auto client = make_client(d.port());
    const std::string body = chat_body("hello").dump();

    check_error(client.Post("/v1/chat/completions", body, "application/json"), 401,
                "missing_api_key", "Missing API key");
    check_error(client.Post("/v1/chat/completions", {{"Authorization", "Bearer sk-wrong"}}, body,
                            "application/json"),
                401, "invalid_api_key", "Incorrect API key");
    check_error(client.Post("/v1/chat/completions", {{"x-api-key", "sk-good-on"}}, body,
                            "application/json"),
                401, "invalid_api_key");
    check_error(client.Get("/v1/models"), 401, "missing_api_key");

    BOOST_TEST(completion_text(post_chat(d.port(), chat_body("hello"),
                                         {{"Authorization", "Bearer sk-good-two"}})) ==
               "Hello from the fake.");
    BOOST_TEST(
        completion_text(post_chat(d.port(), chat_body("hello"), {{"x-api-key", "sk-good-one"}})) ==
        "Hello from the fake.");
    auto models = client.Get("/v1/models", {{"x-api-key", "sk-good-one"}});
    BOOST_REQUIRE(models);
    BOOST_TEST(models->status == 200);

    // The probes stay open without a key.
    auto health = client.Get("/health");
    BOOST_REQUIRE(health);
    BOOST_TEST(health->status == 200);
    BOOST_TEST(json::parse(health->body)["status"] == "ok");
    auto ready = client.Get("/ready");
    BOOST_REQUIRE(ready);
    BOOST_TEST(ready->status == 200, ready->body);
    auto head = client.Head("/");
    BOOST_REQUIRE(head);
    BOOST_TEST(head->status == 200);
}

BOOST_AUTO_TEST_CASE(not_found_404_and_method_405) {
    Daemon d;
    json body = chat_body("hi");
    body["model"] = "gpt-4o";
    const json e = check_error(post_chat(d.port(), body), 404, "model_not_found", "gpt-4o");
    BOOST_TEST(e["message"].get<std::string>().find("claude-sonnet (sonnet)") != std::string::npos,
               e.dump());
    BOOST_TEST(e["param"] == "model");

    auto client = make_client(d.port());
    check_error(client.Get("/v1/models/gpt-4o"), 404, "model_not_found", "claude-sonnet");
    check_error(client.Get("/v1/nowhere"), 404, "not_found", "/v1/nowhere");

    auto res = client.Get("/v1/chat/completions");
    check_error(res, 405, "method_not_allowed");
    BOOST_TEST(res->get_header_value("Allow") == "POST");
    check_error(client.Post("/health", "{}", "application/json"), 405, "method_not_allowed");
}

BOOST_AUTO_TEST_CASE(body_too_large_413) {
    Daemon d({.server = {"max_body_bytes = 1000"}});
    check_error(post_chat(d.port(), chat_body(std::string(2000, 'x'))), 413, "request_too_large",
                "max_body_bytes");
    BOOST_TEST(completion_text(post_chat(d.port(), chat_body("small"))) == "Hello from the fake.");
}

BOOST_AUTO_TEST_CASE(queue_full_429) {
    Daemon d({.limits = {"max_concurrent_jobs = 1", "max_queued_jobs = 0"}});
    // "0 = none may wait": a request that finds the slot free is still served.
    auto alone = post_chat(d.port(), chat_body("alone"));
    BOOST_REQUIRE(alone);
    BOOST_TEST(alone->status == 200, "a free slot must serve the request: " << alone->body);
    // The slot is free again once that CLI has exited and been reaped.
    const bool idle = wait_until(
        [&] {
            auto h = make_client(d.port()).Get("/health");
            return h && json::parse(h->body)["active_jobs"] == 0;
        },
        10s);
    BOOST_REQUIRE_MESSAGE(idle, "the first job never released its slot");
    auto hanging = hang_request(d, d.recorded_pids().size());
    auto res = post_chat(d.port(), chat_body("second"));
    check_error(res, 429, "queue_full", "max_queued_jobs");
    BOOST_TEST(std::atoi(res->get_header_value("Retry-After").c_str()) > 0);
    hanging->close();
}

BOOST_AUTO_TEST_CASE(queue_full_429_with_one_waiting) {
    Daemon d({.limits = {"max_concurrent_jobs = 1", "max_queued_jobs = 1"}});
    auto hanging = hang_request(d, 0);
    RawConnection waiting(d.port());
    waiting.send_chat(chat_body("waits for the slot"));
    const bool queued = wait_until(
        [&] {
            auto h = make_client(d.port()).Get("/health");
            return h && json::parse(h->body)["queued_jobs"] == 1;
        },
        10s);
    BOOST_REQUIRE_MESSAGE(queued, "the second request was not queued");
    auto res = post_chat(d.port(), chat_body("third"));
    check_error(res, 429, "queue_full", "max_queued_jobs");
    BOOST_TEST(std::atoi(res->get_header_value("Retry-After").c_str()) > 0);
    hanging->close();
    BOOST_TEST(waiting.read_until("Hello from the fake.", 10s), "the queued one is then served");
}

BOOST_AUTO_TEST_CASE(queue_timeout_429) {
    Daemon d(
        {.limits = {"max_concurrent_jobs = 1", "max_queued_jobs = 4", "queue_timeout = \"1s\""}});
    auto hanging = hang_request(d, 0);
    const auto start = Clock::now();
    auto res = post_chat(d.port(), chat_body("waits in the queue"));
    const auto waited = ms_since(start);
    check_error(res, 429, "queue_timeout", "queue_timeout");
    BOOST_TEST(waited >= 900);
    BOOST_TEST(waited < 5000);
    BOOST_TEST(d.recorded_pids().size() == 1u, "the queued request never ran a CLI");
    hanging->close();
}

BOOST_AUTO_TEST_CASE(usage_limit_429) {
    Daemon d({.limits = {"usage_limit_retry_after = \"2h\""}});
    auto res = post_chat(d.port(), chat_body("FAKE[usage_limit]"));
    check_error(res, 429, "usage_limit", "session limit");
    const std::string retry = res->get_header_value("Retry-After");
    BOOST_TEST(retry.find_first_not_of("0123456789") == std::string::npos, retry);
    const long seconds = std::atol(retry.c_str());
    BOOST_TEST(seconds > 0);
    BOOST_TEST(seconds <= 86400);

    // The provider cools down until the reset: the next request is refused without a CLI.
    const auto ran = d.recorded_pids().size();
    auto cooling = post_chat(d.port(), chat_body("hello"));
    check_error(cooling, 429, "usage_limit", "usage limit; the earliest resets in");
    const long again = std::atol(cooling->get_header_value("Retry-After").c_str());
    BOOST_TEST((again > 0 && again <= seconds), again);
    BOOST_TEST(d.recorded_pids().size() == ran, "a cooling provider ran a CLI");

    Daemon fresh({.limits = {"usage_limit_retry_after = \"2h\""}});
    auto noreset = post_chat(fresh.port(), chat_body("FAKE[usage_limit_noreset]"));
    check_error(noreset, 429, "usage_limit", "weekly limit");
    BOOST_TEST(noreset->get_header_value("Retry-After") == "7200");
}

BOOST_AUTO_TEST_CASE(cli_error_and_crash_502) {
    Daemon d;
    check_error(post_chat(d.port(), chat_body("FAKE[error=500]")), 502, "cli_error",
                "API Error: 500 Internal server error");
    check_error(post_chat(d.port(), chat_body("FAKE[crash_after=1]")), 502, "cli_crashed",
                "exited with status 1");
    check_error(post_chat(d.port(), chat_body("FAKE[crash_after=1]")), 502, "cli_crashed",
                "fake-claude: simulated crash");
}

BOOST_AUTO_TEST_CASE(not_ready_503) {
    const std::string missing = "/nonexistent/dir/claude-missing";
    Daemon d({.claude = missing});
    auto client = make_client(d.port());
    auto ready = client.Get("/ready");
    BOOST_REQUIRE(ready);
    BOOST_TEST(ready->status == 503);
    const json doc = json::parse(ready->body);
    BOOST_TEST(doc["status"] == "not_ready");
    BOOST_TEST(doc["reason"].get<std::string>().find(missing) != std::string::npos, ready->body);

    check_error(post_chat(d.port(), chat_body("hello")), 503, "not_ready", missing);
    check_error(post_chat(d.port(), chat_body("hello", true)), 503, "not_ready", missing);
    auto health = client.Get("/health");
    BOOST_REQUIRE(health);
    BOOST_TEST(health->status == 200);
}

BOOST_AUTO_TEST_CASE(job_timeout_504) {
    Daemon d({.limits = {"job_timeout = \"1s\"", "idle_timeout = \"30s\""}});
    auto start = Clock::now();
    check_error(post_chat(d.port(), chat_body("FAKE[hang]")), 504, "timeout", "job_timeout");
    BOOST_TEST(ms_since(start) >= 900);
    BOOST_TEST(ms_since(start) < 4000);
    // Output keeps flowing (never idle for 1 s) but the whole run would take over 2 s.
    start = Clock::now();
    check_error(post_chat(d.port(), chat_body("FAKE[big=200000,delay_ms=200]")), 504, "timeout",
                "job_timeout");
    BOOST_TEST(ms_since(start) < 4000);
}

BOOST_AUTO_TEST_CASE(idle_timeout_504) {
    Daemon d({.limits = {"idle_timeout = \"1s\""}});
    const auto start = Clock::now();
    check_error(post_chat(d.port(), chat_body("FAKE[hang]")), 504, "idle_timeout", "idle_timeout");
    BOOST_TEST(ms_since(start) < 4000);
    // Output every 600 ms keeps the idle timer from firing although the run takes ~1.8 s.
    BOOST_TEST(completion_text(post_chat(d.port(), chat_body("FAKE[delay_ms=600]"))) ==
               "Hello from the fake.");
}

BOOST_AUTO_TEST_SUITE_END()
