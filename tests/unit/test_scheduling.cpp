// The scheduling parts on their own: the fair queue's order, the rate limiter's sliding
// minute, the provider pool's strategies and limits, and conversation keys.
#include <boost/test/unit_test.hpp>

#include "common/config.h"
#include "daemon/conversation_key.h"
#include "daemon/fair_queue.h"
#include "daemon/job_outcome.h"
#include "daemon/provider_pool.h"
#include "daemon/rate_limiter.h"

namespace {

using namespace std::chrono_literals;

ch::ProviderConfig provider(const std::string& name, int max_concurrent = 0) {
    ch::ProviderConfig p;
    p.name = name;
    p.max_concurrent = max_concurrent;
    return p;
}

ch::JobSpec spec(const std::string& client, const std::string& strategy = "priority",
                 std::vector<ch::ProviderConfig> providers = {provider("a"), provider("b")}) {
    ch::JobSpec s;
    s.client = client;
    s.model.id = "m";
    s.model.strategy = strategy;
    s.providers = std::move(providers);
    return s;
}

std::shared_ptr<ch::Job> job(const std::string& client, const std::string& id) {
    return std::make_shared<ch::Job>(id, spec(client));
}

std::string chosen(ch::ProviderPool& pool, const ch::JobSpec& s,
                   const std::vector<std::string>& tried = {}) {
    const auto c = pool.choose(s, tried);
    switch (c.kind) {
        case ch::ProviderPool::Choice::Kind::Run:
            return c.provider.name;
        case ch::ProviderPool::Choice::Kind::Wait:
            return "wait";
        case ch::ProviderPool::Choice::Kind::Refuse:
            break;
    }
    return "refuse " + std::to_string(c.refusal.http_status) + " " + c.refusal.code;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fair_queue)

BOOST_AUTO_TEST_CASE(clients_are_served_in_turn_and_each_in_order) {
    ch::FairQueue q;
    for (const auto& [client, id] : std::vector<std::pair<std::string, std::string>>{
             {"x", "x1"}, {"x", "x2"}, {"x", "x3"}, {"y", "y1"}, {"z", "z1"}, {"y", "y2"}})
        q.push_back({job(client, id), {}});
    BOOST_TEST(q.size() == 6u);
    BOOST_TEST(q.size("x") == 3u);
    std::vector<std::string> order;
    std::vector<ch::FairQueue::Entry> dropped;
    while (!q.empty())
        order.push_back(
            q.take([](const auto&) { return ch::FairQueue::Verdict::Take; }, dropped).job->id());
    BOOST_TEST(order == (std::vector<std::string>{"x1", "y1", "z1", "x2", "y2", "x3"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(skipped_entries_stay_dropped_ones_go_and_front_keeps_the_place) {
    ch::FairQueue q;
    q.push_back({job("x", "x1"), {}});
    q.push_back({job("x", "x2"), {}});
    q.push_back({job("y", "y1"), {}});
    std::vector<ch::FairQueue::Entry> dropped;
    const auto taken = q.take(
        [](const ch::FairQueue::Entry& e) {
            if (e.job->id() == "x1") return ch::FairQueue::Verdict::Skip;
            if (e.job->id() == "x2") return ch::FairQueue::Verdict::Drop;
            return ch::FairQueue::Verdict::Take;
        },
        dropped);
    BOOST_TEST(taken.job->id() == "y1");
    BOOST_REQUIRE(dropped.size() == 1u);
    BOOST_TEST(dropped[0].job->id() == "x2");
    q.push_front({job("y", "y0"), {"a"}});
    std::vector<std::string> left;
    for (const auto& j : q.jobs())
        left.push_back(j->id());
    BOOST_TEST(left == (std::vector<std::string>{"y0", "x1"}), boost::test_tools::per_element());
    BOOST_TEST(q.remove(q.jobs().back()));
    BOOST_TEST(q.size() == 1u);
    BOOST_TEST(q.clear().size() == 1u);
    BOOST_TEST(q.empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(rate_limiter)

BOOST_AUTO_TEST_CASE(requests_per_minute_slide) {
    ch::RateLimiter r;
    ch::ClientLimits limits;
    limits.requests_per_minute = 2;
    ch::ModelConfig model;
    model.id = "m";
    const auto t0 = ch::RateLimiter::Clock::now();
    BOOST_TEST(!r.admit("c", limits, model, t0));
    BOOST_TEST(!r.admit("c", limits, model, t0 + 10s));
    const auto refused = r.admit("c", limits, model, t0 + 20s);
    BOOST_REQUIRE(refused.has_value());
    BOOST_TEST(refused->http_status == 429);
    BOOST_TEST(refused->code == "rate_limited");
    BOOST_TEST(*refused->retry_after == 40);  // when the first falls out of the minute
    BOOST_TEST(!r.admit("other", limits, model, t0 + 20s));
    BOOST_TEST(!r.admit("c", limits, model, t0 + 61s));
}

BOOST_AUTO_TEST_CASE(tokens_per_minute_count_finished_requests) {
    ch::RateLimiter r;
    ch::ClientLimits none;
    ch::ModelConfig model;
    model.id = "m";
    model.tokens_per_minute = 100;
    const auto t0 = ch::RateLimiter::Clock::now();
    BOOST_TEST(!r.admit("c", none, model, t0));
    r.add_tokens("c", "m", 60, t0 + 1s);
    BOOST_TEST(!r.admit("c", none, model, t0 + 2s));
    r.add_tokens("c", "m", 50, t0 + 3s);
    const auto refused = r.admit("d", none, model, t0 + 4s);
    BOOST_REQUIRE(refused.has_value());
    BOOST_TEST(*refused->retry_after == 57);  // 60 tokens leave the minute at t0 + 61 s
    BOOST_TEST(!r.admit("d", none, model, t0 + 62s));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(provider_choice)

BOOST_AUTO_TEST_CASE(strategies) {
    ch::ProviderPool pool(nullptr);
    BOOST_TEST(chosen(pool, spec("c")) == "a");
    BOOST_TEST(chosen(pool, spec("c")) == "a");
    const auto rr = spec("c", "round-robin");
    BOOST_TEST(chosen(pool, rr) == "a");
    BOOST_TEST(chosen(pool, rr) == "b");
    BOOST_TEST(chosen(pool, rr) == "a");
    const auto least = spec("c", "least-loaded");
    pool.started(least, "a");
    BOOST_TEST(chosen(pool, least) == "b");
    pool.started(least, "b");
    pool.started(least, "b");
    BOOST_TEST(chosen(pool, least) == "a");
}

BOOST_AUTO_TEST_CASE(max_concurrent_makes_jobs_wait_and_tried_ones_are_skipped) {
    ch::ProviderPool pool(nullptr);
    const auto s = spec("c", "priority", {provider("a", 1), provider("b", 1)});
    pool.started(s, "a");
    BOOST_TEST(chosen(pool, s) == "b");
    pool.started(s, "b");
    BOOST_TEST(chosen(pool, s) == "wait");
    pool.ended("a");
    BOOST_TEST(chosen(pool, s) == "a");
    BOOST_TEST(chosen(pool, s, {"a"}) == "wait");
    BOOST_TEST(chosen(pool, s, {"a", "b"}) == "refuse 503 not_ready");
}

BOOST_AUTO_TEST_CASE(conversations_stick_and_wait_for_their_busy_provider) {
    ch::ProviderPool pool(nullptr);
    auto s = spec("c", "round-robin", {provider("a", 1), provider("b")});
    s.conversation = "k1";
    BOOST_TEST(chosen(pool, s) == "a");
    pool.started(s, "a");
    BOOST_TEST(chosen(pool, s) == "wait");  // a is full: the conversation waits for it
    pool.ended("a");
    BOOST_TEST(chosen(pool, s) == "a");
}

BOOST_AUTO_TEST_CASE(usage_limits_cool_down_and_name_the_earliest_reset) {
    ch::ProviderPool pool(nullptr);
    auto s = spec("c");
    pool.record(provider("a"), ch::failed_outcome(429, "usage_limit", "limit", 300), 3);
    BOOST_TEST(chosen(pool, s) == "b");
    BOOST_TEST(pool.can_move(s, {"a"}));
    pool.record(provider("b"), ch::failed_outcome(429, "usage_limit", "limit", 100), 3);
    BOOST_TEST(!pool.can_move(s, {"b"}));
    const auto c = pool.choose(s, {});
    BOOST_REQUIRE(c.kind == ch::ProviderPool::Choice::Kind::Refuse);
    BOOST_TEST(c.refusal.http_status == 429);
    BOOST_TEST((*c.refusal.retry_after >= 99 && *c.refusal.retry_after <= 100));
    auto outcome = ch::failed_outcome(429, "usage_limit", "limit", 300);
    pool.adjust_retry_after(s, outcome);
    BOOST_TEST((*outcome.retry_after >= 99 && *outcome.retry_after <= 100));
}

BOOST_AUTO_TEST_CASE(auth_failures_in_a_row_suspend_and_success_resets_the_count) {
    ch::ProviderPool pool(nullptr);
    const auto s = spec("c", "priority", {provider("a")});
    const auto denied = ch::failed_outcome(503, "auth_failed", "refused");
    ch::JobOutcome answered;
    answered.ok = true;
    pool.record(provider("a"), denied, 3);
    pool.record(provider("a"), denied, 3);
    pool.record(provider("a"), answered, 3);
    pool.record(provider("a"), denied, 3);
    pool.record(provider("a"), denied, 3);
    BOOST_TEST(chosen(pool, s) == "a");
    pool.record(provider("a"), denied, 3);
    BOOST_TEST(chosen(pool, s) == "refuse 503 not_ready");
    pool.reset_suspensions();
    BOOST_TEST(chosen(pool, s) == "a");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(conversation_keys_follow_the_first_user_message) {
    ch::ChatRequest r;
    r.system = "be brief";
    r.messages = {{"user", {{ch::ContentPart::Kind::Text, "hello", "", ""}}}};
    const auto first = ch::conversation_key("key@2", r);
    r.messages.push_back({"assistant", {{ch::ContentPart::Kind::Text, "hi", "", ""}}});
    r.messages.push_back({"user", {{ch::ContentPart::Kind::Text, "more", "", ""}}});
    BOOST_TEST(ch::conversation_key("key@2", r) == first);
    BOOST_TEST(ch::conversation_key("key@3", r) != first);
    r.system = "be long";
    BOOST_TEST(ch::conversation_key("key@2", r) != first);
    BOOST_TEST(first.size() == 16u);
}
