// A datagram socket standing in for systemd's notification socket (NOTIFY_SOCKET).
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstring>
#include <string>
#include <vector>

#include "daemon_fixture.h"

namespace it {

class NotifySocket {
  public:
    explicit NotifySocket(const std::string& path) : path_(path) {
        fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
        BOOST_REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    }
    ~NotifySocket() { close(fd_); }

    // Receives messages until `n` of them contain `needle` or `timeout` passes.
    bool wait_for(const std::string& needle, std::chrono::milliseconds timeout, std::size_t n = 1) {
        const auto deadline = Clock::now() + timeout;
        for (;;) {
            if (count(needle) >= n) return true;
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            if (left.count() <= 0) return false;
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
            char buf[4096];
            const ssize_t got = recv(fd_, buf, sizeof buf, 0);
            if (got > 0) messages.emplace_back(buf, static_cast<std::size_t>(got));
        }
    }
    std::size_t count(const std::string& needle) const {
        std::size_t n = 0;
        for (const auto& m : messages)
            n += m.find(needle) != std::string::npos;
        return n;
    }

    std::vector<std::string> messages;

  private:
    std::string path_;
    int fd_ = -1;
};

}  // namespace it
