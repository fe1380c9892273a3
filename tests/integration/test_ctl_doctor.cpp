// claude-harnessctl doctor: one line per check with the fix for what is wrong, against a
// provider that runs the fake CLI, with and without a system bus.
#include <boost/test/unit_test.hpp>

#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "bus_helpers.h"
#include "ctl_helpers.h"
#include "daemon_fixture.h"

using namespace it;

namespace {

constexpr std::int64_t kDayMs = 86400LL * 1000;
const std::string kNoBus = "unix:path=/nonexistent";

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string own_user() {
    const passwd* pw = getpwuid(geteuid());
    return pw ? pw->pw_name : "?";
}

// A socket bound (and listening when asked) on a loopback port the kernel picked.
struct Port {
    explicit Port(bool hold) {
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        BOOST_REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), len) == 0);
        BOOST_REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
        number = ntohs(a.sin_port);
        if (hold) {
            BOOST_REQUIRE(listen(fd, 4) == 0);
        } else {
            close(fd);  // free again, for the "free" case
            fd = -1;
        }
    }
    ~Port() {
        if (fd >= 0) close(fd);
    }
    int fd = -1;
    int number = 0;
};

// A configuration with one provider "p" on the fake CLI, its login in its own config dir.
struct Setup {
    TempDir dir;
    std::string config = dir.path() + "/config.toml";
    std::string claude_dir = dir.path() + "/claude";
    std::string claude = CH_FAKE_CLAUDE;
    std::string user;
    int port = Port(false).number;

    Setup() { std::filesystem::create_directory(claude_dir); }

    void login(std::int64_t expires_ms, bool refresh) {
        nlohmann::json oauth{{"accessToken", "sk-ant-oat01-test"}, {"expiresAt", expires_ms}};
        if (refresh) oauth["refreshToken"] = "sk-ant-ort01-test";
        write_file(claude_dir + "/.credentials.json",
                   nlohmann::json{{"claudeAiOauth", oauth}}.dump());
    }

    ProcessResult doctor(std::vector<std::string> extra = {}, const std::string& bus = kNoBus) {
        write_file(config, "[server]\nlisten = [\"127.0.0.1:" + std::to_string(port) +
                               "\"]\n[[providers]]\nname = \"p\"\nclaude = " + toml_string(claude) +
                               "\nuser = " + toml_string(user) +
                               "\nenv = { CLAUDE_CONFIG_DIR = " + toml_string(claude_dir) +
                               " }\n[[models]]\nid = \"m\"\ncli_model = \"sonnet\"\n");
        std::vector<std::string> args{"doctor", "--config", config};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_ctl(args, {"DBUS_SYSTEM_BUS_ADDRESS=" + bus});
    }

    std::string listen_line() const {
        return "ok    listen 127.0.0.1:" + std::to_string(port) + ": free";
    }
};

const std::vector<std::string> kNoBusLines{
    "warn  system bus: unreachable at unix:path=/nonexistent: No such file or directory",
    "      fix: start D-Bus (`apt install dbus`); without it the daemon serves HTTP, but "
    "claude-harnessctl status, jobs, cancel, reload and test cannot reach it",
    "warn  daemon: unknown: the system bus is unreachable",
    "      fix: `systemctl status claude-harness` shows whether it runs",
};

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

bool has_line(const std::string& text, const std::string& line) {
    for (const auto& l : lines_of(text))
        if (l == line) return true;
    return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ctl_doctor)

BOOST_AUTO_TEST_CASE(a_working_setup_is_ok_without_a_bus) {
    Setup s;
    s.login(now_ms() + 30 * kDayMs + 1800 * 1000, true);
    const auto r = s.doctor();
    BOOST_TEST(r.exit_code() == 0, r.err);
    const std::vector<std::string> expected = concat(
        {
            "ok    config: " + s.config + " is valid",
            "ok    provider p: user: runs as " + own_user(),
            "ok    provider p: claude: " + std::string(CH_FAKE_CLAUDE) + " (2.1.197 (Claude Code))",
            "ok    provider p: login: credentials file; access token expires in 30d",
            s.listen_line(),
        },
        kNoBusLines);
    BOOST_TEST(lines_of(r.out) == expected, r.out);
    BOOST_TEST(r.err.empty(), r.err);
}

BOOST_AUTO_TEST_CASE(a_broken_config_fails_with_positions) {
    Setup s;
    write_file(s.config, "[server]\nlistn = 1\n");
    const auto r = run_ctl({"doctor", "--config", s.config}, {"DBUS_SYSTEM_BUS_ADDRESS=" + kNoBus});
    BOOST_TEST(r.exit_code() == 1, r.err);
    const std::vector<std::string> expected = concat(
        {
            "fail  config: " + s.config + " is not valid:",
            "      " + s.config + ":1:1: at least one [[models]] is required",
            "      " + s.config + ":2:1: unknown key 'listn' in [server]",
            "      fix: correct the file; `claude-harnessctl check-config " + s.config +
                "` checks it again",
        },
        kNoBusLines);
    BOOST_TEST(lines_of(r.out) == expected, r.out);
}

BOOST_AUTO_TEST_CASE(a_missing_user_fails) {
    Setup s;
    s.user = "ch-no-such-user";
    const auto r = s.doctor();
    BOOST_TEST(r.exit_code() == 1);
    const auto lines = lines_of(r.out);
    BOOST_REQUIRE(lines.size() >= 3u);
    BOOST_TEST(lines[1] == "fail  provider p: user: no such user 'ch-no-such-user'");
    BOOST_TEST(lines[2] ==
               "      fix: create the user, or set the provider's `user` to an existing one");
    BOOST_TEST(r.out.find("provider p: claude") == std::string::npos, r.out);
}

BOOST_AUTO_TEST_CASE(a_missing_claude_fails_with_the_fix) {
    Setup s;
    s.claude = s.dir.path() + "/no-claude";
    const auto r = s.doctor();
    BOOST_TEST(r.exit_code() == 1);
    const auto lines = lines_of(r.out);
    BOOST_REQUIRE(lines.size() >= 4u);
    BOOST_TEST(lines[2] == "fail  provider p: claude: the Claude CLI '" + s.claude +
                               "' was not found or is not executable");
    BOOST_TEST(lines[3] ==
               "      fix: install it (`npm install -g @anthropic-ai/claude-code`), "
               "or set the provider's `claude` to its full path");
}

BOOST_AUTO_TEST_CASE(no_login_fails) {
    Setup s;
    const auto r = s.doctor();
    BOOST_TEST(r.exit_code() == 1);
    const auto lines = lines_of(r.out);
    BOOST_REQUIRE(lines.size() >= 5u);
    BOOST_TEST(lines[3].starts_with("fail  provider p: login: user '" + own_user() +
                                    "' has no Claude login (" + s.claude_dir +
                                    "/.credentials.json not found)"),
               lines[3]);
    BOOST_TEST(lines[4] == "      fix: run `claude auth login` as user '" + own_user() +
                               "', or put a token from `claude setup-token` in the provider's "
                               "env as CLAUDE_CODE_OAUTH_TOKEN");
}

BOOST_AUTO_TEST_CASE(an_expired_login_fails_unless_it_can_be_refreshed) {
    Setup s;
    s.login(now_ms() - 2 * kDayMs - 1000, false);
    auto r = s.doctor();
    BOOST_TEST(r.exit_code() == 1);
    BOOST_TEST(has_line(r.out, "fail  provider p: login: the login in " + s.claude_dir +
                                   "/.credentials.json has expired and cannot be refreshed: "
                                   "run `claude auth login` as user '" +
                                   own_user() + "'"),
               r.out);

    s.login(now_ms() - 2 * kDayMs - 1000, true);
    r = s.doctor();
    BOOST_TEST(r.exit_code() == 0, r.out);
    BOOST_TEST(has_line(r.out,
                        "warn  provider p: login: access token expired 2d ago; the CLI "
                        "renews it with its refresh token"),
               r.out);
    BOOST_TEST(has_line(r.out,
                        "      fix: nothing if requests succeed; if they fail with 401, "
                        "run `claude auth login` as user '" +
                            own_user() +
                            "', or put a token from `claude setup-token` in the "
                            "provider's env as CLAUDE_CODE_OAUTH_TOKEN"),
               r.out);
}

BOOST_AUTO_TEST_CASE(a_port_held_by_another_program_fails) {
    Setup s;
    s.login(now_ms() + 30 * kDayMs, true);
    Port held(true);
    s.port = held.number;
    const auto r = s.doctor();
    BOOST_TEST(r.exit_code() == 1);
    BOOST_TEST(has_line(r.out, "fail  listen 127.0.0.1:" + std::to_string(held.number) +
                                   ": in use by another program (GET /health does not answer "
                                   "like claude-harnessd)"),
               r.out);
    BOOST_TEST(has_line(r.out,
                        "      fix: stop that program (`ss -ltnp` shows which), or "
                        "choose another port in server.listen"),
               r.out);
}

BOOST_AUTO_TEST_CASE(a_port_held_by_the_daemon_is_ok) {
    Daemon d;
    Setup s;
    s.login(now_ms() + 30 * kDayMs, true);
    s.port = d.port();
    const auto r = s.doctor();
    BOOST_TEST(r.exit_code() == 0, r.out);
    BOOST_TEST(has_line(r.out, "ok    listen 127.0.0.1:" + std::to_string(d.port()) +
                                   ": in use by claude-harnessd 0.1.0 (running)"),
               r.out);
}

BOOST_AUTO_TEST_CASE(json_has_every_check) {
    Setup s;
    const auto r = s.doctor({"--json"});
    BOOST_TEST(r.exit_code() == 1);
    const auto doc = nlohmann::json::parse(r.out);
    BOOST_TEST(doc.size() == 2u);
    BOOST_TEST(doc["ok"] == false);
    const auto& checks = doc["checks"];
    BOOST_REQUIRE(checks.is_array());
    std::vector<std::string> names, statuses;
    for (const auto& c : checks) {
        BOOST_TEST(c.size() == 4u, c.dump());
        for (const char* key : {"name", "status", "detail", "fix"})
            BOOST_TEST(c[key].is_string(), key << " in " << c.dump());
        names.push_back(c["name"]);
        statuses.push_back(c["status"]);
    }
    BOOST_TEST(names == (std::vector<std::string>{
                            "config", "provider p: user", "provider p: claude", "provider p: login",
                            "listen 127.0.0.1:" + std::to_string(s.port), "system bus", "daemon"}));
    BOOST_TEST(statuses ==
               (std::vector<std::string>{"ok", "ok", "ok", "fail", "ok", "warn", "warn"}));
    BOOST_TEST(checks[3]["fix"].get<std::string>().find("claude auth login") != std::string::npos);
    BOOST_TEST(checks[0]["fix"] == "");

    s.login(now_ms() + 30 * kDayMs, true);
    const auto ok = nlohmann::json::parse(s.doctor({"--json"}).out);
    BOOST_TEST(ok["ok"] == true);
}

BOOST_AUTO_TEST_CASE(a_bus_without_the_daemon_says_it_is_not_running) {
    PrivateBus bus;
    Setup s;
    s.login(now_ms() + 30 * kDayMs, true);
    const auto r = s.doctor({}, bus.address());
    BOOST_TEST(r.exit_code() == 0, r.out);
    const auto lines = lines_of(r.out);
    BOOST_REQUIRE(lines.size() >= 3u);
    BOOST_TEST(lines[lines.size() - 3] == "ok    system bus: reachable at " + bus.address());
    BOOST_TEST(lines[lines.size() - 2] ==
               "warn  daemon: not running (no owner of org.claudeharness.Harness1)");
    BOOST_TEST(lines.back() ==
               "      fix: `systemctl start claude-harness`; "
               "`claude-harnessctl logs` shows why it stopped");
}

BOOST_AUTO_TEST_CASE(a_daemon_on_the_bus_reports_its_readiness) {
    Setup s;
    s.login(now_ms() + 30 * kDayMs, true);
    {
        BusDaemon d;
        const auto r = s.doctor({}, d.bus.address());
        BOOST_TEST(r.exit_code() == 0, r.out);
        BOOST_TEST(lines_of(r.out).back() == "ok    daemon: running and ready", r.out);
    }
    BusDaemon d(DaemonOptions{.claude = "/nonexistent/claude"});
    const auto r = s.doctor({}, d.bus.address());
    BOOST_TEST(r.exit_code() == 0, r.out);
    BOOST_TEST(r.out.find("\nwarn  daemon: running, but not ready: no provider can run jobs: "
                          "default: the Claude CLI '/nonexistent/claude' was not found") !=
                   std::string::npos,
               r.out);
}

BOOST_AUTO_TEST_SUITE_END()
