#include "fake_bus_service.h"

#include <boost/test/unit_test.hpp>

#include <poll.h>
#include <sys/eventfd.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

#include "common/bus_names.h"

namespace it {
namespace {

constexpr const char* kDbusDaemon = "/usr/bin/dbus-daemon";

std::vector<std::string> dbus_daemon_argv(const std::string& dir) {
    BOOST_REQUIRE_MESSAGE(access(kDbusDaemon, X_OK) == 0,
                          kDbusDaemon << " is missing (apt-get install dbus)");
    return {kDbusDaemon,   "--session",         "--nofork",
            "--nopidfile", "--print-address=1", "--address=unix:path=" + dir + "/bus"};
}

int get_ready(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply, void* userdata,
              sd_bus_error*) {
    return sd_bus_message_append(reply, "b", *static_cast<bool*>(userdata) ? 1 : 0);
}

const sd_bus_vtable kVtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Ready", "b", get_ready, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_VTABLE_END,
};

}  // namespace

PrivateBus::PrivateBus() : process(dbus_daemon_argv(dir.path()), {}) {
    const auto line = process.read_line(std::chrono::seconds(10));
    BOOST_REQUIRE_MESSAGE(line, "dbus-daemon gave no address: " << process.stderr_text());
    address = *line;
}

FakeBusService::FakeBusService(const std::string& address, bool ready) : ready_(ready) {
    int r = sd_bus_new(&bus_);
    if (r >= 0) r = sd_bus_set_address(bus_, address.c_str());
    if (r >= 0) r = sd_bus_set_bus_client(bus_, 1);
    if (r >= 0) r = sd_bus_start(bus_);
    if (r >= 0)
        r = sd_bus_add_object_vtable(bus_, &slot_, ch::bus::kObjectPath, ch::bus::kInterface,
                                     kVtable, &ready_);
    if (r >= 0) r = sd_bus_request_name(bus_, ch::bus::kService, 0);
    BOOST_REQUIRE_MESSAGE(r >= 0, "fake bus service on " << address << ": " << std::strerror(-r));
    stop_fd_ = eventfd(0, EFD_CLOEXEC);
    thread_ = std::thread([this] { serve(); });
}

FakeBusService::~FakeBusService() {
    const std::uint64_t one = 1;
    if (write(stop_fd_, &one, sizeof one) < 0) BOOST_ERROR("eventfd write failed");
    thread_.join();
    close(stop_fd_);
    sd_bus_slot_unref(slot_);
    sd_bus_flush_close_unref(bus_);
}

void FakeBusService::serve() {
    for (;;) {
        while (sd_bus_process(bus_, nullptr) > 0) {
        }
        pollfd fds[2] = {{sd_bus_get_fd(bus_), static_cast<short>(sd_bus_get_events(bus_)), 0},
                         {stop_fd_, POLLIN, 0}};
        if (poll(fds, 2, 1000) < 0 || (fds[1].revents & POLLIN)) return;
    }
}

}  // namespace it
