// Several clients sharing one harness: the queue serves them in turn, each has a queued
// maximum, and requests and tokens per minute are limited per client and per model, every
// refusal a 429 with Retry-After in the caller's dialect.
#include <future>

#include <boost/test/unit_test.hpp>

#include "daemon_fixture.h"
#include "http_helpers.h"

using namespace it;

namespace {

httplib::Headers key(const std::string& k) {
    return {{"Authorization", "Bearer " + k}};
}

std::size_t queued(int port) {
    auto res = make_client(port).Get("/health");
    return res ? json::parse(res->body)["queued_jobs"].get<std::size_t>() : 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fairness)

BOOST_AUTO_TEST_CASE(a_burst_from_one_client_does_not_starve_another) {
    Daemon d({.limits = {"max_concurrent_jobs = 1", "max_queued_jobs = 20"},
              .api_keys = {"sk-burst", "sk-other"}});
    // Each answer takes about 150 ms, so the burst queues up behind the single slot.
    const std::string slow = "FAKE[delay_ms=50] ";
    std::mutex mutex;
    std::vector<std::string> finished;
    const auto ask = [&](const std::string& k, const std::string& name) {
        return std::async(std::launch::async, [&, k, name] {
            auto res = post_chat(d.port(), chat_body(slow + name), key(k));
            std::lock_guard guard(mutex);
            finished.push_back(res && res->status == 200 ? name : name + " failed");
        });
    };
    std::vector<std::future<void>> burst;
    for (int i = 0; i < 6; ++i) {
        burst.push_back(ask("sk-burst", "burst" + std::to_string(i)));
        // In order, so the burst's own order is known.
        BOOST_REQUIRE(wait_until([&] { return queued(d.port()) + 1 >= std::size_t(i + 1); }, 5s));
    }
    BOOST_REQUIRE(wait_until([&] { return queued(d.port()) == 5; }, 5s));
    auto other = ask("sk-other", "other");
    other.get();
    for (auto& f : burst)
        f.get();
    BOOST_REQUIRE(finished.size() == 7u);
    const auto rank = std::find(finished.begin(), finished.end(), "other") - finished.begin();
    // First in first out it would be last (7th); served in turn it comes third at the latest:
    // after the running job and the burst's next one.
    BOOST_TEST(rank <= 2, "finished in this order: " << json(finished).dump());
}

BOOST_AUTO_TEST_CASE(each_client_has_a_queued_maximum) {
    Daemon d({.limits = {"max_concurrent_jobs = 1", "max_queued_per_client = 2"},
              .api_keys = {"sk-one", "sk-two"}});
    const auto hanging = [&](const std::string& k) {
        auto c = std::make_unique<RawConnection>(d.port());
        json body = chat_body("FAKE[hang]");
        c->send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + k +
                "\r\nContent-Type: application/json\r\nContent-Length: " +
                std::to_string(body.dump().size()) + "\r\n\r\n" + body.dump());
        return c;
    };
    std::vector<std::unique_ptr<RawConnection>> open;
    open.push_back(hanging("sk-one"));  // runs
    BOOST_REQUIRE(d.wait_pids(1, 10s));
    open.push_back(hanging("sk-one"));
    open.push_back(hanging("sk-one"));
    BOOST_REQUIRE(wait_until([&] { return queued(d.port()) == 2; }, 5s));
    auto refused = post_chat(d.port(), chat_body("one more"), key("sk-one"));
    check_error(refused, 429, "client_queue_full", "max_queued_per_client");
    BOOST_TEST(refused->get_header_value("Retry-After") == "1");
    // Another client still gets in line.
    open.push_back(hanging("sk-two"));
    BOOST_TEST(wait_until([&] { return queued(d.port()) == 3; }, 5s));
    for (auto& c : open)
        c->close();
}

BOOST_AUTO_TEST_CASE(requests_per_minute_per_client_in_each_dialect) {
    Daemon d({.limits = {"client_requests_per_minute = 2"},
              .api_keys = {"sk-a", "sk-b"},
              .extra_toml = "\n[clients.\"key@3\"]\nrequests_per_minute = 1\n"});
    BOOST_TEST(completion_text(post_chat(d.port(), chat_body("1"), key("sk-a"))).size() > 0u);
    BOOST_TEST(completion_text(post_chat(d.port(), chat_body("2"), key("sk-a"))).size() > 0u);
    auto limited = post_chat(d.port(), chat_body("3"), key("sk-a"));
    check_error(limited, 429, "rate_limited", "2 requests per minute for client 'key@2'");
    const long retry = std::atol(limited->get_header_value("Retry-After").c_str());
    BOOST_TEST((retry >= 1 && retry <= 60), retry);

    // key@3 has its own, lower limit; refused in Anthropic's shape on /v1/messages.
    const json messages = {{"model", "claude-sonnet"},
                           {"max_tokens", 100},
                           {"messages", {{{"role", "user"}, {"content", "hi"}}}}};
    auto first = make_client(d.port()).Post("/v1/messages", {{"x-api-key", "sk-b"}},
                                            messages.dump(), "application/json");
    BOOST_REQUIRE(first);
    BOOST_TEST(first->status == 200, first->body);
    auto second = make_client(d.port()).Post("/v1/messages", {{"x-api-key", "sk-b"}},
                                             messages.dump(), "application/json");
    BOOST_REQUIRE(second);
    BOOST_TEST(second->status == 429);
    BOOST_TEST(json::parse(second->body)["error"]["type"] == "rate_limit_error", second->body);
    BOOST_TEST(!second->get_header_value("Retry-After").empty());
}

BOOST_AUTO_TEST_CASE(tokens_per_minute_per_model) {
    // The fake's answer costs 11 + 13 + 17 input and 5 output tokens: 46 in all.
    Daemon d({.model = {"tokens_per_minute = 40"}});
    BOOST_TEST(completion_text(post_chat(d.port(), chat_body("spend"))).size() > 0u);
    auto limited = post_chat(d.port(), chat_body("more"));
    check_error(limited, 429, "rate_limited", "40 tokens per minute for model 'claude-sonnet'");
    const long retry = std::atol(limited->get_header_value("Retry-After").c_str());
    BOOST_TEST((retry >= 55 && retry <= 60), retry);
}

BOOST_AUTO_TEST_SUITE_END()
