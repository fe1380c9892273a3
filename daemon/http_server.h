// The HTTP transport: one cpp-httplib server per listen address, sharing one set of routes,
// with authentication in front of everything but the load-balancer probes.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "daemon/http_context.h"

namespace ch {

class HttpServer {
  public:
    explicit HttpServer(HttpContext& ctx);
    ~HttpServer();

    // Binds every configured address; on failure says which and why.
    bool bind(std::string* error);
    // "127.0.0.1:8013", "[::1]:8013" as actually bound (ephemeral ports resolved).
    const std::vector<std::string>& bound() const { return bound_; }
    void start();
    // Stops listening and joins; open streams are ended.
    void stop();

  private:
    void setup(httplib::Server& server);

    HttpContext& ctx_;
    std::vector<std::unique_ptr<httplib::Server>> servers_;
    std::vector<std::string> bound_;
    std::vector<std::thread> threads_;
};

}  // namespace ch
