// Noticing that an HTTP client went away while its request still waits for the CLI.
// cpp-httplib 0.11 gives a handler no access to its connection, so the socket is found by
// its address pair among the daemon's descriptors; it stays open while the handler runs.
#pragma once

#include <string>

namespace ch {

class ConnectionProbe {
  public:
    ConnectionProbe(const std::string& local_addr, int local_port, const std::string& remote_addr,
                    int remote_port);

    bool found() const { return fd_ >= 0; }
    // True once the peer has closed or reset the connection.
    bool peer_gone() const;

  private:
    int fd_ = -1;
};

}  // namespace ch
