// Which local user holds the other end of a TCP connection, from the kernel's socket tables
// (/proc/net/tcp and /proc/net/tcp6), as identd does. Only a connection from a process on this
// host (in the daemon's network namespace) has an owner there; for a remote peer there is none.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace ch {

struct TcpEndpoint {
    std::string address;  // as cpp-httplib reports it: "127.0.0.1", "::1", "::ffff:10.0.0.1"
    int port = 0;
};

// The uid owning the socket whose local end is `peer` and remote end is `ours`, looked up in
// one table's text (the format of /proc/net/tcp or /proc/net/tcp6).
std::optional<uid_t> find_socket_owner(std::string_view table, const TcpEndpoint& peer,
                                       const TcpEndpoint& ours);

// The same, in the live tables.
std::optional<uid_t> local_peer_uid(const TcpEndpoint& peer, const TcpEndpoint& ours);

}  // namespace ch
