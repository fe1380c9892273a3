// The daemon's command line: --check-config, --version, --help, and the refusal to expose an
// unauthenticated API beyond loopback.
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <filesystem>
#include <regex>
#include <sstream>

#include "daemon_fixture.h"
#include "http_helpers.h"

using namespace it;

namespace {

int exit_code(const CommandResult& r) {
    return r.exit_code();
}

std::string shipped_config() {
    namespace fs = std::filesystem;
    return (fs::path(__FILE__).parent_path().parent_path().parent_path() / "etc" / "config.toml")
        .string();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli)

BOOST_AUTO_TEST_CASE(check_config_reports_every_problem_with_its_position) {
    TempDir dir;
    const std::string path = dir.path() + "/bad.toml";
    write_file(path,
               "[server]\n"
               "listn = [\"127.0.0.1:1\"]\n"
               "[limits]\n"
               "job_timeout = \"soon\"\n"
               "[[models]]\n"
               "id = \"m\"\n"
               "cli_model = \"sonnet\"\n");
    const CommandResult r = run_daemon_command({"--check-config", "--config", path});
    BOOST_TEST(exit_code(r) == 1, r.err);
    const auto lines = lines_of(r.err);
    BOOST_TEST(lines.size() >= 2u, r.err);
    const std::regex shape(
        "^" + std::regex_replace(path, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") +
        R"(:[0-9]+:[0-9]+: .+$)");
    for (const auto& line : lines)
        BOOST_TEST(std::regex_match(line, shape), line);
    BOOST_TEST(r.err.find(path + ":2:1: ") != std::string::npos, r.err);
    BOOST_TEST(r.err.find("listn") != std::string::npos, r.err);
    BOOST_TEST(r.err.find(path + ":4:") != std::string::npos, r.err);
    BOOST_TEST(r.err.find("job_timeout") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(check_config_accepts_the_shipped_file) {
    const std::string path = shipped_config();
    BOOST_REQUIRE_MESSAGE(path_exists(path), path);
    const CommandResult r = run_daemon_command({"--check-config", "--config", path});
    BOOST_TEST(exit_code(r) == 0, r.err);
    BOOST_TEST(r.out.find(": ok") != std::string::npos, r.out);
}

BOOST_AUTO_TEST_CASE(version_and_help) {
    const CommandResult v = run_daemon_command({"--version"});
    BOOST_TEST(exit_code(v) == 0);
    BOOST_TEST(std::regex_search(v.out, std::regex(R"(^claude-harnessd [0-9]+\.[0-9]+)")), v.out);
    const CommandResult h = run_daemon_command({"--help"});
    BOOST_TEST(exit_code(h) == 0);
    BOOST_TEST(h.out.find("Usage: claude-harnessd") != std::string::npos, h.out);
    BOOST_TEST(h.out.find("--check-config") != std::string::npos, h.out);
    const CommandResult bad = run_daemon_command({"--no-such-option"});
    BOOST_TEST(exit_code(bad) == 2);
    BOOST_TEST(bad.err.find("Usage:") != std::string::npos, bad.err);
}

BOOST_AUTO_TEST_CASE(non_loopback_without_keys_is_refused) {
    TempDir dir;
    const std::string path = dir.path() + "/config.toml";
    write_file(path, "[server]\nlisten = [\"0.0.0.0:0\"]\nstate_dir = " +
                         toml_string(dir.path() + "/state") + "\n[[providers]]\nname = \"p\"\n" +
                         "claude = " + toml_string(CH_FAKE_CLAUDE) +
                         "\n[[models]]\nid = \"m\"\ncli_model = \"sonnet\"\n");
    const CommandResult r = run_daemon_command({"--config", path});
    BOOST_TEST(exit_code(r) == 1, r.err);
    BOOST_TEST(r.err.find("refusing to listen on 0.0.0.0:0 without API keys") != std::string::npos,
               r.err);
    BOOST_TEST(r.err.find("api_keys_file") != std::string::npos, r.err);
    BOOST_TEST(!path_exists(dir.path() + "/state/jobs"), "it stopped before touching its state");

    const CommandResult check = run_daemon_command({"--check-config", "--config", path});
    BOOST_TEST(exit_code(check) == 1, check.err);
}

BOOST_AUTO_TEST_CASE(non_loopback_with_keys_starts) {
    Daemon d({.listen = "0.0.0.0:0", .api_keys = {"sk-remote"}});
    BOOST_TEST(d.log().find("listening on 0.0.0.0:" + std::to_string(d.port())) !=
               std::string::npos);
    BOOST_TEST(completion_text(
                   post_chat(d.port(), chat_body("hi"), {{"Authorization", "Bearer sk-remote"}})) ==
               "Hello from the fake.");
    check_error(post_chat(d.port(), chat_body("hi")), 401, "missing_api_key");
}

BOOST_AUTO_TEST_SUITE_END()
