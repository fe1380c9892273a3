// Process hygiene: a vanished client stops its CLI at once, grandchildren never outlive their
// job, signal-ignoring CLIs are killed, and SIGTERM leaves nothing behind.
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <optional>
#include <thread>

#include "daemon_fixture.h"
#include "http_helpers.h"

using namespace it;

namespace {

// Starts a request on a raw connection and waits until its CLI has recorded its pid.
pid_t start_and_wait_for_cli(const Daemon& d, RawConnection& conn, const json& body) {
    conn.send_chat(body);
    BOOST_REQUIRE_MESSAGE(d.wait_pids(1, 10s), "the CLI did not start\n" << d.log());
    BOOST_REQUIRE(d.alive_pids().size() == 1u);
    return d.recorded_pids().front();
}

// Closes the connection and measures how long the CLI outlives it (polled up to 1.5 s).
long long ms_until_cli_gone(const Daemon& d, RawConnection& conn) {
    conn.close();
    const auto closed = Clock::now();
    const bool gone = wait_until([&] { return d.alive_pids().empty(); }, 1500ms);
    const long long ms = ms_since(closed);
    BOOST_TEST_MESSAGE("the CLI was gone " << ms << " ms after the disconnect");
    BOOST_TEST(gone, "the CLI still runs 1.5 s after the client disconnected");
    return ms;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(processes)

BOOST_AUTO_TEST_CASE(client_disconnect_nonstreaming_stops_cli) {
    Daemon d;
    RawConnection conn(d.port());
    start_and_wait_for_cli(d, conn, chat_body("FAKE[hang]"));
    const long long ms = ms_until_cli_gone(d, conn);
    BOOST_TEST(ms <= 1000, "CLI gone " << ms << " ms after the disconnect");
    BOOST_TEST(d.wait_log("client_disconnected", 5s).has_value(), d.log());
}

BOOST_AUTO_TEST_CASE(client_disconnect_streaming_before_first_text_stops_cli) {
    Daemon d;
    RawConnection conn(d.port());
    start_and_wait_for_cli(d, conn, chat_body("FAKE[hang]", true));
    const long long ms = ms_until_cli_gone(d, conn);
    BOOST_TEST(ms <= 1000, "CLI gone " << ms << " ms after the disconnect");
}

BOOST_AUTO_TEST_CASE(client_disconnect_during_stream_stops_cli) {
    // With a 1 s keep-alive the stream is committed (200, role chunk, keep-alive) before the
    // client goes away.
    Daemon d({.server = {"keepalive_interval = \"1s\""}});
    RawConnection conn(d.port());
    start_and_wait_for_cli(d, conn, chat_body("FAKE[hang]", true));
    BOOST_REQUIRE_MESSAGE(conn.read_until(": keep-alive", 5s), conn.received());
    BOOST_TEST(conn.received().find("HTTP/1.1 200") == 0u);
    const long long ms = ms_until_cli_gone(d, conn);
    BOOST_TEST(ms <= 1000, "CLI gone " << ms << " ms after the disconnect");
}

BOOST_AUTO_TEST_CASE(grandchild_holding_stdout_does_not_delay_answer) {
    Daemon d;
    const auto start = Clock::now();
    BOOST_TEST(completion_text(post_chat(d.port(), chat_body("FAKE[grandchild]"))) ==
               "Hello from the fake.");
    BOOST_TEST(ms_since(start) < 2000);
    BOOST_TEST(d.recorded_pids().size() == 2u, "the CLI and its grandchild");
    BOOST_TEST(wait_until([&] { return d.alive_pids().empty(); }, 3s),
               "the grandchild outlived its job");
}

BOOST_AUTO_TEST_CASE(setsid_grandchild_is_killed_after_the_job) {
    Daemon d;
    const auto start = Clock::now();
    BOOST_TEST(completion_text(post_chat(d.port(), chat_body("FAKE[grandchild_setsid]"))) ==
               "Hello from the fake.");
    BOOST_TEST(ms_since(start) < 2000);
    BOOST_TEST(d.recorded_pids().size() == 2u, "the CLI and its grandchild");
    BOOST_TEST(wait_until([&] { return d.alive_pids().empty(); }, 3s),
               "the setsid grandchild outlived its job");
}

BOOST_AUTO_TEST_CASE(signal_ignoring_cli_is_killed_on_timeout) {
    Daemon d({.limits = {"job_timeout = \"1s\""}});
    const auto start = Clock::now();
    check_error(post_chat(d.port(), chat_body("FAKE[hang,ignore_signals]")), 504, "timeout");
    BOOST_TEST(ms_since(start) < 6000);
    BOOST_TEST(d.recorded_pids().size() == 1u);
    BOOST_TEST(wait_until([&] { return d.alive_pids().empty(); }, 2s),
               "the CLI that ignores SIGINT and SIGTERM still runs");
}

BOOST_AUTO_TEST_CASE(sigterm_with_running_job_exits_cleanly) {
    Daemon d({.limits = {"shutdown_grace = \"1s\""}});
    std::optional<httplib::Result> result;
    std::thread client(
        [&] { result.emplace(post_chat(d.port(), chat_body("FAKE[hang,grandchild_setsid]"))); });
    const bool started = d.wait_pids(2, 10s);
    if (!started) {
        d.terminate();
        client.join();
        BOOST_FAIL("the CLI and its grandchild did not start\n" << d.log());
    }
    const auto start = Clock::now();
    const auto status = d.terminate(15s);
    const long long ms = ms_since(start);
    client.join();
    BOOST_REQUIRE(status.has_value());
    BOOST_TEST(WIFEXITED(*status));
    BOOST_TEST(WEXITSTATUS(*status) == 0, d.log());
    BOOST_TEST(ms < 1000 + 4000, "exit took " << ms << " ms");
    BOOST_TEST(ms >= 900, "running jobs get their shutdown_grace");
    BOOST_TEST(d.log().find("shutting down") != std::string::npos);
    // The waiting client is told why (or at least not left hanging).
    BOOST_REQUIRE(result.has_value());
    check_error(*result, 503, "shutting_down");
    BOOST_TEST(wait_until([&] { return d.alive_pids().empty(); }, 2s), "a job process survived");
}

BOOST_AUTO_TEST_CASE(sigterm_ends_an_open_stream_with_an_error_event) {
    Daemon d({.server = {"keepalive_interval = \"1s\""}, .limits = {"shutdown_grace = \"1s\""}});
    RawConnection conn(d.port());
    start_and_wait_for_cli(d, conn, chat_body("FAKE[hang]", true));
    BOOST_REQUIRE_MESSAGE(conn.read_until(": keep-alive", 5s), conn.received());
    const auto status = d.terminate(15s);
    BOOST_REQUIRE(status.has_value());
    BOOST_TEST(WIFEXITED(*status));
    BOOST_TEST(WEXITSTATUS(*status) == 0, d.log());
    BOOST_TEST(conn.read_until("\"code\":\"shutting_down\"", 1s), conn.received());
    BOOST_TEST(conn.received().find("[DONE]") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
