// Agent mode: [models.agent] parsing and its errors, directory resolution within the allowed
// roots, and the CLI arguments of an agent run.
#include <boost/test/unit_test.hpp>

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "common/agent_dirs.h"
#include "common/config.h"
#include "daemon/agent_command.h"
#include "daemon/cli_command.h"

using Errors = std::vector<std::string>;

namespace {

// A temporary tree: <top>/root/{a,a/b}, <top>/outside, <top>/root/escape -> ../outside.
struct Tree {
    Tree() {
        char name[] = "/tmp/agent-config-XXXXXX";
        top = mkdtemp(name);
        top = std::filesystem::canonical(top).string();
        std::filesystem::create_directories(top + "/root/a/b");
        std::filesystem::create_directories(top + "/outside");
        std::filesystem::create_directory_symlink("../outside", top + "/root/escape");
        root = top + "/root";
    }
    ~Tree() { std::filesystem::remove_all(top); }
    std::string top;
    std::string root;
};

const std::string kModel = "[[models]]\nid = \"agent\"\ncli_model = \"sonnet\"\n";

Errors errors_of(const std::string& text) {
    return ch::load_config_string(text, "t.toml").errors;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(agent_config)

BOOST_AUTO_TEST_CASE(a_full_agent_table_is_read) {
    Tree t;
    const auto load = ch::load_config_string(
        kModel +
            "[models.agent]\ntools = [\"Read\", \"Bash\"]\npermission_mode = \"acceptEdits\"\n"
            "max_turns = 20\nmax_budget_usd = 2.5\nallowed_roots = [\"" +
            t.root + "/a/../\"]\ndefault_directory = \"" + t.root + "/a/b\"\n",
        "t.toml");
    BOOST_REQUIRE_MESSAGE(load.ok(), (load.ok() ? "" : load.errors.front()));
    const auto& agent = load.config.models.front().agent;
    BOOST_REQUIRE(agent.has_value());
    BOOST_TEST(agent->tools == (std::vector<std::string>{"Read", "Bash"}),
               boost::test_tools::per_element());
    BOOST_TEST(agent->permission_mode == "acceptEdits");
    BOOST_TEST(agent->max_turns == 20);
    BOOST_TEST(agent->max_budget_usd == 2.5);
    BOOST_TEST(agent->allowed_roots == std::vector<std::string>{t.root},
               boost::test_tools::per_element());
    BOOST_TEST(agent->default_directory == t.root + "/a/b");
}

BOOST_AUTO_TEST_CASE(a_model_without_the_table_has_no_agent_mode) {
    const auto load = ch::load_config_string(kModel, "t.toml");
    BOOST_REQUIRE(load.ok());
    BOOST_TEST(!load.config.models.front().agent.has_value());
}

BOOST_AUTO_TEST_CASE(bad_agent_tables_are_reported_with_their_position) {
    Tree t;
    const std::string text = kModel +
                             "[models.agent]\n"                            // 4
                             "tools = [\"Bash\", \"rm -rf\", \"Bash\"]\n"  // 5
                             "permission_mode = \"bypassPermissions\"\n"   // 6
                             "max_turns = 0\n"                             // 7
                             "max_budget_usd = -1\n"                       // 8
                             "allowed_roots = [\"relative\", \"" +
                             t.top + "/missing\", \"/\", \"" + t.root +
                             "\"]\n"  // 9
                             "default_directory = \"" +
                             t.root +
                             "/escape\"\n"    // 10
                             "colour = 1\n";  // 11
    const Errors errors = errors_of(text);
    const Errors expected{
        "t.toml:5:18: invalid tool name 'rm -rf' in [models.agent] (expected letters, digits or "
        "'_', as in \"Bash\")",
        "t.toml:5:28: tool 'Bash' is named twice in [models.agent]",
        "t.toml:6:19: 'permission_mode' in [models.agent] must be \"default\", \"acceptEdits\", "
        "\"plan\", \"dontAsk\" or \"auto\", not \"bypassPermissions\" (bypassPermissions would "
        "lift the CLI's guard on paths outside the job's directories)",
        "t.toml:7:13: 'max_turns' in [models.agent] must be at least 1, not 0",
        "t.toml:8:18: 'max_budget_usd' in [models.agent] must be greater than 0",
        "t.toml:9:18: allowed root 'relative' is not an absolute path",
        "t.toml:9:30: allowed root '" + t.top + "/missing': No such file or directory",
        "t.toml:" + std::to_string(9) + ":" + std::to_string(30 + t.top.size() + 12) +
            ": allowed root '/' would allow every directory",
        "t.toml:10:21: default_directory '" + t.root + "/escape' (resolved to '" + t.top +
            "/outside') is outside the allowed roots of this model: " + t.root,
        "t.toml:11:1: unknown key 'colour' in [models.agent]",
    };
    BOOST_TEST(errors == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(tools_and_roots_are_required) {
    BOOST_TEST(errors_of(kModel + "[models.agent]\n") ==
                   (Errors{"t.toml:4:1: missing required key 'tools' in [models.agent] (the CLI "
                           "tools this model may use, e.g. [\"Read\", \"Grep\"])",
                           "t.toml:4:1: missing required key 'allowed_roots' in [models.agent] "
                           "(the directories under which a job may work)"}),
               boost::test_tools::per_element());
    BOOST_TEST(errors_of(kModel + "agent = 1\n") ==
                   Errors{"t.toml:4:9: 'agent' in [[models]] must be a table ([models.agent]), "
                          "not an integer"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(directories_resolve_only_within_the_roots) {
    Tree t;
    const std::vector<std::string> roots{t.root};
    std::string error;
    BOOST_TEST(ch::resolve_in_roots(t.root, roots, "cwd", &error).value_or("") == t.root);
    BOOST_TEST(ch::resolve_in_roots(t.root + "/a/b/", roots, "cwd", &error).value_or("") ==
               t.root + "/a/b");
    BOOST_TEST(ch::resolve_in_roots(t.root + "/a/b/../..", roots, "cwd", &error).value_or("") ==
               t.root);

    BOOST_TEST(!ch::resolve_in_roots(t.root + "/..", roots, "cwd", &error));
    BOOST_TEST(error == "cwd '" + t.root + "/..' (resolved to '" + t.top +
                            "') is outside the allowed roots of this model: " + t.root);
    BOOST_TEST(!ch::resolve_in_roots(t.root + "/escape", roots, "cwd", &error));
    BOOST_TEST(error == "cwd '" + t.root + "/escape' (resolved to '" + t.top +
                            "/outside') is outside the allowed roots of this model: " + t.root);
    BOOST_TEST(!ch::resolve_in_roots(t.top + "/outside", roots, "cwd", &error));
    BOOST_TEST(error ==
               "cwd '" + t.top + "/outside' is outside the allowed roots of this model: " + t.root);
    // A sibling whose name starts with the root's is not inside it.
    std::filesystem::create_directory(t.root + "x");
    BOOST_TEST(!ch::resolve_in_roots(t.root + "x", roots, "cwd", &error));
    BOOST_TEST(!ch::resolve_in_roots("a/b", roots, "cwd", &error));
    BOOST_TEST(error == "cwd 'a/b' is not an absolute path");
    BOOST_TEST(!ch::resolve_in_roots(t.root + "/nope", roots, "cwd", &error));
    BOOST_TEST(error == "cwd '" + t.root + "/nope': No such file or directory");
}

BOOST_AUTO_TEST_CASE(agent_runs_get_tools_limits_and_directories) {
    ch::ModelConfig model;
    model.cli_model = "sonnet";
    ch::AgentConfig agent;
    agent.tools = {"Read", "Bash"};
    agent.permission_mode = "acceptEdits";
    agent.max_turns = 7;
    agent.max_budget_usd = 0.25;
    ch::AgentRun run{"/srv/p", {"/srv/q", "/srv/r"}};
    auto args = ch::cli_arguments("/usr/bin/claude", model);
    ch::add_agent_arguments(args, agent, run);
    const auto at = [&](const std::string& flag) {
        const auto it = std::find(args.begin(), args.end(), flag);
        return it == args.end() || std::next(it) == args.end() ? std::string("<absent>")
                                                               : *std::next(it);
    };
    BOOST_TEST(at("--tools") == "Read,Bash");
    BOOST_TEST(at("--allowedTools") == "Read,Bash");
    BOOST_TEST(at("--permission-mode") == "acceptEdits");
    BOOST_TEST(at("--max-turns") == "7");
    BOOST_TEST(at("--max-budget-usd") == "0.25");
    BOOST_TEST(std::count(args.begin(), args.end(), "--add-dir") == 2);
    BOOST_TEST(at("--add-dir") == "/srv/q");
    BOOST_TEST(std::count(args.begin(), args.end(), "--tools") == 1);
    // Host settings and MCP servers stay off.
    BOOST_TEST(at("--setting-sources") == "");
    BOOST_TEST(std::count(args.begin(), args.end(), "--strict-mcp-config") == 1);
    BOOST_TEST(std::count(args.begin(), args.end(), "--no-session-persistence") == 1);
}

BOOST_AUTO_TEST_CASE(unset_limits_are_left_to_the_cli) {
    ch::ModelConfig model;
    model.cli_model = "sonnet";
    ch::AgentConfig agent;
    agent.tools = {"Read"};
    auto args = ch::cli_arguments("/usr/bin/claude", model);
    ch::add_agent_arguments(args, agent, ch::AgentRun{"/srv/p", {}});
    for (const char* flag : {"--permission-mode", "--max-turns", "--max-budget-usd", "--add-dir"})
        BOOST_TEST(std::count(args.begin(), args.end(), flag) == 0, flag);
}

BOOST_AUTO_TEST_SUITE_END()
