// A private bus standing in for the system bus, and a stand-in for the daemon on it that owns
// the daemon's bus name and serves its Ready property: `doctor` is tested against the real
// D-Bus contract without the daemon.
#pragma once

#include <string>
#include <thread>

#include "ctl_helpers.h"
#include "daemon_fixture.h"

struct sd_bus;
struct sd_bus_slot;

namespace it {

// A dbus-daemon of its own; fails the test when dbus-daemon is not installed.
struct PrivateBus {
    PrivateBus();
    TempDir dir;
    BackgroundProcess process;
    std::string address;  // for DBUS_SYSTEM_BUS_ADDRESS
};

class FakeBusService {
  public:
    // Connects to the bus at `address` and owns ch::bus::kService. Fails the test on error.
    FakeBusService(const std::string& address, bool ready);
    ~FakeBusService();
    FakeBusService(const FakeBusService&) = delete;
    FakeBusService& operator=(const FakeBusService&) = delete;

  private:
    void serve();

    bool ready_;
    sd_bus* bus_ = nullptr;
    sd_bus_slot* slot_ = nullptr;
    int stop_fd_ = -1;
    std::thread thread_;
};

}  // namespace it
