// What the CLI process inherits: three descriptors, its own process group, a private working
// directory that is removed afterwards, a clean environment, and the run-as user's identity.
#include <boost/test/unit_test.hpp>

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "daemon_fixture.h"
#include "http_helpers.h"

using namespace it;

namespace {

json identity(const Daemon& d, json body = chat_body("FAKE[echo_identity]")) {
    const std::string text = completion_text(post_chat(d.port(), body));
    const json j = json::parse(text, nullptr, false);
    BOOST_REQUIRE_MESSAGE(j.is_object(), "echo_identity reply is not JSON: " << text);
    return j;
}

std::set<std::string> env_names(const json& id) {
    std::set<std::string> names;
    for (auto it = id["env"].begin(); it != id["env"].end(); ++it)
        names.insert(it.key());
    return names;
}

// The working directory is private to the job and gone once it finished.
void check_workdir(const Daemon& d, const json& id) {
    const std::string cwd = id["cwd"];
    const std::string jobs = d.state_dir() + "/jobs/";
    BOOST_TEST(cwd.rfind(jobs, 0) == 0u, cwd);
    BOOST_TEST(cwd.size() > jobs.size());
    BOOST_TEST(cwd.find('/', jobs.size()) == std::string::npos, cwd);
    BOOST_TEST(wait_until([&] { return !path_exists(cwd); }, 3s), cwd << " was not removed");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(isolation)

BOOST_AUTO_TEST_CASE(descriptors_group_workdir_and_environment) {
    Daemon d({.env = {{"EXTRA_PROVIDER_VAR", "from the provider"}},
              .limits = {"cli_max_retries = 3"},
              .daemon_env = {"CH_IT_DAEMON_ONLY=must-not-leak", "ANTHROPIC_BASE_URL=http://x"}});
    const json id = identity(d);

    BOOST_TEST(id["fds"] == json::array({0, 1, 2}), id["fds"].dump());
    BOOST_TEST(id["pgid"] == id["pid"], "the CLI leads its own process group");
    BOOST_TEST(id["ppid"] == d.pid(), "the daemon started it");
    BOOST_TEST(id["uid"] == geteuid());
    check_workdir(d, id);

    const std::set<std::string> expected{"HOME",
                                         "USER",
                                         "LOGNAME",
                                         "PATH",
                                         "LANG",
                                         "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC",
                                         "CLAUDE_CODE_MAX_RETRIES",
                                         "ANTHROPIC_API_KEY",
                                         "FAKE_CLAUDE_PID_DIR",
                                         "EXTRA_PROVIDER_VAR"};
    BOOST_TEST(env_names(id) == expected, id["env"].dump());
    const json& env = id["env"];
    const passwd* pw = getpwuid(geteuid());
    BOOST_REQUIRE(pw);
    BOOST_TEST(env.value("HOME", "") == pw->pw_dir);
    BOOST_TEST(env.value("USER", "") == pw->pw_name);
    BOOST_TEST(env.value("LOGNAME", "") == pw->pw_name);
    BOOST_TEST(!env.value("PATH", "").empty());
    BOOST_TEST(!env.value("LANG", "").empty());
    BOOST_TEST(env.value("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "") == "1");
    BOOST_TEST(env.value("CLAUDE_CODE_MAX_RETRIES", "") == "3");
    BOOST_TEST(env.value("ANTHROPIC_API_KEY", "") == "sk-test-dummy");
    BOOST_TEST(env.value("EXTRA_PROVIDER_VAR", "") == "from the provider");
    BOOST_TEST(!env.contains("CH_IT_DAEMON_ONLY"));
    BOOST_TEST(!env.contains("ANTHROPIC_BASE_URL"));

    // The plain-chat command line: no tools, the model's CLI name.
    const auto argv = id["argv"].get<std::vector<std::string>>();
    const auto at = [&](const std::string& flag) {
        const auto it = std::find(argv.begin(), argv.end(), flag);
        return it == argv.end() || it + 1 == argv.end() ? std::string("<missing>") : *(it + 1);
    };
    BOOST_TEST(at("--model") == "sonnet");
    BOOST_TEST(at("--tools") == "");

    // max_tokens becomes the CLI's output limit.
    json body = chat_body("FAKE[echo_identity]");
    body["max_tokens"] = 123;
    const json limited = identity(d, body);
    BOOST_TEST(limited["env"].value("CLAUDE_CODE_MAX_OUTPUT_TOKENS", "") == "123");
}

BOOST_AUTO_TEST_CASE(runs_as_the_providers_user) {
    BOOST_REQUIRE_MESSAGE(geteuid() == 0, "this test must run as root (it does in CI)");
    const passwd* pw = getpwnam("nobody");
    BOOST_REQUIRE_MESSAGE(pw, "no user 'nobody'");
    const uid_t uid = pw->pw_uid;
    const gid_t gid = pw->pw_gid;
    const std::string home = pw->pw_dir;
    int n = 64;
    std::vector<gid_t> groups(static_cast<std::size_t>(n));
    while (getgrouplist("nobody", gid, groups.data(), &n) < 0)
        groups.resize(static_cast<std::size_t>(n));
    groups.resize(static_cast<std::size_t>(n));
    std::set<gid_t> expected_groups(groups.begin(), groups.end());

    Daemon d({.copy_fake = true, .provider_user = "nobody"});
    const json id = identity(d);
    BOOST_TEST(id["uid"] == uid);
    BOOST_TEST(id["gid"] == gid);
    const auto got = id["groups"].get<std::vector<gid_t>>();
    BOOST_TEST((std::set<gid_t>(got.begin(), got.end()) == expected_groups), id["groups"].dump());
    BOOST_TEST(id["env"].value("USER", "") == "nobody");
    BOOST_TEST(id["env"].value("LOGNAME", "") == "nobody");
    BOOST_TEST(id["env"].value("HOME", "") == home);
    BOOST_TEST(id["fds"] == json::array({0, 1, 2}), id["fds"].dump());
    BOOST_TEST(id["pgid"] == id["pid"]);
    check_workdir(d, id);

    auto ready = make_client(d.port()).Get("/ready");
    BOOST_REQUIRE(ready);
    BOOST_TEST(ready->status == 200, ready->body);
    BOOST_TEST(json::parse(ready->body)["providers"][0]["user"] == "nobody");
}

BOOST_AUTO_TEST_SUITE_END()
