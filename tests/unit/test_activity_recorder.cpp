#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>

#include "daemon/activity_recorder.h"
#include "daemon/event_feed.h"
#include "daemon/job.h"

using ch::ActivityRecorder;
using ch::ErrorCategory;
using ch::JobOutcome;
using namespace std::chrono_literals;

namespace {

JobOutcome ok_outcome(std::int64_t in, std::int64_t out) {
    JobOutcome o;
    o.ok = true;
    o.reply.usage.input_tokens = in;
    o.reply.usage.output_tokens = out;
    return o;
}

JobOutcome failed(const std::string& code, int status) {
    JobOutcome o;
    o.ok = false;
    o.code = code;
    o.http_status = status;
    return o;
}

// A fixed minute boundary, so the test does not depend on when it runs.
const ActivityRecorder::Clock::time_point kT0{std::chrono::seconds(1'800'000'000 / 60 * 60)};

}  // namespace

BOOST_AUTO_TEST_SUITE(activity_recorder)

BOOST_AUTO_TEST_CASE(failures_fall_into_the_charted_categories) {
    BOOST_TEST(ch::error_category_name(ch::categorize_failure(failed("timeout", 504))) ==
               std::string("timeout"));
    BOOST_TEST(ch::error_category_name(ch::categorize_failure(failed("queue_timeout", 429))) ==
               std::string("timeout"));
    BOOST_TEST(ch::error_category_name(ch::categorize_failure(failed("usage_limit", 429))) ==
               std::string("usage_limit"));
    BOOST_TEST(ch::error_category_name(ch::categorize_failure(failed("cli_crashed", 502))) ==
               std::string("cli"));
    BOOST_TEST(ch::error_category_name(ch::categorize_failure(failed("invalid_request", 400))) ==
               std::string("bad_request"));
    BOOST_TEST(ch::error_category_name(ch::categorize_failure(failed("auth_failed", 502))) ==
               std::string("auth"));
    BOOST_TEST(ch::error_category_name(ch::categorize_failure(failed("cancelled", 410))) ==
               std::string("other"));
}

BOOST_AUTO_TEST_CASE(requests_refused_before_a_job_count_as_failures_only) {
    ActivityRecorder r;
    r.record_refusal(404, kT0 + 1s);
    r.record_refusal(400, kT0 + 2s);
    r.record_refusal(503, kT0 + 3s);
    const auto minutes = r.minutes(1, kT0 + 59s);
    BOOST_REQUIRE(minutes.size() == 1u);
    const auto& m = minutes[0];
    BOOST_TEST(m.errors[static_cast<std::size_t>(ErrorCategory::BadRequest)] == 2u);
    BOOST_TEST(m.errors[static_cast<std::size_t>(ErrorCategory::Other)] == 1u);
    BOOST_TEST(m.by_model.empty());  // no model was chosen, so no requests are charted
    BOOST_TEST(r.totals().by_model.empty());
}

BOOST_AUTO_TEST_CASE(minutes_hold_requests_tokens_and_errors_by_model_and_provider) {
    ActivityRecorder r;
    r.record("sonnet", "p1", "key@1", ok_outcome(10, 5), kT0 + 5s);
    r.record("sonnet", "p1", "key@1", ok_outcome(1, 1), kT0 + 70s);
    r.record("opus", "p2", "key@2", failed("usage_limit", 429), kT0 + 75s);
    const auto m = r.minutes(3, kT0 + 90s);
    BOOST_TEST_REQUIRE(m.size() == 3u);
    BOOST_TEST(m[0].by_model.empty());  // the minute before kT0
    BOOST_TEST(m[1].by_model.at("sonnet").requests == 1u);
    BOOST_TEST(m[1].by_model.at("sonnet").input_tokens == 10u);
    BOOST_TEST(m[2].by_model.at("sonnet").output_tokens == 1u);
    BOOST_TEST(m[2].by_provider.at("p2").failed == 1u);
    BOOST_TEST(m[2].errors[static_cast<std::size_t>(ErrorCategory::UsageLimit)] == 1u);
    BOOST_TEST(m[2].start == m[1].start + 1);
}

BOOST_AUTO_TEST_CASE(the_rings_forget_what_is_older_than_they_hold) {
    ActivityRecorder r;
    r.record("sonnet", "p1", "key@1", ok_outcome(1, 1), kT0);
    // Exactly one ring length later the same slot is reused for the new minute.
    const auto later = kT0 + std::chrono::minutes(ActivityRecorder::kMinutes);
    r.record("sonnet", "p1", "key@1", ok_outcome(2, 2), later);
    const auto m = r.minutes(ActivityRecorder::kMinutes + 50, later);
    BOOST_TEST(m.size() == ActivityRecorder::kMinutes);  // clamped
    std::uint64_t requests = 0;
    for (const auto& b : m)
        for (const auto& [model, t] : b.by_model)
            requests += t.requests;
    BOOST_TEST(requests == 1u);
    // Totals since start keep both.
    BOOST_TEST(r.totals().by_model.at(0).requests == 2u);
}

BOOST_AUTO_TEST_CASE(seconds_show_the_last_whole_seconds) {
    ActivityRecorder r;
    r.record("sonnet", "p1", "a", ok_outcome(3, 4), kT0 + 10s);
    const auto s = r.seconds(2, kT0 + 11s + 500ms);
    BOOST_TEST_REQUIRE(s.size() == 2u);
    BOOST_TEST(s[1].by_model.at("sonnet").output_tokens == 4u);
    BOOST_TEST(s[0].by_model.empty());
}

BOOST_AUTO_TEST_CASE(days_give_today_and_the_week_by_client_with_a_cap) {
    ActivityRecorder r;
    const auto now = ActivityRecorder::Clock::now();
    r.record("sonnet", "p1", "key@1", ok_outcome(1, 1), now - 72h);
    r.record("sonnet", "p1", "key@1", ok_outcome(1, 1), now);
    BOOST_TEST(r.since(now).by_model.at(0).requests == 1u);
    BOOST_TEST(r.since(now - 6 * 24h).by_client.at(0).requests == 2u);
    for (std::size_t i = 0; i < ActivityRecorder::kMaxClients + 10; ++i)
        r.record("sonnet", "p1", "10.0.0." + std::to_string(i), ok_outcome(0, 0), now);
    const auto clients = r.totals().by_client;
    BOOST_TEST(clients.size() == ActivityRecorder::kMaxClients + 1);  // and "(other)"
}

BOOST_AUTO_TEST_CASE(the_feed_keeps_the_newest_events_and_wakes_readers) {
    ch::EventFeed feed;
    for (int i = 0; i < static_cast<int>(ch::EventFeed::kCapacity) + 5; ++i)
        feed.publish("job_started", {{"n", i}});
    const auto view = feed.wait(0, 0, std::chrono::steady_clock::now());
    BOOST_TEST(view.events.size() == ch::EventFeed::kCapacity);
    BOOST_TEST(view.events.front().seq == 6u);
    BOOST_TEST(view.last_seq == ch::EventFeed::kCapacity + 5);
    feed.set_tick({{"running", 1}});
    const auto tick = feed.wait(view.last_seq, 0, std::chrono::steady_clock::now() + 5s);
    BOOST_TEST(tick.events.empty());
    BOOST_TEST(tick.tick.at("running") == 1);
}

BOOST_AUTO_TEST_SUITE_END()
