// The dashboard's day totals from the usage ledger: grouped by model and by client from the
// local day asked for, lines appended later counted at the next call, a line still being
// written not counted until its newline, a replaced ledger read afresh and a removed one not
// counted.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "common/usage_record.h"
#include "daemon/ledger_history.h"
#include "temp_dir.h"

namespace {

using SystemClock = std::chrono::system_clock;
using namespace std::chrono_literals;

std::string line(SystemClock::time_point finished, const std::string& model,
                 const std::string& client, std::uint64_t input,
                 const std::string& outcome = "ok") {
    ch::UsageRecord r;
    r.time_us =
        std::chrono::duration_cast<std::chrono::microseconds>(finished.time_since_epoch()).count();
    r.request_id = "job";
    r.client = client;
    r.model = model;
    r.provider = "default";
    r.input_tokens = input;
    r.output_tokens = 1;
    r.cost_usd = 0.5;
    r.outcome = outcome;
    return ch::usage_line(r);
}

void append(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::app | std::ios::binary);
    out << text;
}

const ch::UsageTotals* group(const std::vector<ch::UsageTotals>& groups, const std::string& name) {
    for (const auto& g : groups)
        if (g.group == name) return &g;
    return nullptr;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ledger_history)

BOOST_AUTO_TEST_CASE(totals_by_model_and_client_from_the_day_asked_for) {
    ch::test::TempDir dir;
    const std::string path = dir.path + "/usage.jsonl";
    const auto now = SystemClock::now();
    append(path, line(now - 24h * 10, "old", "k1", 1000) + line(now - 24h * 3, "sonnet", "k1", 10) +
                     "not a record\n" + line(now, "sonnet", "k2", 20, "timeout") +
                     line(now, "opus", "k1", 30));
    ch::LedgerHistory history(path);

    const auto week = history.since(now - 24h * 6);
    BOOST_REQUIRE_EQUAL(week.by_model.size(), 2u);
    BOOST_TEST(week.by_model[0].group == "opus");  // sorted
    const auto* sonnet = group(week.by_model, "sonnet");
    BOOST_REQUIRE(sonnet);
    BOOST_TEST(sonnet->requests == 2u);
    BOOST_TEST(sonnet->failed == 1u);
    BOOST_TEST(sonnet->input_tokens == 30u);
    BOOST_TEST(sonnet->cost_usd == 1.0);
    const auto* k1 = group(week.by_client, "k1");
    BOOST_REQUIRE(k1);
    BOOST_TEST(k1->requests == 2u);
    BOOST_TEST(k1->input_tokens == 40u);

    const auto today = history.since(now);
    BOOST_TEST(today.by_model.size() == 2u);
    const auto* today_sonnet = group(today.by_model, "sonnet");
    BOOST_REQUIRE(today_sonnet);
    BOOST_TEST(today_sonnet->requests == 1u);

    BOOST_TEST(history.since(now - 24h * 11).by_model.size() == 3u);
}

BOOST_AUTO_TEST_CASE(appended_lines_count_at_the_next_call_and_a_partial_line_once_complete) {
    ch::test::TempDir dir;
    const std::string path = dir.path + "/usage.jsonl";
    const auto now = SystemClock::now();
    ch::LedgerHistory history(path);
    BOOST_TEST(history.since(now).by_model.empty());  // no ledger yet

    append(path, line(now, "sonnet", "k", 1));
    BOOST_TEST(history.since(now).by_model.at(0).requests == 1u);

    const std::string next = line(now, "sonnet", "k", 2);
    append(path, next.substr(0, 10));  // being written
    BOOST_TEST(history.since(now).by_model.at(0).requests == 1u);
    append(path, next.substr(10));
    const auto summary = history.since(now);
    BOOST_TEST(summary.by_model.at(0).requests == 2u);
    BOOST_TEST(summary.by_model.at(0).input_tokens == 3u);
}

BOOST_AUTO_TEST_CASE(a_replaced_ledger_is_read_afresh_and_a_removed_one_counts_nothing) {
    ch::test::TempDir dir;
    const std::string path = dir.path + "/usage.jsonl";
    const auto now = SystemClock::now();
    append(path, line(now, "sonnet", "k", 1) + line(now, "sonnet", "k", 1));
    ch::LedgerHistory history(path);
    BOOST_TEST(history.since(now).by_model.at(0).requests == 2u);

    BOOST_REQUIRE(std::rename(path.c_str(), (path + ".1").c_str()) == 0);
    append(path, line(now, "opus", "k", 5));
    const auto summary = history.since(now);
    BOOST_REQUIRE_EQUAL(summary.by_model.size(), 1u);
    BOOST_TEST(summary.by_model[0].group == "opus");
    BOOST_TEST(summary.by_model[0].requests == 1u);

    BOOST_REQUIRE(std::remove(path.c_str()) == 0);
    BOOST_TEST(history.since(now).by_model.empty(), "a removed ledger still counted");
}

BOOST_AUTO_TEST_SUITE_END()
