// Reloading the configuration (SIGHUP or the bus's Reload()): all or nothing, errors with
// file:line:column, RELOADING=1 then READY=1 for systemd, and running jobs untouched.
#include <signal.h>

#include <future>

#include <boost/test/unit_test.hpp>

#include "bus_helpers.h"
#include "http_helpers.h"
#include "notify_socket.h"

using namespace it;

namespace {

const std::string kSecondModel =
    "\n[[models]]\nid = \"claude-haiku\"\ncli_model = \"haiku\"\nprovider = \"default\"\n";

std::vector<std::string> model_ids(int port) {
    std::vector<std::string> ids;
    const auto res = make_client(port).Get("/v1/models");
    BOOST_REQUIRE(res && res->status == 200);
    const json body = json::parse(res->body);
    for (const auto& m : body["data"])
        ids.push_back(m["id"].get<std::string>());
    return ids;
}

void rewrite_config(const Daemon& d, const std::string& text) {
    write_file(d.dir() + "/config.toml", text);
}

CommandResult bus_reload(const BusDaemon& d) {
    return dbus_send(
        d.bus, {"--dest=org.claudeharness.Harness1", kPath, "org.claudeharness.Harness1.Reload"});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(reload)

BOOST_AUTO_TEST_CASE(sighup_applies_a_valid_file_and_tells_systemd) {
    TempDir tmp;
    NotifySocket systemd(tmp.path() + "/notify");
    Daemon d({.daemon_env = {"NOTIFY_SOCKET=" + tmp.path() + "/notify"}});
    BOOST_REQUIRE(systemd.wait_for("READY=1", 10s));
    BOOST_TEST(model_ids(d.port()) == std::vector<std::string>{"claude-sonnet"});

    rewrite_config(d, d.config_text() + kSecondModel);
    kill(d.pid(), SIGHUP);
    BOOST_REQUIRE(d.wait_log("configuration reloaded: 2 model(s)", 10s));
    BOOST_TEST(model_ids(d.port()) == (std::vector<std::string>{"claude-sonnet", "claude-haiku"}));
    json body = chat_body("hi");
    body["model"] = "claude-haiku";
    BOOST_TEST(completion_text(post_chat(d.port(), body)) != "");
    BOOST_REQUIRE(systemd.wait_for("READY=1", 5s, 2));
    // RELOADING=1 (with the monotonic time systemd 253+ asks for) came before the second READY.
    std::size_t reloading = 0, ready = 0;
    for (std::size_t i = 0; i < systemd.messages.size(); ++i) {
        if (systemd.messages[i].find("RELOADING=1\nMONOTONIC_USEC=") == 0) reloading = i;
        if (systemd.messages[i] == "READY=1") ready = i;
    }
    BOOST_TEST(reloading > 0);
    BOOST_TEST(ready > reloading);
}

BOOST_AUTO_TEST_CASE(an_invalid_file_leaves_the_running_configuration_untouched) {
    BusDaemon d;
    const std::string path = d.daemon->dir() + "/config.toml";
    rewrite_config(*d.daemon, d.daemon->config_text() + kSecondModel + "bogus_key = 1\n");

    const auto r = bus_reload(d);
    BOOST_TEST(r.status != 0);
    BOOST_TEST(r.err.find("Error org.claudeharness.Error.ConfigInvalid: " + path + ":") !=
                   std::string::npos,
               r.err);
    BOOST_TEST(r.err.find("bogus_key") != std::string::npos, r.err);
    BOOST_TEST(model_ids(d.daemon->port()) == std::vector<std::string>{"claude-sonnet"});

    // SIGHUP logs the same diagnostics with file:line:column.
    kill(d.daemon->pid(), SIGHUP);
    const auto line = d.daemon->wait_log("reload: " + path + ":", 10s);
    BOOST_REQUIRE(line);
    BOOST_TEST(line->find("config.toml:") != std::string::npos);
    BOOST_TEST(d.daemon->wait_log("still running with the previous configuration", 5s).has_value());
    BOOST_TEST(completion_text(post_chat(d.daemon->port(), chat_body("still here"))) != "");

    // A file that cannot be parsed at all, then a good one again.
    rewrite_config(*d.daemon, "[server\n");
    BOOST_TEST(bus_reload(d).err.find(path + ":1:") != std::string::npos);
    rewrite_config(*d.daemon, d.daemon->config_text() + kSecondModel);
    const auto ok = bus_reload(d);
    BOOST_TEST(ok.status == 0, ok.err);
    BOOST_TEST(model_ids(d.daemon->port()).size() == 2u);
}

BOOST_AUTO_TEST_CASE(running_jobs_keep_their_settings_across_a_reload) {
    BusDaemon d;
    auto slow = std::async(std::launch::async, [&] {
        return post_chat(d.daemon->port(), chat_body("FAKE[delay_ms=1500] survive"));
    });
    BOOST_REQUIRE(wait_until([&] { return get_property(d.bus, "ActiveJobs") == "u 1"; }, 10s));
    // The new limits would kill the running job if they applied to it.
    std::string text = d.daemon->config_text();
    text.replace(text.find("[limits]\n"), 9, "[limits]\njob_timeout = \"200ms\"\n");
    rewrite_config(*d.daemon, text);
    BOOST_REQUIRE(bus_reload(d).status == 0);
    BOOST_TEST(completion_text(slow.get()) != "");
    // New jobs get the new limit.
    check_error(post_chat(d.daemon->port(), chat_body("FAKE[hang]")), 504, "timeout");
}

BOOST_AUTO_TEST_CASE(api_keys_are_reloaded_with_the_configuration) {
    BusDaemon d(DaemonOptions{.api_keys = {"sk-old"}});
    const httplib::Headers old_key{{"Authorization", "Bearer sk-old"}};
    const httplib::Headers new_key{{"Authorization", "Bearer sk-new"}};
    BOOST_TEST(completion_text(post_chat(d.daemon->port(), chat_body("a"), old_key)) != "");
    write_file(d.daemon->dir() + "/keys", "sk-new\n");
    BOOST_REQUIRE(bus_reload(d).status == 0);
    check_error(post_chat(d.daemon->port(), chat_body("b"), old_key), 401, "invalid_api_key");
    BOOST_TEST(completion_text(post_chat(d.daemon->port(), chat_body("c"), new_key)) != "");
}

BOOST_AUTO_TEST_SUITE_END()
