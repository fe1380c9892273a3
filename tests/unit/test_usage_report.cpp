// Usage ledger lines written and read back, and the totals by model, provider, key and day.
#include <boost/test/unit_test.hpp>

#include <sstream>

#include "common/since.h"
#include "common/usage_record.h"
#include "common/usage_report.h"

namespace {

constexpr std::int64_t kSecond = 1000000;
constexpr std::int64_t kDay1 = 1795219200LL * kSecond;  // 2026-11-21T00:00:00Z

ch::UsageRecord record(std::int64_t time_us, const std::string& model, const std::string& provider,
                       const std::string& client, std::uint64_t input, const std::string& outcome,
                       std::optional<double> cost) {
    ch::UsageRecord r;
    r.time_us = time_us;
    r.request_id = "job-" + std::to_string(time_us);
    r.client = client;
    r.model = model;
    r.provider = provider;
    r.input_tokens = input;
    r.output_tokens = input / 2;
    r.cache_read_tokens = 7;
    r.cache_creation_tokens = 3;
    r.cost_usd = cost;
    r.duration_ms = 1500;
    r.outcome = outcome;
    r.status = outcome == "ok" ? 200 : 429;
    return r;
}

std::string ledger() {
    return ch::usage_line(record(kDay1 - kSecond, "sonnet", "p1", "alice", 10, "ok", 0.25)) +
           ch::usage_line(record(kDay1 + 10 * kSecond, "opus", "p2", "bob", 20, "ok", 0.5)) +
           "{\"time\": \"yesterday\"}\n" +
           ch::usage_line(record(kDay1 + 20 * kSecond, "sonnet", "p2", "alice", 30, "usage_limit",
                                 std::nullopt)) +
           "\n";
}

ch::UsageReport report(const std::string& text, std::int64_t since, ch::UsageGrouping by) {
    std::istringstream in(text);
    return ch::read_usage_report(in, since, by);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(usage_report)

BOOST_AUTO_TEST_CASE(a_line_is_one_json_object_that_reads_back_the_same) {
    const auto r = record(kDay1 + 123456, "sonnet", "p1", "key-1", 10, "ok", 0.125);
    const std::string line = ch::usage_line(r);
    BOOST_TEST(line.starts_with(R"({"time":"2026-11-21T00:00:00.123Z","request_id":")"), line);
    BOOST_TEST(line.ends_with("\"status\":200}\n"), line);
    BOOST_TEST(std::count(line.begin(), line.end(), '\n') == 1);
    std::string error;
    const auto back = ch::parse_usage_line(line.substr(0, line.size() - 1), &error);
    BOOST_REQUIRE_MESSAGE(back.has_value(), error);
    BOOST_TEST(back->time_us == kDay1 + 123000);  // milliseconds are kept
    BOOST_TEST(back->request_id == r.request_id);
    BOOST_TEST(back->client == "key-1");
    BOOST_TEST(back->input_tokens == 10u);
    BOOST_TEST(back->output_tokens == 5u);
    BOOST_TEST(back->cache_read_tokens == 7u);
    BOOST_TEST(back->cache_creation_tokens == 3u);
    BOOST_TEST(back->cost_usd.value_or(-1) == 0.125);
    BOOST_TEST(back->duration_ms == 1500);
    BOOST_TEST(back->outcome == "ok");
    BOOST_TEST(back->status == 200);

    const std::string no_cost = ch::usage_line(record(kDay1, "m", "p", "c", 1, "timeout", {}));
    BOOST_TEST(no_cost.find("\"cost_usd\":null") != std::string::npos, no_cost);
    BOOST_TEST(!ch::parse_usage_line(no_cost, &error)->cost_usd.has_value());
}

BOOST_AUTO_TEST_CASE(lines_that_are_not_records_say_why) {
    const std::string good = ch::usage_line(record(kDay1, "m", "p", "c", 1, "ok", 0.1));
    const struct {
        std::string line;
        std::string why;
    } cases[] = {
        {"", "not a JSON object"},
        {"[1]", "not a JSON object"},
        {good.substr(0, good.size() / 2), "not a JSON object"},
        {"{}", "no \"time\""},
        {R"({"time":"2026-11-21"})", "\"time\" is not an RFC 3339 time"},
        {std::string(good).replace(good.find("\"input_tokens\":1"), 16, "\"input_tokens\":-1"),
         "\"input_tokens\" has the wrong type"},
        {std::string(good).replace(good.find("\"status\":200"), 12, "\"status\":\"200\""),
         "\"status\" has the wrong type"},
    };
    for (const auto& c : cases) {
        std::string error;
        BOOST_TEST(!ch::parse_usage_line(c.line, &error).has_value(), c.line);
        BOOST_TEST(error == c.why, c.line);
    }
}

BOOST_AUTO_TEST_CASE(totals_by_model_skipping_bad_lines) {
    const auto r = report(ledger(), 0, ch::UsageGrouping::Model);
    BOOST_REQUIRE(r.groups.size() == 2u);
    BOOST_TEST(r.groups[0].group == "opus");
    BOOST_TEST(r.groups[0].requests == 1u);
    BOOST_TEST(r.groups[0].cost_usd == 0.5);
    BOOST_TEST(r.groups[1].group == "sonnet");
    BOOST_TEST(r.groups[1].requests == 2u);
    BOOST_TEST(r.groups[1].failed == 1u);
    BOOST_TEST(r.groups[1].input_tokens == 40u);
    BOOST_TEST(r.groups[1].output_tokens == 20u);
    BOOST_TEST(r.groups[1].cache_read_tokens == 14u);
    BOOST_TEST(r.groups[1].cache_creation_tokens == 6u);
    BOOST_TEST(r.groups[1].cost_usd == 0.25);
    BOOST_TEST(r.total.requests == 3u);
    BOOST_TEST(r.total.failed == 1u);
    BOOST_TEST(r.total.input_tokens == 60u);
    BOOST_TEST(r.total.cost_usd == 0.75);
    BOOST_TEST(r.skipped_lines == 2u);  // the bad time and the blank line
    BOOST_TEST(r.first_skipped == "line 3: \"time\" is not an RFC 3339 time");
    BOOST_TEST(!r.incomplete_tail);
}

BOOST_AUTO_TEST_CASE(totals_by_provider_key_and_utc_day) {
    const auto by_provider = report(ledger(), 0, ch::UsageGrouping::Provider);
    BOOST_REQUIRE(by_provider.groups.size() == 2u);
    BOOST_TEST(by_provider.groups[0].group == "p1");
    BOOST_TEST(by_provider.groups[0].requests == 1u);
    BOOST_TEST(by_provider.groups[1].group == "p2");
    BOOST_TEST(by_provider.groups[1].requests == 2u);

    const auto by_key = report(ledger(), 0, ch::UsageGrouping::Key);
    BOOST_REQUIRE(by_key.groups.size() == 2u);
    BOOST_TEST(by_key.groups[0].group == "alice");
    BOOST_TEST(by_key.groups[0].requests == 2u);
    BOOST_TEST(by_key.groups[1].group == "bob");

    const auto by_day = report(ledger(), 0, ch::UsageGrouping::Day);
    BOOST_REQUIRE(by_day.groups.size() == 2u);
    BOOST_TEST(by_day.groups[0].group == "2026-11-20");
    BOOST_TEST(by_day.groups[0].requests == 1u);
    BOOST_TEST(by_day.groups[1].group == "2026-11-21");
    BOOST_TEST(by_day.groups[1].requests == 2u);
}

BOOST_AUTO_TEST_CASE(since_keeps_what_finished_from_then_on) {
    const auto r = report(ledger(), kDay1 + 10 * kSecond, ch::UsageGrouping::Model);
    BOOST_TEST(r.total.requests == 2u);
    BOOST_TEST(r.total.input_tokens == 50u);
    BOOST_TEST(report(ledger(), kDay1 + 21 * kSecond, ch::UsageGrouping::Model).groups.empty());
}

BOOST_AUTO_TEST_CASE(a_torn_last_line_is_noted_not_counted) {
    const std::string whole = ch::usage_line(record(kDay1, "m", "p", "c", 1, "ok", 0.1));
    const auto torn = report(whole + whole.substr(0, 30), 0, ch::UsageGrouping::Model);
    BOOST_TEST(torn.total.requests == 1u);
    BOOST_TEST(torn.skipped_lines == 0u);
    BOOST_TEST(torn.incomplete_tail);
    // Even a complete object without its newline is not counted: it may still be growing.
    const auto unterminated =
        report(whole + whole.substr(0, whole.size() - 1), 0, ch::UsageGrouping::Model);
    BOOST_TEST(unterminated.total.requests == 1u);
    BOOST_TEST(unterminated.incomplete_tail);
    BOOST_TEST(report("", 0, ch::UsageGrouping::Model).groups.empty());
}

BOOST_AUTO_TEST_CASE(groupings_by_name) {
    for (const char* name : {"model", "provider", "key", "day"})
        BOOST_TEST(ch::usage_grouping_name(*ch::parse_usage_grouping(name)) == std::string(name));
    for (const char* name : {"", "Model", "client", "week"})
        BOOST_TEST(!ch::parse_usage_grouping(name).has_value(), name);
}

BOOST_AUTO_TEST_SUITE_END()
