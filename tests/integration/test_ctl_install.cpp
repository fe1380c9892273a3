// claude-harnessctl install/uninstall with --files-only (systemd is not PID 1 here; the
// booted-systemd test covers the systemctl part): the checks, the files, idempotence, and
// an address that is not on the host yet (IP_FREEBIND).
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <boost/test/unit_test.hpp>

#include "ctl_helpers.h"
#include "daemon_fixture.h"
#include "http_helpers.h"

using namespace it;

namespace {

const std::string kUser = "ch-install-test";

// A system user of the test's own with a home in a temp dir and a Claude login; removed
// again at the end.
struct TestUser {
    TestUser() {
        chmod(dir.path().c_str(), 0755);
        home = dir.path() + "/home";
        run_process({"/usr/sbin/userdel", kUser});  // left over from an interrupted run
        const auto r = run_process({"/usr/sbin/useradd", "--system", "--home-dir", home,
                                    "--create-home", "--shell", "/usr/sbin/nologin", kUser});
        BOOST_REQUIRE_MESSAGE(r.exit_code() == 0, "useradd: " << r.err);
        claude = dir.path() + "/fake-claude";
        std::filesystem::copy_file(CH_FAKE_CLAUDE, claude);
        chmod(claude.c_str(), 0755);
    }
    ~TestUser() { run_process({"/usr/sbin/userdel", kUser}); }
    void login() const {
        std::filesystem::create_directories(home + "/.claude");
        write_file(home + "/.claude/.credentials.json",
                   R"({"claudeAiOauth":{"accessToken":"sk-ant-oat01-x","refreshToken":"r",)"
                   R"("expiresAt":4102444800000}})");
        run_process({"/bin/chown", "-R", kUser + ":", home});
    }
    TempDir dir;
    std::string home, claude;
};

// An /etc/claude-harness and /etc/systemd/system of the test's own.
struct Staging {
    Staging() {
        std::filesystem::create_directories(etc());
        std::filesystem::copy_file(
            std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "etc" /
                "config.toml",
            etc() + "/config.toml");
    }
    std::string etc() const { return dir.path() + "/etc"; }
    std::string systemd() const { return dir.path() + "/systemd"; }
    std::string fragment() const { return etc() + "/config.d/50-install.toml"; }
    std::string dropin() const { return systemd() + "/claude-harness.service.d/50-install.conf"; }
    ProcessResult ctl(const std::string& verb, std::vector<std::string> extra = {}) const {
        std::vector<std::string> args{
            verb, "--config", etc() + "/config.toml", "--systemd-dir", systemd(), "--files-only"};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_ctl(args);
    }
    TempDir dir;
};

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ctl_install)

BOOST_AUTO_TEST_CASE(writes_the_provider_and_the_dropin_once) {
    TestUser user;
    user.login();
    Staging s;
    auto r = s.ctl("install", {"--user", kUser, "--claude", user.claude});
    BOOST_REQUIRE_MESSAGE(r.exit_code() == 0, r.out << r.err);
    BOOST_TEST(contains(r.out, "ok: " + user.claude + " (2.1.197 (Claude Code)) runs as " + kUser +
                                   ", login: credentials_file"),
               r.out);
    BOOST_TEST(contains(r.out, "wrote: " + s.fragment()), r.out);
    BOOST_TEST(contains(r.out, "wrote: " + s.dropin()), r.out);

    const std::string fragment = read_file(s.fragment());
    BOOST_TEST(contains(fragment, "[[providers]]\nname = \"default\"\nuser = \"" + kUser +
                                      "\"\nclaude = \"" + user.claude + "\"\n"),
               fragment);
    const std::string dropin = read_file(s.dropin());
    BOOST_TEST(contains(dropin, "[Service]\nProtectHome=tmpfs\nBindPaths=-" + user.home +
                                    "/.claude\nBindPaths=-" + user.home + "/.claude.json\n"),
               dropin);
    // The merged configuration names the user; check-config agrees it is valid.
    r = run_ctl({"check-config", s.etc() + "/config.toml"});
    BOOST_TEST(r.exit_code() == 0, r.err);

    const auto before = std::filesystem::last_write_time(s.fragment());
    r = s.ctl("install", {"--user", kUser, "--claude", user.claude});
    BOOST_TEST(r.exit_code() == 0, r.err);
    BOOST_TEST(contains(r.out, "unchanged: " + s.fragment()), r.out);
    BOOST_TEST(contains(r.out, "unchanged: " + s.dropin()), r.out);
    BOOST_TEST((std::filesystem::last_write_time(s.fragment()) == before));

    r = s.ctl("uninstall");
    BOOST_TEST(r.exit_code() == 0, r.err);
    BOOST_TEST(contains(r.out, "removed: " + s.fragment()), r.out);
    BOOST_TEST(!path_exists(s.fragment()));
    BOOST_TEST(!path_exists(s.dropin()));
    r = s.ctl("uninstall");
    BOOST_TEST(contains(r.out, "absent: " + s.fragment()), r.out);
}

BOOST_AUTO_TEST_CASE(docker_adds_the_bridge_address_and_a_key) {
    TestUser user;
    user.login();
    Staging s;
    auto r =
        s.ctl("install", {"--user", kUser, "--claude", user.claude, "--docker", "--port", "8099"});
    BOOST_REQUIRE_MESSAGE(r.exit_code() == 0, r.out << r.err);
    const std::string keys = s.etc() + "/api-keys";
    struct stat st {};
    BOOST_REQUIRE(stat(keys.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);
    const std::string key_file = read_file(keys);
    const std::string key = key_file.substr(key_file.find("sk-ch-"), 54);
    BOOST_TEST(contains(r.out, "API key:  " + key), r.out);
    BOOST_TEST(contains(r.out, "http://host.docker.internal:8099/v1"), r.out);
    const std::string fragment = read_file(s.fragment());
    BOOST_TEST(contains(fragment, "listen = [\"127.0.0.1:8099\", \""), fragment);
    BOOST_TEST(contains(fragment, ":8099\"]\napi_keys_file = \"" + keys + "\"\n"), fragment);

    // Again: the same key, nothing rewritten.
    r = s.ctl("install", {"--user", kUser, "--claude", user.claude, "--docker", "--port", "8099"});
    BOOST_TEST(contains(r.out, "unchanged: " + keys), r.out);
    BOOST_TEST(read_file(keys) == key_file);
    r = s.ctl("uninstall");
    BOOST_TEST(!path_exists(keys), "install's own key file goes with it");
}

BOOST_AUTO_TEST_CASE(refuses_what_would_not_work) {
    TestUser user;
    Staging s;
    auto r = s.ctl("install", {"--user", "no-such-user-here"});
    BOOST_TEST(r.exit_code() == 1);
    BOOST_TEST(contains(r.err, "no user 'no-such-user-here'"), r.err);
    r = s.ctl("install", {"--user", kUser, "--claude", "/nonexistent/claude"});
    BOOST_TEST(r.exit_code() == 1);
    BOOST_TEST(contains(r.err, "'/nonexistent/claude' was not found"), r.err);
    r = s.ctl("install", {"--user", kUser, "--claude", user.claude});  // not logged in
    BOOST_TEST(r.exit_code() == 1);
    BOOST_TEST(contains(r.err, "has no Claude login"), r.err);
    BOOST_TEST(!path_exists(s.fragment()), "nothing written after a failed check");
    r = run_process({"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                     CH_CTL_BINARY, "install"});
    BOOST_TEST(r.exit_code() == 1);
    BOOST_TEST(contains(r.err, "install must run as root"), r.err);
    BOOST_TEST(s.ctl("install", {"--port", "80x"}).exit_code() == 2);
}

BOOST_AUTO_TEST_CASE(the_daemon_listens_on_an_address_not_on_the_host_yet) {
    // 192.0.2.1 (TEST-NET-1) is on no interface: a Docker bridge before Docker starts.
    Daemon d({.listen = "192.0.2.1:0", .api_keys = {"sk-bridge"}});
    BOOST_TEST(d.port() > 0);
    BOOST_TEST(d.log().find("listening on 192.0.2.1:") != std::string::npos, d.log());
}

BOOST_AUTO_TEST_SUITE_END()
