// The daemon's messages to systemd (sd_notify): READY=1 with a status, STATUS= kept current,
// WATCHDOG=1 while the watchdog is enabled, STOPPING=1 on SIGTERM.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstring>
#include <string>
#include <vector>

#include "daemon_fixture.h"
#include "http_helpers.h"
#include "notify_socket.h"

using namespace it;

BOOST_AUTO_TEST_SUITE(notify)

BOOST_AUTO_TEST_CASE(ready_status_watchdog_and_stopping) {
    TempDir tmp;
    NotifySocket systemd(tmp.path() + "/notify");
    Daemon d({.daemon_env = {"NOTIFY_SOCKET=" + tmp.path() + "/notify", "WATCHDOG_USEC=400000"}});

    BOOST_REQUIRE_MESSAGE(systemd.wait_for("READY=1", 5s), "no READY=1 was sent");
    BOOST_TEST(systemd.count("STATUS=0 running, 0 queued, 0 served") == 1u);

    auto res = post_chat(d.port(), chat_body("hello"));
    BOOST_REQUIRE(res);
    BOOST_TEST(res->status == 200);
    BOOST_TEST(systemd.wait_for("STATUS=0 running, 0 queued, 1 served", 5s),
               "the status did not follow the finished job");

    // Pings at half the 400 ms timeout: three more arrive well within two seconds.
    const auto pings = systemd.count("WATCHDOG=1");
    BOOST_TEST(systemd.wait_for("WATCHDOG=1", 2s, pings + 3), "the watchdog was not kept alive");

    const auto status = d.terminate();
    BOOST_REQUIRE(status.has_value());
    BOOST_TEST(systemd.wait_for("STOPPING=1", 2s), "no STOPPING=1 was sent");
}

BOOST_AUTO_TEST_SUITE_END()
