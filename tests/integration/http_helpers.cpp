#include "http_helpers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <stdexcept>

#include <boost/test/unit_test.hpp>

namespace it {

httplib::Client make_client(int port, std::chrono::seconds read_timeout) {
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(5, 0);
    client.set_read_timeout(static_cast<time_t>(read_timeout.count()), 0);
    client.set_write_timeout(30, 0);
    return client;
}

json chat_body(const std::string& user_text, bool stream) {
    json body = {{"model", "claude-sonnet"},
                 {"messages", json::array({{{"role", "user"}, {"content", user_text}}})}};
    if (stream) body["stream"] = true;
    return body;
}

httplib::Result post_chat(int port, const json& body, const httplib::Headers& headers,
                          std::chrono::seconds read_timeout) {
    auto client = make_client(port, read_timeout);
    return client.Post("/v1/chat/completions", headers, body.dump(), "application/json");
}

httplib::Result post_text(int port, const std::string& body, const httplib::Headers& headers) {
    auto client = make_client(port);
    return client.Post("/v1/chat/completions", headers, body, "application/json");
}

json check_error_body(const std::string& body, int status, const std::string& code,
                      const std::string& message_part) {
    const json doc = json::parse(body, nullptr, false);
    BOOST_REQUIRE_MESSAGE(doc.is_object(), "error body is not a JSON object: " << body);
    BOOST_TEST(doc.size() == 1u, "the body has only \"error\": " << body);
    BOOST_REQUIRE_MESSAGE(doc.contains("error") && doc["error"].is_object(),
                          "no \"error\" object: " << body);
    const json& e = doc["error"];
    const std::set<std::string> keys = [&] {
        std::set<std::string> k;
        for (auto it = e.begin(); it != e.end(); ++it)
            k.insert(it.key());
        return k;
    }();
    BOOST_TEST((keys == std::set<std::string>{"message", "type", "param", "code"}),
               "error keys are exactly message, type, param, code: " << body);
    BOOST_REQUIRE(e.contains("message") && e["message"].is_string());
    BOOST_TEST(!e["message"].get<std::string>().empty());
    BOOST_TEST((e["param"].is_null() || e["param"].is_string()), body);
    BOOST_TEST((e["code"].is_null() || e["code"].is_string()), body);
    const std::string expected_type = status == 401   ? "authentication_error"
                                      : status == 404 ? "not_found_error"
                                      : status == 429 ? "rate_limit_error"
                                      : status >= 500 ? "api_error"
                                                      : "invalid_request_error";
    BOOST_TEST(e.value("type", "") == expected_type, body);
    if (!code.empty()) BOOST_TEST(e.value("code", json()).dump() == json(code).dump(), body);
    if (!message_part.empty())
        BOOST_TEST(e["message"].get<std::string>().find(message_part) != std::string::npos,
                   "message contains '" << message_part << "': " << body);
    return e;
}

json check_error(const httplib::Result& res, int status, const std::string& code,
                 const std::string& message_part) {
    BOOST_REQUIRE_MESSAGE(res, "no response: " << httplib::to_string(res.error()));
    BOOST_TEST(res->status == status, "status " << res->status << " body " << res->body);
    BOOST_TEST(res->get_header_value("Content-Type") == "application/json");
    return check_error_body(res->body, status, code, message_part);
}

std::string completion_text(const httplib::Result& res) {
    BOOST_REQUIRE_MESSAGE(res, "no response: " << httplib::to_string(res.error()));
    BOOST_REQUIRE_MESSAGE(res->status == 200, "status " << res->status << ": " << res->body);
    const json doc = json::parse(res->body, nullptr, false);
    BOOST_REQUIRE_MESSAGE(doc.is_object() && doc.value("object", "") == "chat.completion",
                          "not a chat.completion: " << res->body.substr(0, 2000));
    return doc["choices"][0]["message"]["content"].get<std::string>();
}

std::ostream& operator<<(std::ostream& out, SseEvent::Kind kind) {
    static const char* const names[] = {"role",   "content", "finish",  "usage",
                                        "[DONE]", "error",   "comment", "other"};
    return out << names[static_cast<int>(kind)];
}

SseResult parse_sse(int status, const httplib::Headers& headers, std::string raw) {
    SseResult r;
    r.status = status;
    r.headers = headers;
    r.raw = std::move(raw);
    std::size_t pos = 0;
    while (pos < r.raw.size()) {
        std::size_t end = r.raw.find("\n\n", pos);
        if (end == std::string::npos) end = r.raw.size();
        const std::string block = r.raw.substr(pos, end - pos);
        pos = end + 2;
        if (block.empty()) continue;
        SseEvent ev{SseEvent::Kind::Other, block, json()};
        if (block[0] == ':') {
            ev.kind = SseEvent::Kind::Comment;
            if (block == ": keep-alive") ++r.keepalives;
        } else if (block.rfind("data: ", 0) == 0) {
            ev.raw = block.substr(6);
            if (ev.raw == "[DONE]") {
                ev.kind = SseEvent::Kind::Done;
                r.done = true;
            } else {
                ev.value = json::parse(ev.raw, nullptr, false);
                const json& v = ev.value;
                if (v.is_object() && v.contains("error")) {
                    ev.kind = SseEvent::Kind::Error;
                    r.error = v;
                } else if (v.is_object() && v.contains("choices") && v["choices"].empty() &&
                           v.contains("usage")) {
                    ev.kind = SseEvent::Kind::Usage;
                } else if (v.is_object() && v.contains("choices") && !v["choices"].empty()) {
                    const json& choice = v["choices"][0];
                    const json& delta = choice["delta"];
                    if (delta.contains("role")) {
                        ev.kind = SseEvent::Kind::Role;
                    } else if (!choice["finish_reason"].is_null()) {
                        ev.kind = SseEvent::Kind::Finish;
                    } else if (delta.contains("content")) {
                        ev.kind = SseEvent::Kind::Content;
                        r.text += delta["content"].get<std::string>();
                        ++r.content_chunks;
                    }
                }
            }
        }
        r.events.push_back(std::move(ev));
    }
    return r;
}

SseResult stream_chat(int port, const json& body, const httplib::Headers& headers,
                      std::chrono::seconds read_timeout) {
    auto client = make_client(port, read_timeout);
    httplib::Request req;
    req.method = "POST";
    req.path = "/v1/chat/completions";
    req.headers = headers;
    req.set_header("Content-Type", "application/json");
    req.body = body.dump();
    std::string raw;
    req.response_handler = [](const httplib::Response&) { return true; };
    req.content_receiver = [&raw](const char* data, std::size_t len, std::uint64_t, std::uint64_t) {
        raw.append(data, len);
        return true;
    };
    auto res = client.send(req);
    BOOST_REQUIRE_MESSAGE(res, "no response: " << httplib::to_string(res.error()));
    // A refusal before the stream began has an ordinary body.
    if (raw.empty() && !res->body.empty()) raw = res->body;
    return parse_sse(res->status, res->headers, std::move(raw));
}

RawConnection::RawConnection(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
}

RawConnection::~RawConnection() {
    close();
}

void RawConnection::send(const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error(std::string("send: ") + std::strerror(errno));
        sent += static_cast<std::size_t>(n);
    }
}

void RawConnection::send_chat(const json& body) {
    const std::string text = body.dump();
    send(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/json\r\nContent-Length: " +
        std::to_string(text.size()) + "\r\n\r\n" + text);
}

bool RawConnection::read_until(const std::string& needle, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (received_.find(needle) == std::string::npos) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now())
                              .count();
        pollfd p{fd_, POLLIN, 0};
        const int ready = poll(&p, 1, static_cast<int>(std::max<long long>(left, 0)));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) return false;  // the deadline passed
        char buf[4096];
        const ssize_t n = recv(fd_, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        received_.append(buf, static_cast<std::size_t>(n));
    }
    return true;
}

void RawConnection::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

}  // namespace it
