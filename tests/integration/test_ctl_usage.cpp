// claude-harnessctl usage: totals from a ledger file by model, provider, key and day, as a
// table and as JSON, with --since; and the ledger the daemon wrote, found through its config.
#include <boost/test/unit_test.hpp>

#include <map>

#include <nlohmann/json.hpp>

#include "ctl_helpers.h"
#include "daemon_fixture.h"
#include "http_helpers.h"

using namespace it;

namespace {

std::string line(const std::string& time, const std::string& id, const std::string& client,
                 const std::string& model, const std::string& provider, int in, int out, int read,
                 int create, const std::string& cost, const std::string& outcome, int status) {
    return R"({"time":")" + time + R"(","request_id":")" + id + R"(","client":")" + client +
           R"(","model":")" + model + R"(","provider":")" + provider + R"(","input_tokens":)" +
           std::to_string(in) + R"(,"output_tokens":)" + std::to_string(out) +
           R"(,"cache_read_tokens":)" + std::to_string(read) + R"(,"cache_creation_tokens":)" +
           std::to_string(create) + R"(,"cost_usd":)" + cost +
           R"(,"duration_ms":1200,"outcome":")" + outcome + R"(","status":)" +
           std::to_string(status) + "}\n";
}

// Four requests over two UTC days, a line that is not a record, and a half-written last line.
struct Ledger {
    TempDir dir;
    std::string path = dir.path() + "/usage.jsonl";
    Ledger() {
        write_file(path, line("2026-11-20T23:59:59.000Z", "a", "alice", "claude-sonnet", "p1", 10,
                              5, 100, 20, "0.01", "ok", 200) +
                             line("2026-11-21T10:00:00.000Z", "b", "bob", "claude-opus", "p2", 20,
                                  10, 0, 0, "0.05", "ok", 200) +
                             line("2026-11-21T11:00:00.000Z", "c", "alice", "claude-sonnet", "p2",
                                  30, 0, 0, 0, "null", "usage_limit", 429) +
                             "this is not a record\n" +
                             line("2026-11-21T12:00:00.000Z", "d", "bob", "claude-sonnet", "p1", 1,
                                  1, 1, 1, "0.001", "ok", 200) +
                             R"({"time":"2026-11-21T13:00)");
    }
};

json usage_json(const std::vector<std::string>& args) {
    const auto r = run_ctl(args);
    BOOST_TEST_REQUIRE(r.exit_code() == 0, r.err);
    return json::parse(r.out);
}

// The group rows as name -> {requests, failed, input_tokens}.
using Rows = std::map<std::string, std::vector<std::uint64_t>>;
Rows rows(const json& report, const char* by) {
    Rows out;
    for (const auto& g : report["groups"])
        out[g[by].get<std::string>()] = {g["requests"].get<std::uint64_t>(),
                                         g["failed"].get<std::uint64_t>(),
                                         g["input_tokens"].get<std::uint64_t>()};
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ctl_usage)

BOOST_AUTO_TEST_CASE(json_by_every_grouping) {
    Ledger ledger;
    const json by_model = usage_json({"usage", "--file", ledger.path, "--json"});
    BOOST_TEST(by_model["by"] == "model");
    BOOST_TEST(by_model["file"] == ledger.path);
    BOOST_TEST(by_model["since"].is_null());
    BOOST_TEST(by_model["skipped_lines"] == 1);
    BOOST_TEST(by_model["incomplete_tail"] == true);
    BOOST_TEST((rows(by_model, "model") ==
                Rows{{"claude-opus", {1, 0, 20}}, {"claude-sonnet", {3, 1, 41}}}));
    const json& total = by_model["total"];
    BOOST_TEST(total["requests"] == 4);
    BOOST_TEST(total["failed"] == 1);
    BOOST_TEST(total["input_tokens"] == 61);
    BOOST_TEST(total["output_tokens"] == 16);
    BOOST_TEST(total["cache_read_tokens"] == 101);
    BOOST_TEST(total["cache_creation_tokens"] == 21);
    BOOST_TEST(total["cost_usd"].get<double>() == 0.061, boost::test_tools::tolerance(1e-9));

    BOOST_TEST((rows(usage_json({"usage", "--file", ledger.path, "--json", "--by", "provider"}),
                     "provider") == Rows{{"p1", {2, 0, 11}}, {"p2", {2, 1, 50}}}));
    BOOST_TEST((rows(usage_json({"usage", "--file", ledger.path, "--json", "--by", "key"}),
                     "key") == Rows{{"alice", {2, 1, 40}}, {"bob", {2, 0, 21}}}));
    BOOST_TEST((rows(usage_json({"usage", "--file", ledger.path, "--json", "--by", "day"}),
                     "day") == Rows{{"2026-11-20", {1, 0, 10}}, {"2026-11-21", {3, 1, 51}}}));
}

BOOST_AUTO_TEST_CASE(since_leaves_out_what_finished_before) {
    Ledger ledger;
    const json report = usage_json({"usage", "--file", ledger.path, "--json", "--since",
                                    "2026-11-21T10:00:00Z", "--by", "day"});
    BOOST_TEST(report["since"] == "2026-11-21T10:00:00.000Z");
    BOOST_TEST((rows(report, "day") == Rows{{"2026-11-21", {3, 1, 51}}}));
    const json none = usage_json({"usage", "--file", ledger.path, "--json", "--since", "1h"});
    BOOST_TEST(none["groups"].empty());
    BOOST_TEST(none["total"]["requests"] == 0);
}

BOOST_AUTO_TEST_CASE(table_with_a_total_and_a_warning_for_skipped_lines) {
    Ledger ledger;
    const auto r = run_ctl({"usage", "--file", ledger.path, "--by", "provider"});
    BOOST_TEST_REQUIRE(r.exit_code() == 0, r.err);
    const auto out = lines_of(r.out);
    BOOST_REQUIRE(out.size() == 4u);
    BOOST_TEST(out[0].starts_with("PROVIDER "), out[0]);
    for (const char* column :
         {"REQUESTS", "FAILED", "INPUT", "OUTPUT", "CACHE READ", "CACHE WRITE", "COST"})
        BOOST_TEST(out[0].find(column) != std::string::npos, column);
    BOOST_TEST(out[1].starts_with("p1 "), out[1]);
    BOOST_TEST(out[2].starts_with("p2 "), out[2]);
    BOOST_TEST(out[3].starts_with("TOTAL "), out[3]);
    BOOST_TEST(out[3].find("$0.0610") != std::string::npos, out[3]);
    BOOST_TEST(r.err.find("skipped 1 line(s)") != std::string::npos, r.err);
    BOOST_TEST(r.err.find("line 4: not a JSON object") != std::string::npos, r.err);

    const auto empty = run_ctl({"usage", "--file", ledger.path, "--since", "now"});
    BOOST_TEST(empty.exit_code() == 0);
    BOOST_TEST(empty.out.starts_with("No requests recorded since "), empty.out);
}

BOOST_AUTO_TEST_CASE(mistakes_and_a_missing_ledger) {
    Ledger ledger;
    for (const std::vector<std::string>& args :
         std::vector<std::vector<std::string>>{{"usage", "--file", ledger.path, "--by", "week"},
                                               {"usage", "--file", ledger.path, "--since", "soon"},
                                               {"usage", "--file", ledger.path, "extra"}}) {
        const auto r = run_ctl(args);
        BOOST_TEST(r.exit_code() == 2, args[3]);
        BOOST_TEST(r.err.find("Usage: claude-harnessctl usage") != std::string::npos, r.err);
    }
    const auto missing = run_ctl({"usage", "--file", ledger.dir.path() + "/none.jsonl"});
    BOOST_TEST(missing.exit_code() == 1);
    BOOST_TEST(missing.err.find("none.jsonl: No such file or directory") != std::string::npos,
               missing.err);
    write_file(ledger.dir.path() + "/bad.toml", "[server\n");
    const auto bad = run_ctl({"usage", "--config", ledger.dir.path() + "/bad.toml"});
    BOOST_TEST(bad.exit_code() == 1);
    BOOST_TEST(bad.err.find("bad.toml:1:") != std::string::npos, bad.err);
}

BOOST_AUTO_TEST_CASE(reads_the_ledger_of_the_daemon_through_its_configuration) {
    Daemon d;
    for (const char* text : {"one", "two"})
        BOOST_REQUIRE(post_chat(d.port(), chat_body(text))->status == 200);
    const json report =
        usage_json({"usage", "--config", d.dir() + "/config.toml", "--json", "--by", "key"});
    BOOST_TEST(report["file"] == d.state_dir() + "/usage.jsonl");
    BOOST_TEST(report["skipped_lines"] == 0);
    BOOST_TEST(report["incomplete_tail"] == false);
    BOOST_TEST(report["total"]["requests"] == 2);
    BOOST_TEST(report["total"]["failed"] == 0);
    BOOST_TEST(report["total"]["input_tokens"].get<std::uint64_t>() > 0u);
    BOOST_TEST(report["total"]["cost_usd"].get<double>() > 0.0);
    BOOST_TEST((rows(report, "key") ==
                Rows{{"127.0.0.1", {2, 0, report["total"]["input_tokens"].get<std::uint64_t>()}}}));
}

BOOST_AUTO_TEST_SUITE_END()
