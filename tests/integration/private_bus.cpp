#include "private_bus.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

namespace it {
namespace {

// Debian's /usr/share/dbus-1/system.conf in brief: nobody may own names or call methods
// unless a policy (here only ours) allows it.
std::string bus_config(const std::string& dir) {
    return R"(<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=)" +
           dir + R"(/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Properties"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Monitoring"/>
  </policy>
  <include>)" CH_BUS_POLICY R"(</include>
</busconfig>
)";
}

}  // namespace

PrivateBus::PrivateBus() {
    // Other users (the permission tests run clients as nobody) must reach the socket.
    chmod(dir_.path().c_str(), 0755);
    write_file(dir_.path() + "/bus.conf", bus_config(dir_.path()));
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) BOOST_FAIL("pipe2 failed");
    try {
        pid_ = spawn({"/usr/bin/dbus-daemon", "--config-file=" + dir_.path() + "/bus.conf",
                      "--nofork", "--nopidfile", "--print-address=1"},
                     current_environment(), out[1], 2, dir_.path());
    } catch (const std::exception& e) {
        close(out[0]);
        close(out[1]);
        BOOST_FAIL("cannot start dbus-daemon (install the dbus package): " << e.what());
    }
    close(out[1]);
    // The address line is printed once the socket listens.
    const auto deadline = Clock::now() + 10s;
    std::string text;
    while (text.find('\n') == std::string::npos && Clock::now() < deadline) {
        pollfd p{out[0], POLLIN, 0};
        poll(&p, 1, 100);
        char buf[512];
        const ssize_t n = read(out[0], buf, sizeof buf);
        if (n > 0) text.append(buf, static_cast<std::size_t>(n));
        if (n == 0) break;
    }
    close(out[0]);
    if (text.find('\n') == std::string::npos) BOOST_FAIL("dbus-daemon printed no address");
    address_ = text.substr(0, text.find('\n'));
}

PrivateBus::~PrivateBus() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    wait_child(pid_, 5s);
}

}  // namespace it
