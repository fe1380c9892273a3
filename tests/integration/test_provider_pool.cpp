// Several logins behind one model, each a provider running the fake CLI with its own
// environment: how the pool spreads new conversations, keeps a conversation on its provider,
// moves a job off a provider that reports its usage limit, answers 429 with the earliest reset
// when every login is exhausted, suspends a login after repeated authentication failures, and
// warns ahead of a login's expiry.
#include <sys/stat.h>
#include <sys/time.h>

#include <csignal>
#include <ctime>

#include <boost/test/unit_test.hpp>

#include "daemon_fixture.h"
#include "http_helpers.h"

using namespace it;

namespace {

// A provider whose CLI answers "FAKE[echo_env=PROVIDER_TAG]" with its name.
ExtraProvider tagged(const std::string& name, const std::string& markers = "") {
    ExtraProvider p{name, {{"PROVIDER_TAG", name}}};
    if (!markers.empty()) p.env["FAKE_CLAUDE_MARKERS"] = markers;
    return p;
}

DaemonOptions two_logins(const std::string& strategy, const std::string& a_markers = "",
                         const std::string& b_markers = "") {
    DaemonOptions o;
    o.providers = {tagged("a", a_markers), tagged("b", b_markers)};
    o.model_providers = {"a", "b"};
    o.model = {"strategy = " + toml_string(strategy)};
    return o;
}

// Which provider answered a new conversation starting with `text`.
std::string served_by(int port, const std::string& text) {
    return completion_text(post_chat(port, chat_body("FAKE[echo_env=PROVIDER_TAG] " + text)));
}

json provider_status(int port, const std::string& name) {
    auto res = make_client(port).Get("/ready");
    BOOST_REQUIRE(res);
    const json doc = json::parse(res->body);
    for (const auto& p : doc["providers"])
        if (p["name"] == name) return p;
    BOOST_FAIL("provider " + name + " missing from /ready: " + res->body);
    return {};
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Seconds from now until the next hh:00 UTC.
long seconds_until_utc_hour(int hour) {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    long at = hour * 3600L - (utc.tm_hour * 3600L + utc.tm_min * 60L + utc.tm_sec);
    if (at <= 0) at += 86400;
    return at;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(provider_pool)

BOOST_AUTO_TEST_CASE(round_robin_spreads_new_conversations) {
    Daemon d(two_logins("round-robin"));
    std::vector<std::string> order;
    for (int i = 0; i < 4; ++i)
        order.push_back(served_by(d.port(), "conversation " + std::to_string(i)));
    BOOST_TEST(order == (std::vector<std::string>{"a", "b", "a", "b"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(priority_uses_the_first_login_while_it_can) {
    Daemon d(two_logins("priority"));
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(served_by(d.port(), "question " + std::to_string(i)) == "a");
}

BOOST_AUTO_TEST_CASE(a_conversation_stays_on_the_provider_that_started_it) {
    Daemon d(two_logins("round-robin"));
    const std::string opening = "FAKE[echo_env=PROVIDER_TAG] let us talk";
    json body = chat_body(opening);
    const std::string first = completion_text(post_chat(d.port(), body));
    std::vector<std::string> others;
    for (int turn = 0; turn < 3; ++turn) {
        // Other conversations in between are spread over both providers.
        others.push_back(served_by(d.port(), "elsewhere " + std::to_string(turn)));
        body["messages"].push_back({{"role", "assistant"}, {"content", first}});
        body["messages"].push_back({{"role", "user"}, {"content", "and then?"}});
        BOOST_TEST(completion_text(post_chat(d.port(), body)) == first, "turn " << turn + 2);
    }
    BOOST_TEST(std::count(others.begin(), others.end(), first) < 3, json(others).dump());
}

BOOST_AUTO_TEST_CASE(a_usage_limit_moves_the_job_and_cools_the_provider_down) {
    Daemon d(two_logins("priority", "usage_limit"));
    BOOST_TEST(served_by(d.port(), "hello") == "b");
    BOOST_TEST(d.recorded_pids().size() == 2u, "a was tried first, then b");

    const json a = provider_status(d.port(), "a");
    BOOST_TEST(a["state"] == "cooling_down", a.dump());
    const std::int64_t until = a["cooldown_until_ms"].get<std::int64_t>();
    const std::int64_t expected = now_ms() + seconds_until_utc_hour(16) * 1000;
    BOOST_TEST(std::llabs(until - expected) < 5000, a.dump());
    BOOST_TEST(a["last_error"].get<std::string>().find("session limit") != std::string::npos);
    BOOST_TEST(provider_status(d.port(), "b")["state"] == "ready");

    // While a cools down, new requests go straight to b.
    BOOST_TEST(served_by(d.port(), "again") == "b");
    BOOST_TEST(d.recorded_pids().size() == 3u, "the cooling provider ran its CLI again");
}

BOOST_AUTO_TEST_CASE(every_login_exhausted_gives_429_with_the_earliest_reset) {
    Daemon d(two_logins("priority", "usage_limit=5pm", "usage_limit=4pm"));
    auto res = post_chat(d.port(), chat_body("hello"));
    check_error(res, 429, "usage_limit");
    const long expected = seconds_until_utc_hour(16);
    const long retry = std::atol(res->get_header_value("Retry-After").c_str());
    BOOST_TEST(std::labs(retry - expected) <= 3, retry << " vs " << expected);
    BOOST_TEST(d.recorded_pids().size() == 2u);

    // Refused at once from now on, with the same reset and no CLI started.
    auto again = post_chat(d.port(), chat_body("hello again"));
    check_error(again, 429, "usage_limit", "every login that serves 'claude-sonnet'");
    const long retry_again = std::atol(again->get_header_value("Retry-After").c_str());
    BOOST_TEST(std::labs(retry_again - expected) <= 3, retry_again << " vs " << expected);
    BOOST_TEST(d.recorded_pids().size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_streamed_request_moves_too_while_nothing_was_sent) {
    Daemon d(two_logins("priority", "usage_limit"));
    const auto r = stream_chat(d.port(), chat_body("FAKE[echo_env=PROVIDER_TAG] hi", true));
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.text == "b");
    BOOST_TEST(r.done);
}

BOOST_AUTO_TEST_CASE(authentication_failures_suspend_a_provider_until_its_login_changes) {
    TempDir config_dir;
    DaemonOptions o;
    o.providers = {tagged("a", "error=401")};
    o.providers[0].env["CLAUDE_CONFIG_DIR"] = config_dir.path();
    o.model_providers = {"a"};
    Daemon d(o);
    for (int i = 0; i < 3; ++i)
        check_error(post_chat(d.port(), chat_body("hi")), 503, "auth_failed", "login was refused");
    BOOST_TEST(d.recorded_pids().size() == 3u);

    // The fourth is refused without starting the CLI, with what to do about it.
    auto refused = post_chat(d.port(), chat_body("hi"));
    const json error = check_error(refused, 503, "not_ready", "suspended after 3");
    BOOST_TEST(error["message"].get<std::string>().find("claude auth login") != std::string::npos);
    BOOST_TEST(d.recorded_pids().size() == 3u, "a suspended provider ran its CLI");
    BOOST_TEST(provider_status(d.port(), "a")["state"] == "suspended");
    BOOST_TEST(d.wait_log("is suspended after 3 authentication failures", 1s).has_value());

    // A new login (the credentials file written) lifts the suspension.
    write_file(config_dir.path() + "/.credentials.json", R"({"claudeAiOauth":{}})");
    check_error(post_chat(d.port(), chat_body("hi")), 503, "auth_failed");
    BOOST_TEST(d.recorded_pids().size() == 4u);
}

BOOST_AUTO_TEST_CASE(a_reload_lifts_a_suspension) {
    DaemonOptions o;
    o.providers = {tagged("a", "error=403")};
    o.model_providers = {"a"};
    o.limits = {"auth_failure_limit = 1"};
    Daemon d(o);
    check_error(post_chat(d.port(), chat_body("hi")), 503, "auth_failed");
    check_error(post_chat(d.port(), chat_body("hi")), 503, "not_ready", "suspended after 1");
    BOOST_TEST(d.recorded_pids().size() == 1u);
    kill(d.pid(), SIGHUP);
    BOOST_REQUIRE(d.wait_log("suspension lifted by the reload", 10s).has_value());
    check_error(post_chat(d.port(), chat_body("hi")), 503, "auth_failed");
    BOOST_TEST(d.recorded_pids().size() == 2u);
}

BOOST_AUTO_TEST_CASE(one_job_at_a_time_while_an_access_token_awaits_renewal) {
    TempDir home;
    const auto credentials = [&](std::int64_t expires) {
        write_file(home.path() + "/.credentials.json",
                   R"({"claudeAiOauth":{"accessToken":"sk-ant-oat01-t","refreshToken":)"
                   R"("sk-ant-ort01-t","expiresAt":)" +
                       std::to_string(expires) + "}}");
    };
    credentials(now_ms() - 60'000);  // expired; the CLI will renew it on its next run
    Daemon d({.env = {{"ANTHROPIC_API_KEY", ""}, {"CLAUDE_CONFIG_DIR", home.path()}},
              .limits = {"max_concurrent_jobs = 4"}});
    const auto queued = [&] {
        auto res = make_client(d.port()).Get("/health");
        return res ? json::parse(res->body)["queued_jobs"].get<int>() : -1;
    };
    RawConnection first(d.port());
    first.send_chat(chat_body("FAKE[hang] one"));
    BOOST_REQUIRE(d.wait_pids(1, 10s));
    RawConnection second(d.port());
    second.send_chat(chat_body("FAKE[hang] two"));
    BOOST_REQUIRE(wait_until([&] { return queued() == 1; }, 5s));
    BOOST_TEST(d.recorded_pids().size() == 1u, "two CLIs raced to renew one token");

    // The first run renewed the token (as the CLI does, by rewriting the file) and ends.
    credentials(now_ms() + 8 * 3600'000LL);
    first.close();
    BOOST_REQUIRE(d.wait_pids(2, 10s));
    RawConnection third(d.port());
    third.send_chat(chat_body("FAKE[hang] three"));
    BOOST_TEST(d.wait_pids(3, 10s), "with a fresh token jobs run side by side again");
    BOOST_TEST(queued() == 0);
    second.close();
    third.close();
}

BOOST_AUTO_TEST_CASE(a_login_about_to_expire_is_reported_days_ahead) {
    TempDir home;
    // An OAuth login the CLI cannot renew (no refresh token), two days from its end.
    const std::int64_t expires = now_ms() + 2 * 86400 * 1000LL;
    write_file(home.path() + "/.credentials.json",
               R"({"claudeAiOauth":{"accessToken":"sk-ant-oat01-t","expiresAt":)" +
                   std::to_string(expires) + "}}");
    // A `claude setup-token` token written 361 days ago: a year's validity ends in 4 days.
    const std::string token = home.path() + "/token";
    write_file(token, "sk-ant-oat01-setup\n");
    const timeval old[2] = {{std::time(nullptr) - 361 * 86400L, 0},
                            {std::time(nullptr) - 361 * 86400L, 0}};
    BOOST_REQUIRE(utimes(token.c_str(), old) == 0);

    DaemonOptions o;
    o.env = {{"ANTHROPIC_API_KEY", ""}, {"CLAUDE_CONFIG_DIR", home.path()}};
    o.providers = {{"t", {{"ANTHROPIC_API_KEY", ""}}, {"token_file = " + toml_string(token)}}};
    o.server = {"login_warning_days = 7"};
    Daemon d(o);
    BOOST_TEST(d.wait_log("provider default: its login expires in 2.0 days", 5s).has_value(),
               d.log());
    BOOST_TEST(d.wait_log("provider t: its login expires in 4.0 days", 5s).has_value(), d.log());
    const json t = provider_status(d.port(), "t");
    BOOST_TEST(t["login"] == "oauth_token");
    const std::int64_t left_ms = t["login_expires_ms"].get<std::int64_t>() - now_ms();
    BOOST_TEST((left_ms > 3 * 86400000LL && left_ms < 5 * 86400000LL), t.dump());
    BOOST_TEST(d.log().find("sk-ant-oat01") == std::string::npos, "a token was logged");
}

BOOST_AUTO_TEST_CASE(token_file_is_passed_to_the_cli_and_never_shown) {
    TempDir dir;
    write_file(dir.path() + "/token", "  sk-ant-oat01-from-file \n");
    DaemonOptions o;
    o.env = {{"ANTHROPIC_API_KEY", ""}};
    o.providers = {{"t", {{"ANTHROPIC_API_KEY", ""}}, {"token_file = \"token\""}}};
    o.model_providers = {"t"};
    o.daemon_env = {"CREDENTIALS_DIRECTORY=" + dir.path()};
    Daemon d(o);
    BOOST_TEST(
        completion_text(post_chat(d.port(), chat_body("FAKE[echo_env=CLAUDE_CODE_OAUTH_TOKEN]"))) ==
        "sk-ant-oat01-from-file");
    BOOST_TEST(d.log().find("sk-ant-oat01") == std::string::npos, "the token was logged");
    BOOST_TEST(make_client(d.port()).Get("/ready")->body.find("sk-ant") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
