// config.d: fragments merged after the main file, in order, with problems reported in the
// file they are in.
#include <boost/test/unit_test.hpp>

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/config.h"

using Errors = std::vector<std::string>;

namespace {

// A temporary /etc/claude-harness lookalike: config.toml and config.d/.
struct ConfigDir {
    ConfigDir() {
        char templ[] = "/tmp/ch-confd-XXXXXX";
        BOOST_REQUIRE(mkdtemp(templ));
        dir = templ;
        std::filesystem::create_directory(dir + "/config.d");
    }
    ~ConfigDir() { std::filesystem::remove_all(dir); }
    void write(const std::string& name, const std::string& text) const {
        std::ofstream(dir + "/" + name) << text;
    }
    ch::ConfigLoad load() const { return ch::load_config_file(dir + "/config.toml"); }
    std::string dir;
};

const std::string kMain =
    "[server]\nlisten = [\"127.0.0.1:8013\"]\n[limits]\nmax_concurrent_jobs = 4\n"
    "[[providers]]\nname = \"default\"\nuser = \"\"\n"
    "[[models]]\nid = \"claude-sonnet\"\ncli_model = \"sonnet\"\n"
    "[[models]]\nid = \"claude-opus\"\ncli_model = \"opus\"\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(config_fragments)

BOOST_AUTO_TEST_CASE(fragments_merge_in_lexical_order) {
    ConfigDir d;
    d.write("config.toml", kMain);
    // Later files win; same-named entries replace, new ones are appended.
    d.write("config.d/50-provider.toml",
            "[limits]\nmax_concurrent_jobs = 2\n"
            "[[providers]]\nname = \"default\"\nuser = \"alice\"\nclaude = \"/opt/claude\"\n");
    d.write("config.d/60-models.toml",
            "[limits]\nmax_concurrent_jobs = 3\n"
            "[[models]]\nid = \"claude-opus\"\ncli_model = \"opus\"\naliases = [\"big\"]\n"
            "[[models]]\nid = \"claude-haiku\"\ncli_model = \"haiku\"\n");
    d.write("config.d/README", "not a fragment");
    const ch::ConfigLoad load = d.load();
    // The message operands are evaluated even when the check holds.
    BOOST_REQUIRE_MESSAGE(load.ok(), (load.errors.empty() ? std::string() : load.errors.front()));
    const ch::Config& c = load.config;
    BOOST_TEST(c.fragments == (Errors{d.dir + "/config.d/50-provider.toml",
                                      d.dir + "/config.d/60-models.toml"}),
               boost::test_tools::per_element());
    BOOST_TEST(c.limits.max_concurrent_jobs == 3);
    BOOST_TEST(c.server.listen.front().port == 8013, "untouched keys stay");
    BOOST_REQUIRE(c.providers.size() == 1u);
    BOOST_TEST(c.providers[0].user == "alice");
    BOOST_TEST(c.providers[0].claude == "/opt/claude");
    BOOST_REQUIRE(c.models.size() == 3u);
    BOOST_TEST(c.models[0].id == "claude-sonnet");
    BOOST_TEST(c.models[1].id == "claude-opus");
    BOOST_TEST(c.models[1].aliases == Errors{"big"}, boost::test_tools::per_element());
    BOOST_TEST(c.models[2].id == "claude-haiku");
}

BOOST_AUTO_TEST_CASE(problems_name_the_fragment_they_are_in) {
    ConfigDir d;
    d.write("config.toml", "bogus = 1\n" + kMain);
    d.write("config.d/10-a.toml", "[limits]\n\njob_timeout = \"soon\"\n");
    d.write("config.d/20-b.toml", "[server\n");
    // A syntax error stops before validation.
    BOOST_TEST(d.load().errors ==
                   Errors{d.dir + "/config.d/20-b.toml:1:8: Error while parsing table header: "
                                  "expected ']', saw '\\n'"},
               boost::test_tools::per_element());
    d.write("config.d/20-b.toml", "[server]\nmax_body_bytes = 0\n");
    const Errors errors = d.load().errors;
    BOOST_REQUIRE(errors.size() == 3u);
    BOOST_TEST(errors[0].rfind(d.dir + "/config.toml:1:1: unknown key 'bogus'", 0) == 0, errors[0]);
    BOOST_TEST(errors[1].rfind(d.dir + "/config.d/10-a.toml:3:15: invalid duration", 0) == 0,
               errors[1]);
    BOOST_TEST(errors[2].rfind(d.dir + "/config.d/20-b.toml:2:18: 'max_body_bytes'", 0) == 0,
               errors[2]);
}

BOOST_AUTO_TEST_CASE(an_unreadable_fragment_is_an_error) {
    ConfigDir d;
    d.write("config.toml", kMain);
    std::filesystem::create_directory(d.dir + "/config.d/broken.toml");  // a directory
    const Errors errors = d.load().errors;
    BOOST_REQUIRE(errors.size() == 1u);
    BOOST_TEST(errors[0].rfind(d.dir + "/config.d/broken.toml: cannot read: ", 0) == 0, errors[0]);
}

BOOST_AUTO_TEST_SUITE_END()
