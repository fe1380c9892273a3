// claude-harnessctl's bus verbs (status, jobs, sessions, cancel, reload, test) against a running
// daemon on a private bus: their output, their --json and their exit codes.
#include <future>

#include <boost/test/unit_test.hpp>

#include "bus_helpers.h"
#include "common/version.h"
#include "http_helpers.h"

using namespace it;

namespace {

CommandResult ctl(const PrivateBus& bus, std::vector<std::string> args,
                  const std::string& as_user = "") {
    args.insert(args.begin(), CH_CTL_BINARY);
    if (!as_user.empty())
        args.insert(args.begin(), {"/usr/bin/setpriv", "--reuid=" + as_user, "--regid=nogroup",
                                   "--clear-groups"});
    return run_process(args, {bus.env()});
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// Starts a request whose CLI never answers and returns its job id once it runs.
std::string start_hanging_job(BusDaemon& d, std::future<httplib::Result>& pending) {
    pending = std::async(std::launch::async, [&] {
        return post_chat(d.daemon->port(), chat_body("FAKE[hang] job for ctl"));
    });
    std::string id;
    BOOST_REQUIRE(wait_until(
        [&] {
            const auto jobs = json::parse(ctl(d.bus, {"jobs", "--json"}).out, nullptr, false);
            if (!jobs.is_array() || jobs.empty() || jobs[0]["pid"] == 0) return false;
            id = jobs[0]["id"];
            return true;
        },
        10s));
    return id;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ctl_bus)

BOOST_AUTO_TEST_CASE(status_summarises_a_ready_daemon) {
    BusDaemon d;
    BOOST_TEST(completion_text(post_chat(d.daemon->port(), chat_body("hello"))) != "");
    // Usage is recorded when the job's worker lets go of it, just after the answer.
    BOOST_REQUIRE(wait_until(
        [&] {
            return json::parse(ctl(d.bus, {"status", "--json"}).out)["usage"].size() == 1;
        },
        5s));
    const auto r = ctl(d.bus, {"status"});
    BOOST_TEST(r.exit_code() == 0, r.err);
    BOOST_TEST(contains(r.out, std::string("claude-harnessd ") + ch::kVersion + ": ready\n"),
               r.out);
    BOOST_TEST(contains(r.out, "Listen: http://127.0.0.1:" + std::to_string(d.daemon->port())));
    BOOST_TEST(contains(r.out, "Jobs: 0 running, 0 queued"));
    BOOST_TEST(contains(r.out, "Requests: 1, 0 failed"));
    BOOST_TEST(contains(r.out, "Last error: none"));
    BOOST_TEST(contains(r.out, "  default: ready, 0 running\n    user root, claude 2.1.197"),
               r.out);
    BOOST_TEST(contains(r.out, "login api_key"));
    BOOST_TEST(contains(r.out, "claude-sonnet (sonnet) -> default, CLI model sonnet"));
    BOOST_TEST(contains(r.out, "claude-sonnet via default: 1 requests (0 failed)"), r.out);

    const auto j = ctl(d.bus, {"status", "--json"});
    BOOST_TEST(j.exit_code() == 0);
    const json doc = json::parse(j.out);
    BOOST_TEST(doc["ready"] == true);
    BOOST_TEST(doc["listen"][0] == "127.0.0.1:" + std::to_string(d.daemon->port()));
    BOOST_TEST(doc["providers"][0]["name"] == "default");
    BOOST_TEST(doc["models"][0]["aliases"][0] == "sonnet");
    BOOST_TEST(doc["usage"][0]["requests"] == 1);
    BOOST_TEST(doc["last_error"].is_null());
}

BOOST_AUTO_TEST_CASE(status_exits_4_when_not_ready_and_3_when_not_running) {
    {
        BusDaemon d(DaemonOptions{.claude = "/nonexistent/claude"});
        const auto r = ctl(d.bus, {"status"});
        BOOST_TEST(r.exit_code() == 4);
        BOOST_TEST(contains(r.out, ": NOT READY: no provider can run jobs"), r.out);
        BOOST_TEST(contains(r.out, "  default: NOT READY, 0 running\n"), r.out);
        BOOST_TEST(contains(r.out, "why: the Claude CLI '/nonexistent/claude' was not found"),
                   r.out);
    }
    PrivateBus empty;  // the bus is up, nobody owns the name
    auto r = ctl(empty, {"status"});
    BOOST_TEST(r.exit_code() == 3);
    BOOST_TEST(contains(r.err, "claude-harnessd is not running"), r.err);
    r = run_process({CH_CTL_BINARY, "jobs"},
                    {"DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/system_bus_socket"});
    BOOST_TEST(r.exit_code() == 3);
    BOOST_TEST(contains(r.err, "cannot reach the system bus"), r.err);
}

BOOST_AUTO_TEST_CASE(jobs_lists_and_cancel_stops) {
    BusDaemon d;
    auto r = ctl(d.bus, {"jobs"});
    BOOST_TEST(r.exit_code() == 0);
    BOOST_TEST(r.out == "No jobs.\n");

    std::future<httplib::Result> pending;
    const std::string id = start_hanging_job(d, pending);
    r = ctl(d.bus, {"jobs"});
    BOOST_TEST(contains(r.out, id + "  claude-sonnet"), r.out);
    BOOST_TEST(contains(r.out, "running  127.0.0.1"), r.out);

    r = ctl(d.bus, {"cancel", id}, "nobody");
    BOOST_TEST(r.exit_code() == 1);
    BOOST_TEST(contains(r.err, "CancelJob is allowed only to root and members of the group"),
               r.err);
    r = ctl(d.bus, {"cancel", id});
    BOOST_TEST(r.exit_code() == 0, r.err);
    BOOST_TEST(r.out == "Cancelled job " + id + ".\n");
    check_error(pending.get(), 410, "cancelled");
    r = ctl(d.bus, {"cancel", id});
    BOOST_TEST(r.exit_code() == 1);
    BOOST_TEST(contains(r.err, "no queued or running job '" + id + "'"), r.err);
    BOOST_TEST(ctl(d.bus, {"cancel"}).exit_code() == 2);
}

BOOST_AUTO_TEST_CASE(sessions_lists_the_kept_conversations) {
    TempDir transcripts;  // the fake CLI's, private to the test
    DaemonOptions options;
    options.env["CLAUDE_CONFIG_DIR"] = transcripts.path();
    BusDaemon d(options);
    auto r = ctl(d.bus, {"sessions"});
    BOOST_TEST(r.exit_code() == 0, r.err);
    BOOST_TEST(r.out == "No sessions.\n");

    const auto res = post_chat(d.daemon->port(), chat_body("one"), {{"X-Claude-Session", "new"}});
    BOOST_REQUIRE(res);
    BOOST_REQUIRE_MESSAGE(res->status == 200, res->body);
    const std::string id = res->get_header_value("X-Claude-Session");
    BOOST_REQUIRE(!id.empty());

    r = ctl(d.bus, {"sessions"});
    BOOST_TEST(r.exit_code() == 0, r.err);
    BOOST_TEST(contains(r.out, id + "  default"), r.out);
    BOOST_TEST(contains(r.out, "127.0.0.1"), r.out);
    BOOST_TEST(contains(r.out, "idle"), r.out);
    BOOST_TEST(contains(r.out, "1 session(s)."), r.out);

    r = ctl(d.bus, {"sessions", "--json"});
    BOOST_TEST(r.exit_code() == 0, r.err);
    const json sessions = json::parse(r.out);
    BOOST_REQUIRE(sessions.size() == 1u);
    BOOST_TEST(sessions[0]["id"] == id);
    BOOST_TEST(sessions[0]["provider"] == "default");
    BOOST_TEST(sessions[0]["client"] == "127.0.0.1");
    BOOST_TEST(sessions[0]["busy"] == false);
    BOOST_TEST(sessions[0]["last_used_us"].get<std::uint64_t>() > 0u);
}

BOOST_AUTO_TEST_CASE(reload_reports_every_problem_with_its_position) {
    BusDaemon d;
    const std::string path = d.daemon->dir() + "/config.toml";
    auto r = ctl(d.bus, {"reload"});
    BOOST_TEST(r.exit_code() == 0, r.err);
    BOOST_TEST(r.out == "Reloaded the configuration.\n");

    write_file(path, d.daemon->config_text() + "\n[limits]\nmax_concurrent_jobs = 0\n");
    r = ctl(d.bus, {"reload"});
    BOOST_TEST(r.exit_code() == 1);
    BOOST_TEST(contains(r.err, path + ":"), r.err);
    BOOST_TEST(contains(r.err, "the configuration was not reloaded"), r.err);
    BOOST_TEST(ctl(d.bus, {"status"}).exit_code() == 0, "the daemon runs on");
}

BOOST_AUTO_TEST_CASE(test_sends_a_real_completion_and_explains_failures) {
    BusDaemon d(DaemonOptions{.api_keys = {"sk-harness-test"}});
    // The key comes from the daemon's api_keys_file, which root can read.
    auto r = ctl(d.bus, {"test", "--prompt", "say hi"});
    BOOST_TEST(r.exit_code() == 0, r.err);
    BOOST_TEST(contains(r.out, "Model: claude-sonnet via http://127.0.0.1:"), r.out);
    BOOST_TEST(contains(r.out, "Tokens: 41 in, 5 out"), r.out);
    BOOST_TEST(contains(r.out, "\nLatency: "), r.out);

    r = ctl(d.bus, {"test", "--json", "--model", "sonnet"});
    BOOST_TEST(r.exit_code() == 0, r.err);
    const json doc = json::parse(r.out);
    BOOST_TEST(doc["ok"] == true);
    BOOST_TEST(doc["latency_ms"].get<long long>() >= 0);
    BOOST_TEST(!doc["reply"].get<std::string>().empty());

    r = ctl(d.bus, {"test", "--api-key", "sk-wrong"});
    BOOST_TEST(r.exit_code() == 1);
    BOOST_TEST(contains(r.err, "HTTP 401 invalid_api_key"), r.err);
    BOOST_TEST(contains(r.err, "The API key was refused"), r.err);

    r = ctl(d.bus, {"test", "--prompt", "FAKE[usage_limit]"});
    BOOST_TEST(r.exit_code() == 1);
    BOOST_TEST(contains(r.err, "HTTP 429 usage_limit"), r.err);
    BOOST_TEST(contains(r.err, "usage limit is reached"), r.err);

    r = ctl(d.bus, {"test", "--model", "gpt-4o"});
    BOOST_TEST(r.exit_code() == 1);
    BOOST_TEST(contains(r.err, "HTTP 404 model_not_found"), r.err);
    BOOST_TEST(ctl(d.bus, {"test", "--timeout", "soon"}).exit_code() == 2);
}

BOOST_AUTO_TEST_SUITE_END()
