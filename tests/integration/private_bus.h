// A dbus-daemon of the tests' own, configured like Debian's system bus (deny by default) with
// the repository's policy file included, so the daemon and claude-harnessctl talk over a
// real bus without root-installed files and the policy itself is exercised.
#pragma once

#include <sys/types.h>

#include <string>

#include "daemon_fixture.h"

namespace it {

class PrivateBus {
  public:
    PrivateBus();   // fails the test when dbus-daemon cannot be started
    ~PrivateBus();  // stops it
    PrivateBus(const PrivateBus&) = delete;
    PrivateBus& operator=(const PrivateBus&) = delete;

    const std::string& address() const { return address_; }
    // For the daemon's and the clients' environment.
    std::string env() const { return "DBUS_SYSTEM_BUS_ADDRESS=" + address_; }

  private:
    TempDir dir_;
    std::string address_;
    pid_t pid_ = -1;
};

}  // namespace it
