// The D-Bus interface seen by independent clients (busctl, dbus-send) over a private bus whose
// policy is the repository's: introspection matches the XML contract, properties, methods,
// signals, named errors, permission refusal and org.freedesktop.LogControl1.
#include <future>
#include <tuple>

#include <boost/test/unit_test.hpp>

#include "bus_helpers.h"
#include "common/version.h"
#include "http_helpers.h"

using namespace it;

namespace {

// The <interface name="..."> element with comments and the whitespace between tags removed.
std::string interface_element(std::string xml, const std::string& name) {
    for (std::size_t at; (at = xml.find("<!--")) != std::string::npos;)
        xml.erase(at, xml.find("-->", at) + 3 - at);
    std::string tight;
    for (std::size_t i = 0; i < xml.size(); ++i) {
        if (xml[i] == '>') {
            std::size_t j = i + 1;
            while (j < xml.size() && std::isspace(static_cast<unsigned char>(xml[j])))
                ++j;
            tight += '>';
            if (j < xml.size() && xml[j] == '<') i = j - 1;
            continue;
        }
        tight += xml[i];
    }
    const auto start = tight.find("<interface name=\"" + name + "\">");
    if (start == std::string::npos) return "";
    return tight.substr(start, tight.find("</interface>", start) + 12 - start);
}

std::string trimmed(const std::string& s) {
    return s.substr(0, s.find_last_not_of('\n') + 1);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(bus)

BOOST_AUTO_TEST_CASE(live_introspection_matches_the_xml_in_the_repository) {
    BusDaemon d;
    const auto r = busctl(d.bus, {"--xml-interface", "introspect", kService, kPath});
    BOOST_REQUIRE_MESSAGE(r.status == 0, r.err);
    const std::string live = interface_element(r.out, kInterface);
    const std::string documented = interface_element(read_file(CH_BUS_INTERFACE_XML), kInterface);
    BOOST_REQUIRE(!documented.empty());
    BOOST_TEST(live == documented);
    // Argument names are part of the contract.
    BOOST_TEST(live.find(R"(<arg type="s" name="id" direction="in"/>)") != std::string::npos);

    const auto log_control =
        busctl(d.bus, {"introspect", kService, "/org/freedesktop/LogControl1"});
    BOOST_TEST(log_control.out.find(".LogLevel") != std::string::npos);
    BOOST_TEST(log_control.out.find(".SyslogIdentifier") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(properties_describe_the_running_daemon) {
    BusDaemon d;
    BOOST_TEST(get_property(d.bus, "Version") == std::string("s \"") + ch::kVersion + "\"");
    BOOST_TEST(get_property(d.bus, "Listen") ==
               "as 1 \"127.0.0.1:" + std::to_string(d.daemon->port()) + "\"");
    BOOST_TEST(get_property(d.bus, "Ready") == "b true");
    BOOST_TEST(get_property(d.bus, "NotReadyReason") == "s \"\"");
    BOOST_TEST(get_property(d.bus, "ConfigPath") == "s \"" + d.daemon->dir() + "/config.toml\"");
    BOOST_TEST(get_property(d.bus, "ActiveJobs") == "u 0");
    BOOST_TEST(get_property(d.bus, "LastError") == "(tss) 0 \"\" \"\"");
    const auto started = get_property(d.bus, "StartedAt");
    const auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    const long long at = std::atoll(started.substr(2).c_str());
    BOOST_TEST(at > now_us - 60'000'000LL);
    BOOST_TEST(at <= now_us);

    BOOST_TEST(completion_text(post_chat(d.daemon->port(), chat_body("hello"))) != "");
    check_error(post_chat(d.daemon->port(), chat_body("FAKE[error=500]")), 502, "cli_error");
    BOOST_TEST(get_property(d.bus, "RequestsTotal") == "t 2");
    BOOST_TEST(get_property(d.bus, "RequestsFailed") == "t 1");
    // The ledger hears of a job when its worker lets go of it, just after the answer.
    BOOST_TEST(wait_until(
        [&] { return get_property(d.bus, "LastError").find("(tss) 0") == std::string::npos; }, 5s));
}

BOOST_AUTO_TEST_CASE(list_methods_and_usage) {
    BusDaemon d;
    auto r = busctl(d.bus, {"call", kService, kPath, kInterface, "ListModels"});
    BOOST_TEST(trimmed(r.out) == R"(a(sssas) 1 "claude-sonnet" "sonnet" "default" 1 "sonnet")");
    r = busctl(d.bus, {"call", kService, kPath, kInterface, "ListProviders"});
    BOOST_TEST(r.out.find(R"("default" "root" ")" CH_FAKE_CLAUDE R"(" )") != std::string::npos,
               r.out);
    BOOST_TEST(r.out.find(R"("api_key" 0 true "")") != std::string::npos, r.out);

    BOOST_TEST(completion_text(post_chat(d.daemon->port(), chat_body("hello"))) != "");
    // One request, none failed, then the fake's token counts (recorded just after the answer).
    BOOST_TEST(
        wait_until(
            [&] {
                r = busctl(d.bus, {"call", kService, kPath, kInterface, "GetUsage"});
                return r.out.find(R"(a(sstttttt) 1 "claude-sonnet" "default" 1 0 11 5 13 17)") == 0;
            },
            5s),
        r.out);
}

BOOST_AUTO_TEST_CASE(usage_report_from_the_ledger) {
    BusDaemon d;
    const auto report = [&](const std::string& since, const std::string& by) {
        return busctl(d.bus,
                      {"call", kService, kPath, kInterface, "GetUsageReport", "ss", since, by});
    };
    BOOST_TEST(trimmed(report("", "model").out) == "a(sttttttd)t 0 0");  // no ledger yet
    BOOST_TEST(completion_text(post_chat(d.daemon->port(), chat_body("hello"))) != "");
    // The ledger has the line before the answer is out: no waiting.
    auto r = report("", "model");
    BOOST_TEST(r.out.starts_with(R"(a(sttttttd)t 1 "claude-sonnet" 1 0 11 5 13 17 0.)"), r.out);
    BOOST_TEST(trimmed(r.out).ends_with(" 0"), r.out);
    r = report("1h", "provider");
    BOOST_TEST(r.out.starts_with(R"(a(sttttttd)t 1 "default" 1 0 11 5 13 17 )"), r.out);
    BOOST_TEST(trimmed(report("now", "day").out) == "a(sttttttd)t 0 0");

    write_file(d.daemon->state_dir() + "/usage.jsonl",
               read_file(d.daemon->state_dir() + "/usage.jsonl") + "not a record\n");
    BOOST_TEST(trimmed(report("", "key").out).ends_with(" 1"));
    for (const auto& [since, by, message] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"soon", "model", "cannot read since 'soon'"},
             {"", "week", "by must be model, provider, key or day, not 'week'"}}) {
        r = dbus_send(d.bus, {"--dest=org.claudeharness.Harness1", kPath,
                              "org.claudeharness.Harness1.GetUsageReport", "string:" + since,
                              "string:" + by});
        BOOST_TEST(r.status != 0);
        BOOST_TEST(r.err.find("Error org.freedesktop.DBus.Error.InvalidArgs: " + message) !=
                       std::string::npos,
                   r.err);
    }
}

BOOST_AUTO_TEST_CASE(jobs_are_listed_signalled_and_cancelled) {
    BusDaemon d;
    BackgroundProcess monitor(
        {"/usr/bin/busctl", "--system", "--no-pager", "--json=short", "monitor",
         "--match=type='signal',interface='org.claudeharness.Harness1'"},
        {d.bus.env()});
    // The monitor is attached once it sees a probe signal of ours.
    BOOST_REQUIRE(wait_until(
        [&] {
            busctl(d.bus, {"emit", "/org/claudeharness/Test", kInterface, "Probe"});
            return !wait_line(monitor, {"Probe"}, 200ms).empty();
        },
        10s));
    auto pending = std::async(std::launch::async, [&] {
        return post_chat(d.daemon->port(), chat_body("FAKE[hang] cancel me"));
    });
    std::string jobs;
    BOOST_REQUIRE(wait_until(
        [&] {
            jobs = busctl(d.bus, {"call", kService, kPath, kInterface, "ListJobs"}).out;
            return jobs.find("\"running\"") != std::string::npos &&
                   jobs.find(" 0\n") == std::string::npos;  // the pid is known
        },
        10s));
    // a(sssssttu) 1 "ID" "claude-sonnet" "default" "running" "127.0.0.1" CREATED STARTED PID
    const auto first = jobs.find('"') + 1;
    const std::string id = jobs.substr(first, jobs.find('"', first) - first);
    BOOST_TEST(jobs.find("\"claude-sonnet\" \"default\" \"running\" \"127.0.0.1\"") !=
               std::string::npos);

    const auto r = busctl(d.bus, {"call", kService, kPath, kInterface, "CancelJob", "s", id});
    BOOST_TEST(r.status == 0, r.err);
    check_error(pending.get(), 410, "cancelled", "");
    BOOST_TEST(!wait_line(monitor, {"JobStarted", id}, 10s).empty());
    const auto finished = wait_line(monitor, {"JobFinished", id}, 10s);
    BOOST_TEST(finished.find("\"cancelled\"") != std::string::npos, finished);
}

BOOST_AUTO_TEST_CASE(expected_failures_have_named_errors) {
    BusDaemon d;
    const auto r = dbus_send(d.bus, {"--dest=org.claudeharness.Harness1", kPath,
                                     "org.claudeharness.Harness1.CancelJob", "string:nope"});
    BOOST_TEST(r.status != 0);
    BOOST_TEST(r.err.find("Error org.claudeharness.Error.NoSuchJob: no queued or running job "
                          "'nope'") != std::string::npos,
               r.err);
}

BOOST_AUTO_TEST_CASE(only_root_and_the_admin_group_may_change_things) {
    BusDaemon d(DaemonOptions{.server = {"admin_group = \"users\""}});
    const std::vector<std::string> cancel{"--dest=org.claudeharness.Harness1", kPath,
                                          "org.claudeharness.Harness1.CancelJob", "string:nope"};
    // Reading is open to anyone.
    auto r = busctl(d.bus, {"get-property", kService, kPath, kInterface, "Ready"}, "nobody");
    BOOST_TEST(trimmed(r.out) == "b true", r.err);
    r = busctl(d.bus, {"call", kService, kPath, kInterface, "ListJobs"}, "nobody");
    BOOST_TEST(r.status == 0, r.err);

    r = dbus_send(d.bus, cancel, "nobody");
    BOOST_TEST(r.err.find("Error org.freedesktop.DBus.Error.AccessDenied: CancelJob is allowed "
                          "only to root and members of the group 'users'") != std::string::npos,
               r.err);
    r = dbus_send(d.bus,
                  {"--dest=org.claudeharness.Harness1", kPath, "org.claudeharness.Harness1.Reload"},
                  "nobody");
    BOOST_TEST(r.err.find("org.freedesktop.DBus.Error.AccessDenied") != std::string::npos, r.err);
    r = busctl(d.bus,
               {"set-property", kService, "/org/freedesktop/LogControl1",
                "org.freedesktop.LogControl1", "LogLevel", "s", "debug"},
               "nobody");
    BOOST_TEST(r.status != 0);
    BOOST_TEST(get_property(d.bus, "Ready") == "b true");

    // A member of the admin group gets past the check (and learns the job does not exist).
    r = dbus_send(d.bus, cancel, "nobody", "users");
    BOOST_TEST(r.err.find("org.claudeharness.Error.NoSuchJob") != std::string::npos, r.err);
    // Owning the name is root's alone (the policy file).
    r = busctl(d.bus,
               {"call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                "RequestName", "su", kService, "4"},
               "nobody");
    BOOST_TEST(r.status != 0);
    BOOST_TEST(r.err.find("Access denied") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(the_run_as_user_may_not_change_things_even_in_the_admin_group) {
    // The CLI and every tool it runs have the run-as user's rights.
    BusDaemon d(DaemonOptions{
        .copy_fake = true, .provider_user = "nobody", .server = {"admin_group = \"users\""}});
    const std::vector<std::string> cancel{"--dest=org.claudeharness.Harness1", kPath,
                                          "org.claudeharness.Harness1.CancelJob", "string:nope"};
    auto r = dbus_send(d.bus, cancel, "nobody", "users");
    BOOST_TEST(r.err.find("Error org.freedesktop.DBus.Error.AccessDenied: CancelJob is not "
                          "allowed to the run-as user of provider 'default'") != std::string::npos,
               r.err);
    // Another member of the group still may.
    r = dbus_send(d.bus, cancel, "daemon", "users");
    BOOST_TEST(r.err.find("org.claudeharness.Error.NoSuchJob") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(log_control_changes_the_level_of_the_running_daemon) {
    BusDaemon d;
    const std::vector<std::string> where{kService, "/org/freedesktop/LogControl1",
                                         "org.freedesktop.LogControl1"};
    auto prop = [&](const std::string& name) {
        std::vector<std::string> args{"get-property"};
        args.insert(args.end(), where.begin(), where.end());
        args.push_back(name);
        return trimmed(busctl(d.bus, args).out);
    };
    auto set = [&](const std::string& name, const std::string& value) {
        std::vector<std::string> args{"set-property"};
        args.insert(args.end(), where.begin(), where.end());
        args.insert(args.end(), {name, "s", value});
        return busctl(d.bus, args);
    };
    BOOST_TEST(prop("LogLevel") == "s \"info\"");
    BOOST_TEST(prop("LogTarget") == "s \"console\"");
    BOOST_TEST(prop("SyslogIdentifier") == "s \"claude-harnessd\"");
    BOOST_TEST(d.daemon->log().find("debug: GET /health") == std::string::npos);

    BOOST_TEST(set("LogLevel", "debug").status == 0);
    BOOST_TEST(prop("LogLevel") == "s \"debug\"");
    make_client(d.daemon->port()).Get("/health");
    BOOST_TEST(d.daemon->wait_log("debug: GET /health 200", 5s).has_value());

    const auto bad = set("LogLevel", "loud");
    BOOST_TEST(bad.status != 0);
    BOOST_TEST(bad.err.find("unknown log level 'loud'") != std::string::npos, bad.err);
    BOOST_TEST(set("LogTarget", "kmsg").status != 0);
    BOOST_TEST(set("LogTarget", "console").status == 0);
}

BOOST_AUTO_TEST_CASE(the_daemon_serves_http_without_a_bus) {
    DaemonOptions options;
    options.bus = "system";
    options.daemon_env = {"DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/bus"};
    Daemon d(options);
    BOOST_TEST(d.wait_log("bus: not connected", 10s).has_value());
    BOOST_TEST(completion_text(post_chat(d.port(), chat_body("hello"))) != "");
}

BOOST_AUTO_TEST_SUITE_END()
