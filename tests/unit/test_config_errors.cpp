// Bad configuration files: each asserts the exact "name:line:column: message" text.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "common/config.h"

using Errors = std::vector<std::string>;

namespace {

// The smallest valid file: one model, everything else defaulted.
const std::string kModel = "[[models]]\nid = \"m\"\ncli_model = \"sonnet\"\n";

Errors errors_of(const std::string& text) {
    return ch::load_config_string(text, "t.toml").errors;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(config_bad)

BOOST_AUTO_TEST_CASE(syntax_errors) {
    BOOST_TEST(errors_of("[server\n" + kModel) ==
                   Errors{"t.toml:1:8: Error while parsing table header: expected ']', saw '\\n'"},
               boost::test_tools::per_element());
    BOOST_TEST(errors_of(kModel + "cli_model = \"again\"\n") ==
                   Errors{"t.toml:4:13: Error while parsing key-value pair: "
                          "cannot redefine existing string 'cli_model'"},
               boost::test_tools::per_element());
    BOOST_TEST(errors_of("\xff") == Errors{"t.toml:1:1: Encountered invalid utf-8 sequence"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(unknown_keys) {
    const std::string text =
        "colour = 1\n"
        "[server]\nlistn = [\"127.0.0.1:1\"]\n"
        "[limits]\njob_timout = \"1m\"\n"
        "[[providers]]\nname = \"p\"\nenvironment = {}\n"
        "[[models]]\nid = \"m\"\ncli_model = \"x\"\nalias = [\"y\"]\n";
    BOOST_TEST(errors_of(text) == (Errors{"t.toml:1:1: unknown key 'colour' at the top level",
                                          "t.toml:3:1: unknown key 'listn' in [server]",
                                          "t.toml:5:1: unknown key 'job_timout' in [limits]",
                                          "t.toml:8:1: unknown key 'environment' in [[providers]]",
                                          "t.toml:12:1: unknown key 'alias' in [[models]]"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(unknown_sub_table) {
    BOOST_TEST(errors_of("[server.tls]\ncert = \"x\"\n" + kModel) ==
                   Errors{"t.toml:1:9: unknown key 'tls' in [server]"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(wrong_types) {
    const std::string text =
        "[server]\n"
        "listen = \"127.0.0.1:8013\"\n"
        "api_keys_file = false\n"
        "max_body_bytes = 1.5\n"
        "keepalive_interval = 15\n"
        "[limits]\n"
        "max_concurrent_jobs = \"4\"\n"
        "job_timeout = 1979-05-27\n"
        "[[providers]]\n"
        "name = 1\n"
        "env = [\"A=b\"]\n"
        "[[models]]\n"
        "id = \"m\"\n"
        "aliases = \"mm\"\n"
        "cli_model = [\"x\"]\n"
        "system_prompt = { text = \"x\" }\n";
    BOOST_TEST(
        errors_of(text) ==
            (Errors{
                "t.toml:2:10: 'listen' in [server] must be an array of strings, not a string",
                "t.toml:3:17: 'api_keys_file' in [server] must be a string, not a boolean",
                "t.toml:4:18: 'max_body_bytes' in [server] must be an integer, "
                "not a floating-point number",
                "t.toml:5:22: 'keepalive_interval' in [server] must be a duration string such "
                "as \"15s\", not an integer",
                "t.toml:7:23: 'max_concurrent_jobs' in [limits] must be an integer, not a string",
                "t.toml:8:15: 'job_timeout' in [limits] must be a duration string such as "
                "\"10m\", not a date",
                "t.toml:10:8: 'name' in [[providers]] must be a string, not an integer",
                "t.toml:11:7: 'env' in [[providers]] must be a table of strings, not an array",
                "t.toml:14:11: 'aliases' in [[models]] must be an array of strings, not a string",
                "t.toml:15:13: 'cli_model' in [[models]] must be a string, not an array",
                "t.toml:16:17: 'system_prompt' in [[models]] must be a string, not a table"}),
        boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(wrong_types_of_sections_and_elements) {
    const std::string text =
        "server = 5\n"
        "limits = [1]\n"
        "[providers]\nname = \"p\"\n"
        "[[models]]\nid = \"m\"\ncli_model = \"x\"\naliases = [\"a\", 2]\n";
    BOOST_TEST(errors_of(text) ==
                   (Errors{"t.toml:1:10: 'server' must be a table ([server]), not an integer",
                           "t.toml:2:10: 'limits' must be a table ([limits]), not an array",
                           "t.toml:3:1: 'providers' must be an array of tables ([[providers]]), "
                           "not a table",
                           "t.toml:8:17: 'aliases' in [[models]] must contain only strings, "
                           "not an integer"}),
               boost::test_tools::per_element());
    BOOST_TEST(errors_of("models = [\"m\"]\n") ==
                   Errors{"t.toml:1:11: each element of 'models' must be a table, not a string"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(bad_durations) {
    const std::string text =
        "[server]\nkeepalive_interval = \"0\"\n"
        "[limits]\n"
        "queue_timeout = \"5\"\n"
        "job_timeout = \"1.5h\"\n"
        "idle_timeout = \"5 m\"\n"
        "shutdown_grace = \"-1s\"\n"
        "usage_limit_retry_after = \"\"\n" +
        kModel;
    const std::string expected = " (expected an integer and a unit: ms, s, m, h or d, as in ";
    BOOST_TEST(errors_of(text) ==
                   (Errors{"t.toml:2:22: 'keepalive_interval' in [server] must be greater than 0",
                           "t.toml:4:17: invalid duration \"5\" for 'queue_timeout' in [limits]" +
                               expected + "\"2m\")",
                           "t.toml:5:15: invalid duration \"1.5h\" for 'job_timeout' in [limits]" +
                               expected + "\"10m\")",
                           "t.toml:6:16: invalid duration \"5 m\" for 'idle_timeout' in [limits]" +
                               expected + "\"5m\")",
                           "t.toml:7:18: invalid duration \"-1s\" for 'shutdown_grace' in "
                           "[limits]" +
                               expected + "\"10s\")",
                           "t.toml:8:27: invalid duration \"\" for 'usage_limit_retry_after' in "
                           "[limits]" +
                               expected + "\"1h\")"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(out_of_range_numbers) {
    const std::string text =
        "[server]\nmax_body_bytes = 0\n"
        "[limits]\n"
        "max_concurrent_jobs = 2147483648\n"
        "max_queued_jobs = -1\n"
        "cli_max_retries = 16\n" +
        kModel;
    BOOST_TEST(
        errors_of(text) ==
            (Errors{"t.toml:2:18: 'max_body_bytes' in [server] must be at least 1, not 0",
                    "t.toml:4:23: 'max_concurrent_jobs' in [limits] must be at least 1, "
                    "not 2147483648",
                    "t.toml:5:19: 'max_queued_jobs' in [limits] must be at least 0, not -1",
                    "t.toml:6:19: 'cli_max_retries' in [limits] must be between 0 and 15, not 16"}),
        boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(bad_listen_addresses) {
    const std::string text =
        "[server]\nlisten = [\"localhost\", \"::1:8013\", \"127.0.0.1:8013\", "
        "\"127.0.0.1:8013\"]\n" +
        kModel;
    const std::string expected =
        "\" in [server] (expected host:port as in \"127.0.0.1:8013\", an IPv6 host in brackets "
        "as in \"[::1]:8013\", and a port from 0 to 65535)";
    BOOST_TEST(errors_of(text) ==
                   (Errors{"t.toml:2:11: invalid listen address \"localhost" + expected,
                           "t.toml:2:24: invalid listen address \"::1:8013" + expected,
                           "t.toml:2:54: duplicate listen address \"127.0.0.1:8013\" in [server]"}),
               boost::test_tools::per_element());
    // The same address spelt differently is still the same; port 0 is a new port each time.
    BOOST_TEST(errors_of("[server]\nlisten = [\"[::1]:0\", \"[::1]:0\", \"[::1]:80\", "
                         "\"[0:0::1]:080\"]\n" +
                         kModel) ==
                   Errors{"t.toml:2:45: duplicate listen address \"[0:0::1]:080\" in [server]"},
               boost::test_tools::per_element());
    BOOST_TEST(errors_of("[server]\nlisten = []\n" + kModel) ==
                   Errors{"t.toml:2:10: 'listen' in [server] must not be empty"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(duplicate_model_names) {
    const std::string text =
        "[[models]]\nid = \"a\"\naliases = [\"x\", \"a\"]\ncli_model = \"c\"\n"
        "[[models]]\nid = \"a\"\ncli_model = \"c\"\n"
        "[[models]]\nid = \"b\"\naliases = [\"x\"]\ncli_model = \"c\"\n";
    BOOST_TEST(errors_of(text) ==
                   (Errors{"t.toml:3:17: duplicate model name 'a' (already used by this model)",
                           "t.toml:6:6: duplicate model name 'a' (already used by model 'a')",
                           "t.toml:10:12: duplicate model name 'x' (already used by model 'a')"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(models_and_providers) {
    const std::string text =
        "[[providers]]\nname = \"p\"\n"
        "[[providers]]\nname = \"q\"\n"
        "[[models]]\nid = \"m\"\ncli_model = \"c\"\nprovider = \"r\"\n"
        "[[models]]\nid = \"n\"\ncli_model = \"c\"\n"
        "[[models]]\nid = \"o\"\ncli_model = \"c\"\nprovider = \"q\"\n";
    const ch::ConfigLoad load = ch::load_config_string(text, "t.toml");
    BOOST_TEST(load.errors == (Errors{"t.toml:8:12: unknown provider 'r' in [[models]]",
                                      "t.toml:9:1: missing required key 'provider' in [[models]] "
                                      "(it may be left out only when there is one provider)"}),
               boost::test_tools::per_element());
    BOOST_TEST_REQUIRE(load.config.models.size() == 3u);
    BOOST_TEST(load.config.models[2].providers == Errors{"q"}, boost::test_tools::per_element());
    // The default provider exists only when the file has no [[providers]].
    BOOST_TEST(errors_of("[[providers]]\nname = \"p\"\n"
                         "[[models]]\nid = \"m\"\ncli_model = \"c\"\nprovider = \"default\"\n") ==
                   Errors{"t.toml:6:12: unknown provider 'default' in [[models]]"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(bad_providers) {
    const std::string text =
        "[[providers]]\nname = \"a b\"\nclaude = \"\"\n"
        "env = { \"X-Y\" = \"1\", OK = \"v\", N = 2, 9A = \"x\" }\n"
        "[[providers]]\nname = \"b\"\n"
        "[[providers]]\nname = \"b\"\n"
        "[[providers]]\nname = \"\"\n" +
        kModel + "provider = \"b\"\n";
    BOOST_TEST(errors_of(text) ==
                   (Errors{"t.toml:2:8: invalid provider name 'a b' "
                           "(expected letters, digits, '_', '.' or '-')",
                           "t.toml:3:10: 'claude' in [[providers]] must not be empty",
                           "t.toml:4:9: invalid environment variable name 'X-Y' in 'env' "
                           "(expected [A-Za-z_][A-Za-z0-9_]*)",
                           "t.toml:4:36: 'env.N' in [[providers]] must be a string, not an integer",
                           "t.toml:4:39: invalid environment variable name '9A' in 'env' "
                           "(expected [A-Za-z_][A-Za-z0-9_]*)",
                           "t.toml:8:8: duplicate provider name 'b'",
                           "t.toml:10:8: 'name' in [[providers]] must not be empty"}),
               boost::test_tools::per_element());
    BOOST_TEST(errors_of("[[providers]]\nname = \"p\"\nwarm_pool = 17\n"
                         "[[providers]]\nname = \"q\"\nwarm_pool = -1\n"
                         "[[providers]]\nname = \"r\"\nwarm_pool = \"2\"\n" +
                         kModel + "provider = \"p\"\n") ==
                   (Errors{"t.toml:3:13: 'warm_pool' in [[providers]] must be between 0 and 16, "
                           "not 17",
                           "t.toml:6:13: 'warm_pool' in [[providers]] must be between 0 and 16, "
                           "not -1",
                           "t.toml:9:13: 'warm_pool' in [[providers]] must be an integer, not a "
                           "string"}),
               boost::test_tools::per_element());
    BOOST_TEST(errors_of("providers = []\n" + kModel) ==
                   Errors{"t.toml:1:13: at least one [[providers]] is required"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(missing_required_keys) {
    const std::string text =
        "[[providers]]\nuser = \"u\"\n"
        "[[models]]\naliases = [\"a\"]\n"
        "[[models]]\nid = \"m\"\n"
        "[[models]]\nid = \"n\"\ncli_model = \"\"\n";
    BOOST_TEST(
        errors_of(text) == (Errors{"t.toml:1:1: missing required key 'name' in [[providers]]",
                                   "t.toml:3:1: missing required key 'id' in [[models]]",
                                   "t.toml:3:1: missing required key 'cli_model' in [[models]]",
                                   "t.toml:5:1: missing required key 'cli_model' in [[models]]",
                                   "t.toml:9:13: 'cli_model' in [[models]] must not be empty"}),
        boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(models_are_required) {
    BOOST_TEST(errors_of("") == Errors{"t.toml:1:1: at least one [[models]] is required"},
               boost::test_tools::per_element());
    BOOST_TEST(errors_of("[server]\n\nmodels = []\n") ==
                   (Errors{"t.toml:1:1: at least one [[models]] is required",
                           "t.toml:3:1: unknown key 'models' in [server]"}),
               boost::test_tools::per_element());
    BOOST_TEST(
        errors_of("models = []\n") == Errors{"t.toml:1:10: at least one [[models]] is required"},
        boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(several_errors_are_reported_in_file_order) {
    const std::string text =
        "[[models]]\nid = \"m\"\ncli_model = \"c\"\nprovider = \"nope\"\n"
        "[limits]\njob_timeout = \"forever\"\ncli_max_retries = 99\n"
        "[server]\nlisten = [\"nowhere\"]\nport = 8013\n";
    const Errors errors = errors_of(text);
    BOOST_TEST_REQUIRE(errors.size() == 5u);
    BOOST_TEST(errors[0] == "t.toml:4:12: unknown provider 'nope' in [[models]]");
    BOOST_TEST(
        errors[1].starts_with("t.toml:6:15: invalid duration \"forever\" for 'job_timeout'"));
    BOOST_TEST(errors[2] ==
               "t.toml:7:19: 'cli_max_retries' in [limits] must be between 0 and 15, "
               "not 99");
    BOOST_TEST(errors[3].starts_with("t.toml:9:11: invalid listen address \"nowhere\""));
    BOOST_TEST(errors[4] == "t.toml:10:1: unknown key 'port' in [server]");
}

BOOST_AUTO_TEST_CASE(never_throws) {
    for (const std::string& text :
         {std::string("\0\0\0", 3), std::string("[[[["), std::string("a = \"\\u00\""),
          std::string("\xef\xbb\xbf") + kModel, std::string(1000, '['),
          std::string("models = [[[]]]\n"), std::string("[models]\n[[models]]\n")}) {
        BOOST_CHECK_NO_THROW(ch::load_config_string(text, "t.toml"));
    }
    BOOST_TEST(!ch::load_config_string("models = [[[]]]\n", "t.toml").ok());
}

BOOST_AUTO_TEST_CASE(provider_pool_keys) {
    const std::string providers =
        "[[providers]]\nname = \"a\"\nmax_concurrent = 2\n"
        "[[providers]]\nname = \"b\"\ntoken_file = \"b.token\"\n";
    const auto load = ch::load_config_string(
        providers +
            "[[models]]\nid = \"m\"\ncli_model = \"x\"\nproviders = [\"b\", \"a\"]\n"
            "strategy = \"least-loaded\"\nrequests_per_minute = 5\ntokens_per_minute = 900\n"
            "[limits]\nmax_queued_per_client = 3\nclient_requests_per_minute = 7\n"
            "auth_failure_limit = 2\n[clients.\"key@2\"]\ntokens_per_minute = 1000\n"
            "[server]\nlogin_warning_days = 14\n",
        "t.toml");
    BOOST_TEST_REQUIRE(load.ok(), (load.errors.empty() ? std::string() : load.errors.front()));
    const auto& c = load.config;
    BOOST_TEST(c.providers[0].max_concurrent == 2);
    BOOST_TEST(c.providers[1].token_file == "b.token");
    BOOST_TEST(c.models[0].providers == (Errors{"b", "a"}), boost::test_tools::per_element());
    BOOST_TEST(c.models[0].strategy == "least-loaded");
    BOOST_TEST(c.models[0].requests_per_minute == 5);
    BOOST_TEST(c.models[0].tokens_per_minute == 900);
    BOOST_TEST(c.limits.auth_failure_limit == 2);
    BOOST_TEST(c.server.login_warning_days == 14);
    // A client's own table starts from the [limits] defaults.
    const auto& own = c.limits.for_client("key@2");
    BOOST_TEST(own.max_queued == 3);
    BOOST_TEST(own.requests_per_minute == 7);
    BOOST_TEST(own.tokens_per_minute == 1000);
    BOOST_TEST(c.limits.for_client("key@9").tokens_per_minute == 0);

    const std::string model = "[[models]]\nid = \"m\"\ncli_model = \"x\"\n";
    BOOST_TEST(errors_of(providers + model + "provider = \"a\"\nproviders = [\"a\"]\n") ==
                   (Errors{"t.toml:11:13: 'providers' in [[models]] and 'provider' both name "
                           "providers: keep one"}),
               boost::test_tools::per_element());
    BOOST_TEST(errors_of(providers + model + "providers = [\"a\", \"c\", \"a\"]\n") ==
                   (Errors{"t.toml:10:19: unknown provider 'c' in [[models]]",
                           "t.toml:10:24: provider 'a' is named twice in [[models]]"}),
               boost::test_tools::per_element());
    BOOST_TEST(errors_of(providers + model + "providers = []\n") ==
                   (Errors{"t.toml:10:13: 'providers' in [[models]] must not be empty"}),
               boost::test_tools::per_element());
    BOOST_TEST(errors_of(providers + model + "provider = \"a\"\nstrategy = \"random\"\n") ==
                   (Errors{"t.toml:11:12: 'strategy' in [[models]] must be \"priority\", "
                           "\"round-robin\" or \"least-loaded\", not \"random\""}),
               boost::test_tools::per_element());
    BOOST_TEST(errors_of(model + "[clients.x]\nmax_queue = 1\n[clients]\ny = 3\n").size() == 2u);
    BOOST_TEST(
        errors_of("[[providers]]\nname = \"a\"\ntoken_file = \"t\"\n"
                  "env = { CLAUDE_CODE_OAUTH_TOKEN = \"x\" }\n" +
                  model) == (Errors{"t.toml:3:14: 'token_file' in [[providers]] and "
                                    "env.CLAUDE_CODE_OAUTH_TOKEN both give the token: keep one"}),
        boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
