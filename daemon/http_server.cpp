#include "daemon/http_server.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "common/anthropic.h"
#include "common/openai.h"
#include "daemon/activity_recorder.h"
#include "daemon/dashboard.h"
#include "daemon/job_manager.h"
#include "daemon/metrics_routes.h"

namespace ch {
namespace {

// The load-balancer probes and the dashboard's page (not its data) reveal nothing and stay
// open when keys are configured.
bool is_public(const httplib::Request& req) {
    if (req.method == "HEAD" && req.path == "/") return true;
    if (dashboard_public(req)) return true;
    return req.method == "GET" && (req.path == "/health" || req.path == "/ready");
}

std::string host_port(const ListenAddress& a, int port) {
    const bool v6 = a.host.find(':') != std::string::npos;
    return (v6 ? "[" + a.host + "]" : a.host) + ":" + std::to_string(port);
}

}  // namespace

std::string presented_key(const httplib::Request& req) {
    const std::string auth = req.get_header_value("Authorization");
    static constexpr std::string_view kBearer = "Bearer ";
    if (auth.size() > kBearer.size() && auth.compare(0, kBearer.size(), kBearer) == 0)
        return auth.substr(kBearer.size());
    return req.get_header_value("x-api-key");
}

std::string client_id(const httplib::Request& req, const ApiKeys& keys) {
    if (keys.enabled())
        if (const auto id = keys.match(presented_key(req))) return *id;
    return req.remote_addr;
}

void send_error(httplib::Response& res, int status, const std::string& message,
                const std::string& code, std::optional<long> retry_after,
                const std::string& param) {
    res.status = status;
    if (retry_after) res.set_header("Retry-After", std::to_string(*retry_after));
    res.set_content(openai::error_json(status, message, param, code), "application/json");
}

bool anthropic_client(const httplib::Request& req) {
    return req.path.rfind("/v1/messages", 0) == 0 || req.has_header("anthropic-version");
}

void send_client_error(const httplib::Request& req, httplib::Response& res, int status,
                       const std::string& message, const std::string& code) {
    if (!anthropic_client(req)) return send_error(res, status, message, code);
    res.status = status;
    res.set_content(anthropic::error_json(status, message), "application/json");
}

HttpServer::HttpServer(HttpContext& ctx) : ctx_(ctx) {}

HttpServer::~HttpServer() {
    stop();
}

void HttpServer::setup(httplib::Server& server) {
    // Thread pool and body limit are fixed for the server's life; a reload cannot change them.
    const auto settings = ctx_.settings();
    const auto& limits = settings->config.limits;
    const std::size_t max_body = settings->config.server.max_body_bytes;
    // Every open stream and every queued streaming request holds a worker for its whole life.
    const std::size_t threads =
        static_cast<std::size_t>(limits.max_concurrent_jobs + limits.max_queued_jobs) + 8;
    server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    server.set_payload_max_length(max_body);
    server.set_keep_alive_timeout(5);
    server.set_keep_alive_max_count(1000);
    server.set_read_timeout(30);
    server.set_write_timeout(30);
    server.set_tcp_nodelay(true);

    server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
        note_request_start();
        const auto current = ctx_.settings();
        const ApiKeys& keys = current->keys;
        if (!keys.enabled() || is_public(req) || metrics_public(*current, req))
            return httplib::Server::HandlerResponse::Unhandled;
        const std::string key = presented_key(req);
        if (key.empty()) {
            send_client_error(
                req, res, 401,
                "Missing API key: send it as 'Authorization: Bearer <key>' or 'x-api-key'.",
                "missing_api_key");
            return httplib::Server::HandlerResponse::Handled;
        }
        if (!keys.match(key)) {
            send_client_error(req, res, 401, "Incorrect API key provided.", "invalid_api_key");
            return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
    });
    // Errors cpp-httplib produces itself (no route, body too large, bad request line) get the
    // same JSON shape as ours; responses that already have a body are left alone.
    server.set_error_handler([max_body](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty() || res.content_provider_) return;
        switch (res.status) {
            case 404:
                send_client_error(req, res, 404, "Unknown path: " + req.method + " " + req.path,
                                  "not_found");
                break;
            case 405:
                send_client_error(req, res, 405, "Method not allowed", "method_not_allowed");
                break;
            case 413:
                send_client_error(req, res, 413,
                                  "Request body larger than server.max_body_bytes (" +
                                      std::to_string(max_body) + " bytes)",
                                  "request_too_large");
                break;
            default:
                send_client_error(req, res, res.status, "The request could not be processed.");
                break;
        }
    });
    server.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
        if (record_request(ctx_, req, res) && ctx_.dashboard != nullptr)
            ctx_.dashboard->activity->record_refusal(res.status, std::chrono::system_clock::now());
        spdlog::debug("{} {} {} from {}", req.method, req.path, res.status, req.remote_addr);
    });
    register_info_routes(server, ctx_);
    register_chat_routes(server, ctx_);
    register_messages_routes(server, ctx_);
    register_metrics_routes(server, ctx_);
    register_jobs_routes(server, ctx_);
    register_dashboard_routes(server, ctx_);
}

bool HttpServer::bind(std::string* error) {
    const auto settings = ctx_.settings();
    for (const auto& address : settings->config.server.listen) {
        auto server = std::make_unique<httplib::Server>();
        setup(*server);
        // cpp-httplib's own options also set SO_REUSEPORT, which would let a second daemon
        // share the port unnoticed; and it listens with a backlog of 5, which drops
        // connections when clients arrive together. Keep the socket to fix the backlog.
        int listen_fd = -1;
        server->set_socket_options([&listen_fd](socket_t fd) {
            const int yes = 1;
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
            // A Docker bridge address may be configured before Docker creates the bridge.
            setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &yes, sizeof yes);
            setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &yes, sizeof yes);
            listen_fd = fd;
        });
        int port = address.port;
        if (port == 0) {
            port = server->bind_to_any_port(address.host);
            if (port <= 0) port = -1;
        } else if (!server->bind_to_port(address.host, port)) {
            port = -1;
        }
        if (port < 0) {
            *error = "cannot listen on " + address.text + ": " + std::strerror(errno) +
                     " (is another instance running, or the address not on this host?)";
            return false;
        }
        if (listen_fd >= 0 && ::listen(listen_fd, SOMAXCONN) != 0)
            spdlog::warn("cannot raise the listen backlog on {}: {}", address.text,
                         std::strerror(errno));
        bound_.push_back(host_port(address, port));
        servers_.push_back(std::move(server));
    }
    return true;
}

void HttpServer::start() {
    for (auto& server : servers_)
        threads_.emplace_back([s = server.get()] { s->listen_after_bind(); });
    for (const auto& b : bound_)
        spdlog::info("listening on {}", b);
}

void HttpServer::stop() {
    for (auto& server : servers_)
        server->stop();
    for (auto& t : threads_)
        t.join();
    threads_.clear();
}

}  // namespace ch
