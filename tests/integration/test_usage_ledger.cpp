// The usage ledger on disk: a line for every answered request even when the daemon is killed
// with SIGKILL in the middle of a burst, no torn or duplicate lines, a torn tail cut off at
// the next start, and a new file when the old one is moved away.
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "common/usage_record.h"
#include "daemon_fixture.h"
#include "http_helpers.h"

using namespace it;

namespace {

struct Ledger {
    std::vector<ch::UsageRecord> records;  // of the complete lines, all of which must parse
    std::string complete;                  // the text up to the last newline
    std::string tail;                      // after it
};

Ledger read_ledger(const std::string& path) {
    Ledger ledger;
    const std::string text = read_file(path);
    const auto end = text.rfind('\n');
    ledger.complete = end == std::string::npos ? "" : text.substr(0, end + 1);
    ledger.tail = text.substr(ledger.complete.size());
    std::size_t start = 0;
    for (std::size_t nl; (nl = ledger.complete.find('\n', start)) != std::string::npos;
         start = nl + 1) {
        const std::string line = ledger.complete.substr(start, nl - start);
        std::string error;
        const auto record = ch::parse_usage_line(line, &error);
        BOOST_TEST(record.has_value(), "unreadable ledger line (" << error << "): " << line);
        if (record) ledger.records.push_back(*record);
    }
    return ledger;
}

std::size_t count_lines(const std::string& path) {
    const std::string text = read_file(path);
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// The job id of a 200 chat completion ("chatcmpl-<job id>").
std::string job_id(const httplib::Result& res) {
    return json::parse(res->body)["id"].get<std::string>().substr(9);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(usage_ledger)

BOOST_AUTO_TEST_CASE(every_answered_request_survives_kill_9_and_a_torn_tail_is_cut_off) {
    TempDir state;
    const std::string path = state.path() + "/usage.jsonl";
    std::set<std::string> answered;
    {
        Daemon d({.limits = {"max_concurrent_jobs = 4", "max_queued_jobs = 64"},
                  .state_dir = state.path()});
        std::atomic<bool> stop{false};
        std::mutex mutex;
        std::vector<std::thread> clients;
        for (int i = 0; i < 12; ++i) {
            clients.emplace_back([&] {
                while (!stop) {
                    const auto res =
                        post_chat(d.port(), chat_body("FAKE[delay_ms=10] burst"), {}, 20s);
                    if (!res) return;  // the daemon is gone
                    if (res->status != 200) continue;
                    std::lock_guard guard(mutex);
                    answered.insert(job_id(res));
                }
            });
        }
        // Killed while a dozen clients keep four slots busy and jobs finish all the time.
        const bool busy = wait_until([&] { return count_lines(path) >= 40; }, 60s);
        d.kill_hard();
        stop = true;
        for (auto& c : clients)
            c.join();
        BOOST_REQUIRE_MESSAGE(busy, "the ledger did not reach 40 lines\n" << d.log());
    }

    const Ledger after_crash = read_ledger(path);
    std::map<std::string, int> seen;
    for (const auto& r : after_crash.records) {
        BOOST_TEST(++seen[r.request_id] == 1, "request " << r.request_id << " recorded twice");
        BOOST_TEST(r.model == "claude-sonnet");
        BOOST_TEST(r.provider == "default");
        if (r.outcome != "ok") continue;
        BOOST_TEST(r.status == 200);
        BOOST_TEST(r.input_tokens > 0u);
        BOOST_TEST(r.output_tokens > 0u);
        BOOST_TEST(r.cost_usd.value_or(0) > 0);
    }
    BOOST_TEST(answered.size() >= 30u);
    for (const auto& id : answered)
        BOOST_TEST(seen.count(id) == 1u, "answered request " << id << " is not in the ledger");

    // As a power loss can leave it: half a line at the end.
    const std::string before = read_file(path);
    write_file(path, before + R"({"time":"2026-11-21T10:00:00.000Z","request_id":"to)");
    Daemon d({.state_dir = state.path()});
    BOOST_TEST(d.wait_log("cut off a torn last line", 10s).has_value(), d.log());
    const Ledger repaired = read_ledger(path);
    BOOST_TEST(repaired.tail.empty());
    BOOST_TEST(repaired.complete == after_crash.complete);

    const auto res = post_chat(d.port(), chat_body("after the crash"));
    BOOST_REQUIRE(res);
    BOOST_REQUIRE(res->status == 200);
    const Ledger appended = read_ledger(path);
    BOOST_TEST(appended.tail.empty());
    BOOST_REQUIRE(appended.records.size() == repaired.records.size() + 1);
    BOOST_TEST(appended.records.back().request_id == job_id(res));
    BOOST_TEST(appended.complete.starts_with(repaired.complete));
}

BOOST_AUTO_TEST_CASE(records_refused_and_failed_requests_with_their_code_and_status) {
    Daemon d({.limits = {"max_concurrent_jobs = 1", "max_queued_jobs = 0"}});
    const std::string path = d.state_dir() + "/usage.jsonl";
    auto blocker = std::make_unique<RawConnection>(d.port());
    blocker->send_chat(chat_body("FAKE[hang] blocker"));
    BOOST_REQUIRE(d.wait_pids(1, 10s));
    const auto refused = post_chat(d.port(), chat_body("no room"));
    BOOST_REQUIRE(refused);
    BOOST_TEST(refused->status == 429);
    blocker->close();  // the client goes away: its job is cancelled
    BOOST_REQUIRE(wait_until([&] { return count_lines(path) == 2; }, 10s));

    const Ledger ledger = read_ledger(path);
    BOOST_REQUIRE(ledger.records.size() == 2u);
    BOOST_TEST(ledger.records[0].outcome == "queue_full");
    BOOST_TEST(ledger.records[0].status == 429);
    BOOST_TEST(!ledger.records[0].cost_usd.has_value());
    BOOST_TEST(ledger.records[1].outcome == "client_disconnected");
    BOOST_TEST(ledger.records[1].status == 499);
    BOOST_TEST(ledger.records[0].client == "127.0.0.1");
}

BOOST_AUTO_TEST_CASE(a_ledger_moved_away_is_followed_by_a_new_one) {
    Daemon d;
    const std::string path = d.state_dir() + "/usage.jsonl";
    BOOST_REQUIRE(post_chat(d.port(), chat_body("one"))->status == 200);
    BOOST_REQUIRE(std::rename(path.c_str(), (path + ".1").c_str()) == 0);
    const auto res = post_chat(d.port(), chat_body("two"));
    BOOST_REQUIRE(res->status == 200);
    BOOST_TEST(count_lines(path + ".1") == 1u);
    const Ledger fresh = read_ledger(path);
    BOOST_REQUIRE(fresh.records.size() == 1u);
    BOOST_TEST(fresh.records[0].request_id == job_id(res));
    struct stat st;
    BOOST_REQUIRE(stat(path.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0640u);
}

BOOST_AUTO_TEST_SUITE_END()
