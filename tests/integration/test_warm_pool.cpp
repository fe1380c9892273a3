// The warm pool: requests are served by CLI processes started before them, each process serves
// exactly one request, a replacement follows every take, dead idle processes are replaced with
// back-off, reloads rebuild changed pools, and nothing outlives the daemon.
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>

#include <boost/test/unit_test.hpp>

#include "daemon_fixture.h"
#include "http_helpers.h"

using namespace it;

namespace {

const std::string kHaiku =
    "\n[[models]]\nid = \"claude-haiku\"\ncli_model = \"haiku\"\nprovider = \"default\"";

// The pid of the CLI process that answered (fake-claude's echo_identity).
pid_t serving_pid(const Daemon& d, json body) {
    const std::string text = completion_text(post_chat(d.port(), body));
    const json identity = json::parse(text, nullptr, false);
    BOOST_REQUIRE_MESSAGE(identity.is_object(), "not an identity: " << text << "\n" << d.log());
    return identity["pid"].get<pid_t>();
}

// Waits until exactly `n` recorded CLI processes are alive (the idle ones, between requests).
bool wait_alive(const Daemon& d, std::size_t n) {
    return wait_until([&] { return d.alive_pids().size() == n; }, 10s);
}

std::size_t count_lines(const Daemon& d, const std::string& needle) {
    const auto lines = d.log_lines();
    return static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), [&](const auto& l) {
        return l.find(needle) != std::string::npos;
    }));
}

// The value of an unlabelled sample in Prometheus text; -1 when absent.
double gauge(const std::string& text, const std::string& name) {
    const auto at = text.find("\n" + name + " ");
    return at == std::string::npos ? -1 : std::stod(text.substr(at + name.size() + 2));
}

bool contains(const std::vector<pid_t>& pids, pid_t pid) {
    return std::find(pids.begin(), pids.end(), pid) != pids.end();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(warm_pool)

BOOST_AUTO_TEST_CASE(requests_are_served_by_prestarted_processes_used_once) {
    Daemon d({.warm_pool = 1});
    std::vector<pid_t> served;
    for (int i = 0; i < 3; ++i) {
        BOOST_REQUIRE_MESSAGE(d.wait_pids(i + 1, 10s), "no process was pre-started\n" << d.log());
        BOOST_REQUIRE(wait_alive(d, 1));
        const pid_t idle = d.alive_pids().front();  // started before the request is sent
        const pid_t pid = serving_pid(d, chat_body("FAKE[echo_identity]"));
        BOOST_TEST(pid == idle, "request " << i << " was not served by the idle process");
        BOOST_TEST(!contains(served, pid), "process " << pid << " served a second request");
        served.push_back(pid);
        // It ends with its request; its replacement waits for the next one.
        BOOST_TEST(wait_until([&] { return !pid_alive(pid); }, 5s), "the used process lives on");
    }
    BOOST_TEST(d.wait_pids(4, 10s), "no replacement after the third request\n" << d.log());
    BOOST_TEST(count_lines(d, "took pre-started") == 3u, d.log());
    // The used processes' working directories went with them; the idle one's remains.
    const auto entries = [&] {
        const std::filesystem::directory_iterator it(d.state_dir() + "/jobs");
        return std::distance(begin(it), end(it));
    };
    BOOST_TEST(wait_until([&] { return entries() == 1; }, 5s), entries() << " directories");
}

BOOST_AUTO_TEST_CASE(pool_of_zero_starts_a_process_per_request) {
    Daemon d({.warm_pool = 0});
    const pid_t pid = serving_pid(d, chat_body("FAKE[echo_identity]"));
    BOOST_TEST(d.recorded_pids() == std::vector<pid_t>{pid}, "only the request's own process");
    BOOST_TEST(wait_alive(d, 0));
    BOOST_TEST(count_lines(d, "took pre-started") == 0u, d.log());
    BOOST_TEST(d.recorded_pids().size() == 1u, "a process was started after the request");
}

BOOST_AUTO_TEST_CASE(default_pool_size_is_one) {
    Daemon d({.warm_pool = -1});
    BOOST_REQUIRE(d.wait_pids(1, 10s));
    const pid_t idle = d.recorded_pids().front();
    BOOST_TEST(serving_pid(d, chat_body("FAKE[echo_identity]")) == idle);
}

BOOST_AUTO_TEST_CASE(system_prompt_and_model_are_applied_to_the_taken_process) {
    // Processes start with the provider's first model (sonnet); haiku is switched to.
    Daemon d({.warm_pool = 2, .model = {kHaiku}});
    BOOST_REQUIRE(d.wait_pids(2, 10s));
    json body = chat_body("FAKE[echo_model]");
    body["model"] = "claude-haiku";
    BOOST_TEST(completion_text(post_chat(d.port(), body)) == "claude-haiku-4-5-20251001");
    BOOST_TEST(completion_text(post_chat(d.port(), chat_body("FAKE[echo_model]"))) ==
               "claude-sonnet-5");
    json system = chat_body("FAKE[echo_system]");
    system["messages"].insert(system["messages"].begin(),
                              json{{"role", "system"}, {"content", "Answer as a warm pirate."}});
    BOOST_TEST(completion_text(post_chat(d.port(), system)) == "Answer as a warm pirate.");
    BOOST_TEST(count_lines(d, "took pre-started") == 3u, d.log());
}

BOOST_AUTO_TEST_CASE(streamed_request_is_served_from_the_pool) {
    Daemon d({.warm_pool = 1});
    BOOST_REQUIRE(d.wait_pids(1, 10s));
    const auto res = post_chat(d.port(), chat_body("hi", true));
    BOOST_REQUIRE(res);
    BOOST_TEST(res->status == 200);
    BOOST_TEST(res->body.find("\"content\":\" fake.\"") != std::string::npos, res->body);
    BOOST_TEST(res->body.find("data: [DONE]") != std::string::npos, res->body);
    BOOST_TEST(count_lines(d, "took pre-started") == 1u, d.log());
}

BOOST_AUTO_TEST_CASE(max_tokens_requests_start_their_own_process) {
    // CLAUDE_CODE_MAX_OUTPUT_TOKENS is per request and only the environment sets it.
    Daemon d({.warm_pool = 1});
    BOOST_REQUIRE(d.wait_pids(1, 10s));
    const pid_t idle = d.recorded_pids().front();
    json body = chat_body("FAKE[echo_env=CLAUDE_CODE_MAX_OUTPUT_TOKENS]");
    body["max_tokens"] = 77;
    BOOST_TEST(completion_text(post_chat(d.port(), body)) == "77");
    BOOST_TEST(pid_alive(idle), "the idle process was used for a max_tokens request");
    BOOST_TEST(count_lines(d, "took pre-started") == 0u, d.log());
    BOOST_TEST(serving_pid(d, chat_body("FAKE[echo_identity]")) == idle);
}

BOOST_AUTO_TEST_CASE(dead_idle_process_is_replaced) {
    Daemon d({.warm_pool = 1});
    BOOST_REQUIRE(d.wait_pids(1, 10s));
    const pid_t first = d.recorded_pids().front();
    BOOST_REQUIRE(kill(first, SIGKILL) == 0);
    BOOST_REQUIRE_MESSAGE(d.wait_pids(2, 10s), "the dead process was not replaced\n" << d.log());
    BOOST_TEST(d.wait_log("ended while idle (killed by signal 9", 5s).has_value(), d.log());
    const pid_t replacement =
        d.recorded_pids().back() == first ? d.recorded_pids().front() : d.recorded_pids().back();
    BOOST_TEST(serving_pid(d, chat_body("FAKE[echo_identity]")) == replacement);
}

BOOST_AUTO_TEST_CASE(a_cli_that_dies_at_once_is_restarted_with_back_off) {
    // /bin/false exits at once: each try is a failed start, tried again after 1 s, 2 s, 4 s...
    Daemon d({.claude = "/bin/false", .warm_pool = 1});
    const auto start = Clock::now();
    BOOST_REQUIRE_MESSAGE(d.wait_log("next try in 4 s", 15s), d.log());
    const long long ms = ms_since(start);
    BOOST_TEST(ms >= 2500, "three tries in " << ms << " ms: no back-off");
    // Seen dead by its pidfd or, when it exited before one could be opened, at its start.
    BOOST_TEST(count_lines(d, "(exited with status 1); next try in") == 3u, d.log());
    // A request still gets a precise answer from its own (failing) process.
    const auto res = post_chat(d.port(), chat_body("hi"));
    BOOST_REQUIRE(res);
    BOOST_TEST(res->status >= 500, res->body);
}

BOOST_AUTO_TEST_CASE(reload_rebuilds_only_changed_pools) {
    Daemon d({.warm_pool = 1});
    BOOST_REQUIRE(d.wait_pids(1, 10s));
    const pid_t first = d.recorded_pids().front();

    // Unchanged provider: the idle process stays.
    kill(d.pid(), SIGHUP);
    BOOST_REQUIRE(d.wait_log("configuration reloaded", 10s));
    BOOST_TEST(d.alive_pids() == std::vector<pid_t>{first});

    // Changed provider: drained (before the reload is reported) and rebuilt at the new size.
    std::string text = d.config_text();
    const std::string key = "warm_pool = 1";
    text.replace(text.find(key), key.size(), "warm_pool = 2");
    write_file(d.dir() + "/config.toml", text);
    kill(d.pid(), SIGHUP);
    BOOST_REQUIRE(wait_until([&] { return count_lines(d, "configuration reloaded") == 2u; }, 10s));
    BOOST_TEST(!pid_alive(first), "the process of the old configuration lives on");
    BOOST_TEST(d.wait_pids(3, 10s), d.log());
    BOOST_TEST(wait_alive(d, 2));
}

BOOST_AUTO_TEST_CASE(idle_processes_count_as_cli_processes_not_jobs) {
    Daemon d({.warm_pool = 2});
    BOOST_REQUIRE(d.wait_pids(2, 10s));
    const auto res = make_client(d.port()).Get("/metrics");
    BOOST_REQUIRE(res);
    BOOST_TEST(gauge(res->body, "claude_harness_cli_processes") == 2.0, res->body);
    BOOST_TEST(gauge(res->body, "claude_harness_running_jobs") == 0.0, res->body);
}

BOOST_AUTO_TEST_CASE(shutdown_stops_every_idle_process_and_removes_its_directory) {
    Daemon d({.warm_pool = 3});
    BOOST_REQUIRE(d.wait_pids(3, 10s));
    BOOST_REQUIRE(wait_alive(d, 3));
    const auto status = d.terminate();
    BOOST_REQUIRE(status.has_value());
    BOOST_TEST(WIFEXITED(*status));
    BOOST_TEST(WEXITSTATUS(*status) == 0);
    BOOST_TEST(d.alive_pids().empty(), "pre-started processes outlived the daemon");
    BOOST_TEST(std::filesystem::is_empty(d.state_dir() + "/jobs"), "working directories left");
}

BOOST_AUTO_TEST_SUITE_END()
