// Listen address checks: a port the daemon could bind, or one it already holds. Another
// program on the port is a failure, since the daemon could not start.
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "ctl/doctor_checks.h"

namespace ch::ctl {
namespace {

// 0 when the address could be bound, else the errno of socket() or bind().
int try_bind(const ListenAddress& a, std::string* error) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string port = std::to_string(a.port);
    const int rc = getaddrinfo(a.host.c_str(), port.c_str(), &hints, &found);
    if (rc != 0) {
        *error = gai_strerror(rc);
        return EADDRNOTAVAIL;
    }
    int err = 0;
    const int fd = socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        err = errno;
    } else {
        const int yes = 1;  // as the daemon binds: a port in TIME_WAIT is free
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        if (bind(fd, found->ai_addr, found->ai_addrlen) != 0) err = errno;
        close(fd);
    }
    freeaddrinfo(found);
    *error = std::strerror(err);
    return err;
}

// The daemon's version when GET /health answers like claude-harnessd, else "".
std::string daemon_version(const ListenAddress& a) {
    httplib::Client client(a.host, a.port);
    client.set_connection_timeout(2, 0);
    client.set_read_timeout(2, 0);
    const auto res = client.Get("/health");
    if (!res || res->status != 200) return "";
    const auto doc = nlohmann::json::parse(res->body, nullptr, false);
    if (!doc.is_object() || !doc.contains("uptime_seconds") || !doc.contains("version") ||
        !doc["version"].is_string())
        return "";
    return doc["version"].get<std::string>();
}

Check check_address(const ListenAddress& a) {
    const std::string name = "listen " + a.text;
    if (a.port == 0) return {name, Status::kOk, "port 0: a free port is picked at start", ""};
    std::string error;
    const int err = try_bind(a, &error);
    if (err == 0) return {name, Status::kOk, "free", ""};
    if (err == EADDRINUSE) {
        const std::string version = daemon_version(a);
        if (!version.empty())
            return {name, Status::kOk, "in use by claude-harnessd " + version + " (running)", ""};
        return {name, Status::kFail,
                "in use by another program (GET /health does not answer "
                "like claude-harnessd)",
                "stop that program (`ss -ltnp` shows which), or choose another port in "
                "server.listen"};
    }
    if (err == EACCES)
        return {name, Status::kWarn, "this user may not bind port " + std::to_string(a.port),
                "run `sudo claude-harnessctl doctor`; the daemon needs root or "
                "CAP_NET_BIND_SERVICE for ports below 1024"};
    return {name, Status::kFail, "cannot bind: " + error,
            "listen on an address of this machine in server.listen"};
}

}  // namespace

std::vector<Check> check_listen(const std::vector<ListenAddress>& listen) {
    std::vector<Check> out;
    for (const auto& a : listen)
        out.push_back(check_address(a));
    return out;
}

}  // namespace ch::ctl
