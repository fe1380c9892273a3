// A child started with a placement (how an agent job's CLI enters its systemd scope): it waits
// in its own process group, not yet exec'd, until the placement returns; a placement that fails
// leaves no process behind and says why.
#include <boost/test/unit_test.hpp>

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <string>

#include "daemon/child_process.h"
#include "daemon/child_reaper.h"

namespace {

using namespace std::chrono_literals;

ch::ProcessSpec shell(const std::string& script) {
    ch::ProcessSpec spec;
    spec.path = "/bin/sh";
    spec.argv = {"sh", "-c", script};
    spec.env = {"PATH=/usr/bin:/bin"};
    return spec;
}

std::string exe_of(pid_t pid) {
    char buf[PATH_MAX] = {};
    const auto n = readlink(("/proc/" + std::to_string(pid) + "/exe").c_str(), buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
}

std::string read_all(int fd) {
    std::string out;
    char buf[256];
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 10000) <= 0) break;
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(child_placement)

BOOST_AUTO_TEST_CASE(the_child_waits_unexeced_in_its_own_group_until_placed) {
    ch::ChildReaper reaper;
    const std::string self = exe_of(getpid());
    pid_t placed = -1;
    std::string exe_while_placed;
    pid_t group_while_placed = -1;
    auto child = ch::ChildProcess::spawn(shell("echo ran"), reaper, [&](pid_t pid) {
        placed = pid;
        exe_while_placed = exe_of(pid);
        group_while_placed = getpgid(pid);
    });
    BOOST_TEST(placed == child.pid());
    BOOST_TEST(exe_while_placed == self, "the child had exec'd before it was placed");
    BOOST_TEST(group_while_placed == child.pid());
    child.close_stdin();
    BOOST_TEST(read_all(child.stdout_fd()) == "ran\n");
    const auto status = child.reap(std::chrono::steady_clock::now() + 10s);
    BOOST_REQUIRE(status.has_value());
    BOOST_TEST(ch::describe_wait_status(*status) == "exited with status 0");
}

BOOST_AUTO_TEST_CASE(a_failed_placement_leaves_no_process_and_says_why) {
    ch::ChildReaper reaper;
    pid_t placed = -1;
    try {
        ch::ChildProcess::spawn(shell("echo never"), reaper, [&](pid_t pid) {
            placed = pid;
            throw ch::PlacementError("no scope for you");
        });
        BOOST_FAIL("spawn returned although the placement failed");
    } catch (const ch::PlacementError& e) {
        BOOST_TEST(std::string(e.what()) == "no scope for you");
    }
    BOOST_REQUIRE(placed > 0);
    // Reaped before spawn threw: the pid names no process, not even a zombie.
    errno = 0;
    BOOST_TEST(kill(placed, 0) == -1);
    BOOST_TEST(errno == ESRCH);
}

BOOST_AUTO_TEST_SUITE_END()
