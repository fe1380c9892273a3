// claude-harnessctl's framework: global options, verb dispatch, each verb's --help, exit
// statuses, and check-config.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <regex>

#include <nlohmann/json.hpp>

#include "ctl_helpers.h"
#include "daemon_fixture.h"

using namespace it;

namespace {

const char* const kVerbs[] = {"status",    "jobs",         "cancel", "reload", "test", "install",
                              "uninstall", "check-config", "doctor", "logs",   "usage"};
// Verbs that only act print no data, so they have no --json.
bool prints_data(const std::string& verb) {
    return verb != "cancel" && verb != "reload" && verb != "install" && verb != "uninstall";
}

std::string shipped_config() {
    namespace fs = std::filesystem;
    return (fs::path(__FILE__).parent_path().parent_path().parent_path() / "etc" / "config.toml")
        .string();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ctl)

BOOST_AUTO_TEST_CASE(help_lists_every_verb_and_the_exit_codes) {
    for (const char* flag : {"--help", "-h"}) {
        const auto r = run_ctl({flag});
        BOOST_TEST(r.exit_code() == 0);
        BOOST_TEST(r.out.starts_with("Usage: claude-harnessctl "), r.out);
        for (const char* verb : kVerbs)
            BOOST_TEST(
                std::regex_search(r.out, std::regex("\n  " + std::string(verb) + " .* [A-Z]")),
                verb);
        for (const char* code :
             {"  0  ok", "  1  failure", "  2  usage error", "  3  the daemon is not running",
              "  4  the daemon is running but not ready"})
            BOOST_TEST(r.out.find(code) != std::string::npos, code);
    }
}

BOOST_AUTO_TEST_CASE(version) {
    const auto r = run_ctl({"--version"});
    BOOST_TEST(r.exit_code() == 0);
    BOOST_TEST(std::regex_match(r.out, std::regex("claude-harnessctl [0-9]+\\.[0-9]+\\.[0-9]+\n")),
               r.out);
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2_on_stderr) {
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {}, {"no-such-verb"}, {"--no-such-option"}, {"check-config", "--bogus"}}) {
        const auto r = run_ctl(args);
        BOOST_TEST(r.exit_code() == 2, (args.empty() ? "" : args[0]));
        BOOST_TEST(r.out.empty(), r.out);
        BOOST_TEST(r.err.find("Usage: claude-harnessctl") != std::string::npos, r.err);
    }
    BOOST_TEST(run_ctl({"no-such-verb"})
                   .err.starts_with("claude-harnessctl: unknown verb 'no-such-verb'\n"));
}

BOOST_AUTO_TEST_CASE(every_verb_has_help) {
    for (const char* verb : kVerbs) {
        for (const char* flag : {"--help", "-h"}) {
            const auto r = run_ctl({verb, flag});
            BOOST_TEST(r.exit_code() == 0, verb);
            BOOST_TEST(r.out.starts_with("Usage: claude-harnessctl " + std::string(verb)), r.out);
            BOOST_TEST((r.out.find("--json") != std::string::npos) == prints_data(verb), verb);
        }
        const auto bad = run_ctl({verb, "--no-such-option"});
        BOOST_TEST(bad.exit_code() == 2, verb);
    }
}

BOOST_AUTO_TEST_CASE(check_config_accepts_the_shipped_file) {
    const auto r = run_ctl({"check-config", shipped_config()});
    BOOST_TEST(r.exit_code() == 0, r.err);
    BOOST_TEST(r.out == shipped_config() + ": ok\n");
}

BOOST_AUTO_TEST_CASE(check_config_reports_positions_on_stderr) {
    TempDir dir;
    const std::string path = dir.path() + "/bad.toml";
    write_file(path, "[server]\nlistn = 1\n[limits]\njob_timeout = \"soon\"\n");
    const auto r = run_ctl({"check-config", path});
    BOOST_TEST(r.exit_code() == 1);
    BOOST_TEST(r.out.empty());
    const auto lines = lines_of(r.err);
    BOOST_TEST(lines.size() >= 2u, r.err);
    for (const auto& line : lines)
        BOOST_TEST(line.starts_with(path + ":"), line);
    BOOST_TEST(r.err.find(path + ":2:1: unknown key 'listn'") != std::string::npos, r.err);
    BOOST_TEST(r.err.find(path + ":4:") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(check_config_json) {
    TempDir dir;
    const std::string path = dir.path() + "/bad.toml";
    write_file(path, "[server]\nlistn = 1\n");
    auto r = run_ctl({"check-config", "--json", path});
    BOOST_TEST(r.exit_code() == 1);
    auto doc = nlohmann::json::parse(r.out);
    BOOST_TEST(doc["path"] == path);
    BOOST_TEST(doc["valid"] == false);
    BOOST_TEST(doc["errors"].size() == 2u);
    BOOST_TEST(doc["errors"][1] == path + ":2:1: unknown key 'listn' in [server]");
    BOOST_TEST(r.err.empty(), r.err);

    r = run_ctl({"check-config", shipped_config(), "--json"});
    BOOST_TEST(r.exit_code() == 0);
    doc = nlohmann::json::parse(r.out);
    BOOST_TEST(doc == nlohmann::json({{"path", shipped_config()},
                                      {"valid", true},
                                      {"errors", nlohmann::json::array()}}));

    r = run_ctl({"check-config", "--json", dir.path() + "/missing.toml"});
    BOOST_TEST(r.exit_code() == 1);
    BOOST_TEST(nlohmann::json::parse(r.out)["errors"][0] ==
               dir.path() + "/missing.toml: cannot read: No such file or directory");
}

BOOST_AUTO_TEST_CASE(check_config_takes_one_path) {
    const auto r = run_ctl({"check-config", "a.toml", "b.toml"});
    BOOST_TEST(r.exit_code() == 2);
    BOOST_TEST(r.err.starts_with("claude-harnessctl check-config: unexpected argument 'b.toml'"),
               r.err);
}

BOOST_AUTO_TEST_SUITE_END()
