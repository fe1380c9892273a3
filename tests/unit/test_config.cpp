// Good configuration files, the shipped one, listen addresses and reading files.
#include <boost/test/unit_test.hpp>

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "common/config.h"

using Errors = std::vector<std::string>;

namespace {

// The smallest valid file: one model, everything else defaulted.
const std::string kModel = "[[models]]\nid = \"m\"\ncli_model = \"sonnet\"\n";

// Sets or unsets an environment variable for one test and restores it afterwards.
class ScopedEnv {
  public:
    ScopedEnv(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value != nullptr) {
            ::setenv(name, value, 1);
        } else {
            ::unsetenv(name);
        }
    }
    ~ScopedEnv() {
        if (old_) {
            ::setenv(name_, old_->c_str(), 1);
        } else {
            ::unsetenv(name_);
        }
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

  private:
    const char* name_;
    std::optional<std::string> old_;
};

// A file that removes itself, for the tests of load_config_file.
class TempFile {
  public:
    explicit TempFile(const std::string& text) {
        char name[] = "/tmp/ch-test-config-XXXXXX";
        const int fd = ::mkstemp(name);
        BOOST_REQUIRE(fd >= 0);
        ::close(fd);
        path_ = name;
        std::ofstream(path_) << text;
    }
    ~TempFile() { ::unlink(path_.c_str()); }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(config_good)

BOOST_AUTO_TEST_CASE(shipped_config_loads_with_the_defaults) {
    const ScopedEnv env("STATE_DIRECTORY", nullptr);
    // Normalized, because the kernel resolves ".." only through directories that exist.
    const std::string path =
        std::filesystem::path(CH_TEST_DATA_DIR "/../../etc/config.toml").lexically_normal();
    const ch::ConfigLoad load = ch::load_config_file(path);
    BOOST_TEST(load.errors == Errors{}, boost::test_tools::per_element());
    const ch::Config& c = load.config;
    BOOST_TEST(c.path == path);

    BOOST_TEST_REQUIRE(c.server.listen.size() == 1u);
    BOOST_TEST(c.server.listen[0].host == "127.0.0.1");
    BOOST_TEST(c.server.listen[0].port == 8013);
    BOOST_TEST(c.server.listen[0].text == "127.0.0.1:8013");
    BOOST_TEST(c.server.api_keys_file == "");
    BOOST_TEST(c.server.state_dir == "/var/lib/claude-harness");
    // The file documents the defaults; it must not drift from the ones in config.h.
    const ch::ServerConfig server;
    BOOST_TEST(c.server.max_body_bytes == server.max_body_bytes);
    BOOST_TEST(c.server.keepalive_interval.count() == server.keepalive_interval.count());
    const ch::LimitsConfig limits;
    BOOST_TEST(c.limits.max_concurrent_jobs == limits.max_concurrent_jobs);
    BOOST_TEST(c.limits.max_queued_jobs == limits.max_queued_jobs);
    BOOST_TEST(c.limits.queue_timeout.count() == limits.queue_timeout.count());
    BOOST_TEST(c.limits.job_timeout.count() == limits.job_timeout.count());
    BOOST_TEST(c.limits.idle_timeout.count() == limits.idle_timeout.count());
    BOOST_TEST(c.limits.shutdown_grace.count() == limits.shutdown_grace.count());
    BOOST_TEST(c.limits.usage_limit_retry_after.count() == limits.usage_limit_retry_after.count());
    BOOST_TEST(c.limits.cli_max_retries == limits.cli_max_retries);

    BOOST_TEST_REQUIRE(c.providers.size() == 1u);
    BOOST_TEST(c.providers[0].name == "default");
    BOOST_TEST(c.providers[0].user == "claude-harness");
    BOOST_TEST(c.providers[0].claude == "claude");
    BOOST_TEST(c.providers[0].env.empty());
    BOOST_TEST(c.providers[0].warm_pool == ch::ProviderConfig{}.warm_pool);

    BOOST_TEST_REQUIRE(c.models.size() == 3u);
    const char* expected[][3] = {{"claude-sonnet", "sonnet", "sonnet"},
                                 {"claude-opus", "opus", "opus"},
                                 {"claude-haiku", "haiku", "haiku"}};
    for (std::size_t i = 0; i < 3; ++i) {
        BOOST_TEST(c.models[i].id == expected[i][0]);
        BOOST_TEST(c.models[i].aliases == Errors{expected[i][1]}, boost::test_tools::per_element());
        BOOST_TEST(c.models[i].cli_model == expected[i][2]);
        BOOST_TEST(c.models[i].providers == Errors{"default"}, boost::test_tools::per_element());
        BOOST_TEST(!c.models[i].has_system_prompt);
    }
}

BOOST_AUTO_TEST_CASE(minimal_file_gets_defaults_and_the_default_provider) {
    const ScopedEnv env("STATE_DIRECTORY", nullptr);
    const ch::ConfigLoad load = ch::load_config_string(kModel, "t.toml");
    BOOST_TEST(load.ok());
    BOOST_TEST(load.config.path == "t.toml");
    BOOST_TEST_REQUIRE(load.config.server.listen.size() == 1u);
    BOOST_TEST(load.config.server.listen[0].text == "127.0.0.1:8013");
    BOOST_TEST(load.config.server.state_dir == "/var/lib/claude-harness");
    BOOST_TEST(load.config.limits.max_concurrent_jobs == 4);
    BOOST_TEST_REQUIRE(load.config.providers.size() == 1u);
    BOOST_TEST(load.config.providers[0].name == "default");
    BOOST_TEST(load.config.providers[0].user == "");
    BOOST_TEST(load.config.providers[0].claude == "claude");
    BOOST_TEST(load.config.providers[0].warm_pool == 1);
    BOOST_TEST_REQUIRE(load.config.models.size() == 1u);
    BOOST_TEST(load.config.models[0].providers == Errors{"default"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(every_key_set_to_something_else) {
    const std::string text = R"(
[server]
listen = ["[::1]:0", "0.0.0.0:8080", "localhost:65535"]
api_keys_file = "/etc/claude-harness/api-keys"
state_dir = "/srv/harness"
max_body_bytes = 1024
keepalive_interval = "250ms"

[limits]
max_concurrent_jobs = 1
max_queued_jobs = 0
queue_timeout = "30s"
job_timeout = "1h"
idle_timeout = "90s"
shutdown_grace = "0"
usage_limit_retry_after = "1d"
cli_max_retries = 15

[[providers]]
name = "alice"
user = "alice"
claude = "/opt/claude/bin/claude"
env = { HTTPS_PROXY = "http://proxy:3128", _X1 = "" }
warm_pool = 0

[[providers]]
name = "bob.work-2"
warm_pool = 16

[providers.env]
ANTHROPIC_BASE_URL = "http://gateway"

[[models]]
id = "sonnet-alice"
aliases = ["s", "sa"]
cli_model = "sonnet"
provider = "alice"
system_prompt = "Be brief."

[[models]]
id = "opus-bob"
cli_model = "claude-opus-4-1"
provider = "bob.work-2"
system_prompt = ""
)";
    const ch::ConfigLoad load = ch::load_config_string(text, "t.toml");
    BOOST_TEST(load.errors == Errors{}, boost::test_tools::per_element());
    const ch::Config& c = load.config;

    BOOST_TEST_REQUIRE(c.server.listen.size() == 3u);
    BOOST_TEST(c.server.listen[0].host == "::1");
    BOOST_TEST(c.server.listen[0].port == 0);
    BOOST_TEST(c.server.listen[0].text == "[::1]:0");
    BOOST_TEST(c.server.listen[1].host == "0.0.0.0");
    BOOST_TEST(c.server.listen[1].port == 8080);
    BOOST_TEST(c.server.listen[2].host == "localhost");
    BOOST_TEST(c.server.listen[2].port == 65535);
    BOOST_TEST(c.server.api_keys_file == "/etc/claude-harness/api-keys");
    BOOST_TEST(c.server.state_dir == "/srv/harness");
    BOOST_TEST(c.server.max_body_bytes == 1024u);
    BOOST_TEST(c.server.keepalive_interval.count() == 250);

    BOOST_TEST(c.limits.max_concurrent_jobs == 1);
    BOOST_TEST(c.limits.max_queued_jobs == 0);
    BOOST_TEST(c.limits.queue_timeout.count() == 30000);
    BOOST_TEST(c.limits.job_timeout.count() == 3600000);
    BOOST_TEST(c.limits.idle_timeout.count() == 90000);
    BOOST_TEST(c.limits.shutdown_grace.count() == 0);
    BOOST_TEST(c.limits.usage_limit_retry_after.count() == 86400000);
    BOOST_TEST(c.limits.cli_max_retries == 15);

    BOOST_TEST_REQUIRE(c.providers.size() == 2u);
    BOOST_TEST(c.providers[0].name == "alice");
    BOOST_TEST(c.providers[0].user == "alice");
    BOOST_TEST(c.providers[0].claude == "/opt/claude/bin/claude");
    BOOST_TEST(c.providers[0].env.size() == 2u);
    BOOST_TEST(c.providers[0].env.at("HTTPS_PROXY") == "http://proxy:3128");
    BOOST_TEST(c.providers[0].env.at("_X1") == "");
    BOOST_TEST(c.providers[0].warm_pool == 0);
    BOOST_TEST(c.providers[1].warm_pool == 16);
    BOOST_TEST(c.providers[1].name == "bob.work-2");
    BOOST_TEST(c.providers[1].user == "");
    BOOST_TEST(c.providers[1].claude == "claude");
    BOOST_TEST(c.providers[1].env.at("ANTHROPIC_BASE_URL") == "http://gateway");

    BOOST_TEST_REQUIRE(c.models.size() == 2u);
    BOOST_TEST(c.models[0].aliases == (Errors{"s", "sa"}), boost::test_tools::per_element());
    BOOST_TEST(c.models[0].providers == Errors{"alice"}, boost::test_tools::per_element());
    BOOST_TEST(c.models[0].has_system_prompt);
    BOOST_TEST(c.models[0].system_prompt == "Be brief.");
    BOOST_TEST(c.models[1].cli_model == "claude-opus-4-1");
    BOOST_TEST(c.models[1].providers == Errors{"bob.work-2"}, boost::test_tools::per_element());
    BOOST_TEST(c.models[1].has_system_prompt);  // "" on purpose: no system prompt at all
    BOOST_TEST(c.models[1].system_prompt == "");

    BOOST_TEST(c.find_model("opus-bob") == &c.models[1]);
    BOOST_TEST(c.find_model("sa") == &c.models[0]);
    BOOST_TEST(c.find_model("SA") == nullptr);
    BOOST_TEST(c.find_model("sonnet") == nullptr);  // a cli_model is not a name
    BOOST_TEST(c.find_provider("bob.work-2") == &c.providers[1]);
    BOOST_TEST(c.find_provider("carol") == nullptr);
}

BOOST_AUTO_TEST_CASE(state_dir_defaults_to_the_first_state_directory) {
    {
        const ScopedEnv env("STATE_DIRECTORY", "/var/lib/claude-harness-test:/var/lib/other");
        BOOST_TEST(ch::load_config_string(kModel, "t.toml").config.server.state_dir ==
                   "/var/lib/claude-harness-test");
    }
    {
        const ScopedEnv env("STATE_DIRECTORY", "/run/state");
        BOOST_TEST(ch::default_state_dir() == "/run/state");
        // An explicit state_dir wins over the environment.
        const auto load = ch::load_config_string("[server]\nstate_dir = \"/x\"\n" + kModel, "t");
        BOOST_TEST(load.config.server.state_dir == "/x");
    }
    {
        const ScopedEnv env("STATE_DIRECTORY", "");
        BOOST_TEST(ch::default_state_dir() == "/var/lib/claude-harness");
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(config_listen)

BOOST_AUTO_TEST_CASE(parses_host_and_port) {
    const auto v4 = ch::parse_listen_address("10.1.2.3:80");
    BOOST_TEST_REQUIRE(v4.has_value());
    BOOST_TEST(v4->host == "10.1.2.3");
    BOOST_TEST(v4->port == 80);
    const auto v6 = ch::parse_listen_address("[fe80::1:2]:443");
    BOOST_TEST_REQUIRE(v6.has_value());
    BOOST_TEST(v6->host == "fe80::1:2");
    BOOST_TEST(v6->port == 443);
    BOOST_TEST(v6->text == "[fe80::1:2]:443");
    const auto name = ch::parse_listen_address("my-host.example:0");
    BOOST_TEST_REQUIRE(name.has_value());
    BOOST_TEST(name->host == "my-host.example");
    BOOST_TEST(name->port == 0);
}

BOOST_AUTO_TEST_CASE(rejects_malformed_addresses) {
    for (const char* text : {"",
                             "localhost",
                             "127.0.0.1",
                             "127.0.0.1:",
                             ":8013",
                             "::1:8013",
                             "[::1]8013",
                             "[::1]:",
                             "[::1",
                             "[]:80",
                             "[::g]:80",
                             "[127.0.0.1]:80",
                             "127.0.0.1:65536",
                             "127.0.0.1:-1",
                             "127.0.0.1:+80",
                             "127.0.0.1:80a",
                             "127.0.0.1:123456",
                             "999.0.0.1:80",
                             "1.2.3:80",
                             "host name:80",
                             "-host:80",
                             "127.0.0.1 :80"}) {
        BOOST_TEST(!ch::parse_listen_address(text).has_value(), "accepted \"" << text << "\"");
    }
}

BOOST_AUTO_TEST_CASE(knows_loopback_addresses) {
    const auto loopback = [](const char* host) {
        return ch::ListenAddress{host, 1, ""}.is_loopback();
    };
    BOOST_TEST(loopback("127.0.0.1"));
    BOOST_TEST(loopback("127.255.3.4"));
    BOOST_TEST(loopback("::1"));
    BOOST_TEST(loopback("0:0::1"));
    BOOST_TEST(loopback("::ffff:127.0.0.1"));
    BOOST_TEST(loopback("localhost"));
    BOOST_TEST(loopback("LocalHost"));
    BOOST_TEST(!loopback("0.0.0.0"));
    BOOST_TEST(!loopback("128.0.0.1"));
    BOOST_TEST(!loopback("10.127.0.1"));
    BOOST_TEST(!loopback("::"));
    BOOST_TEST(!loopback("::2"));
    BOOST_TEST(!loopback("::ffff:10.0.0.1"));
    BOOST_TEST(!loopback("192.168.1.1"));
    BOOST_TEST(!loopback("localhost.example.com"));
    BOOST_TEST(!loopback(""));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(config_file)

BOOST_AUTO_TEST_CASE(load_config_file_reads_a_file) {
    const TempFile file("[limits]\nmax_concurrent_jobs = 7\n" + kModel);
    const ch::ConfigLoad load = ch::load_config_file(file.path());
    BOOST_TEST(load.ok());
    BOOST_TEST(load.config.limits.max_concurrent_jobs == 7);
}

BOOST_AUTO_TEST_CASE(unreadable_files) {
    BOOST_TEST(ch::load_config_file("/nonexistent/config.toml").errors ==
                   Errors{"/nonexistent/config.toml: cannot read: No such file or directory"},
               boost::test_tools::per_element());
    BOOST_TEST(ch::load_config_file("/").errors == Errors{"/: cannot read: Is a directory"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(file_errors_name_the_path) {
    const TempFile file("[limits]\nmax_concurrent_jobs = 0\n" + kModel);
    BOOST_TEST(ch::load_config_file(file.path()).errors ==
                   Errors{file.path() +
                          ":2:23: 'max_concurrent_jobs' in [limits] must be at least 1, not 0"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
