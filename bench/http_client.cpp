#include "bench/http_client.h"

#include <cstdint>

namespace bench {

namespace {

std::string request_body(bool stream, const std::string& content = kPrompt) {
    json body = {{"model", "claude-sonnet"},
                 {"messages", json::array({{{"role", "user"}, {"content", content}}})}};
    if (stream) body["stream"] = true;
    return body.dump();
}

// Fills s.error when the request failed or was not answered with 200; false then.
bool answered_ok(const httplib::Result& res, const std::string& body, Sample& s) {
    if (!res) {
        s.error = sfmt("HTTP error %s after %.0f ms", httplib::to_string(res.error()).c_str(),
                       s.total_ms);
        return false;
    }
    if (res->status != 200) {
        s.error = "HTTP " + std::to_string(res->status) + ": " + body.substr(0, 300);
        return false;
    }
    return true;
}

}  // namespace

std::unique_ptr<httplib::Client> make_client(int port) {
    auto client = std::make_unique<httplib::Client>("127.0.0.1", port);
    client->set_keep_alive(true);
    client->set_connection_timeout(5, 0);
    client->set_read_timeout(std::chrono::duration_cast<std::chrono::seconds>(kRequestTimeout));
    client->set_write_timeout(10, 0);
    client->set_tcp_nodelay(true);
    return client;
}

Sample post_complete(httplib::Client& client) {
    Sample s;
    const std::string body = request_body(false);
    const auto t0 = Clock::now();
    const auto res = client.Post("/v1/chat/completions", body, "application/json");
    s.total_ms = ms_between(t0, Clock::now());
    if (!answered_ok(res, res ? res->body : std::string(), s)) return s;
    const auto doc = json::parse(res->body, nullptr, false);
    if (text_of(field(field(item(field(doc, "choices"), 0), "message"), "content")) !=
        kExpectedReply)
        s.error = "unexpected body: " + res->body.substr(0, 300);
    s.first_delta_ms = s.total_ms;
    s.ok = s.error.empty();
    return s;
}

bool stream_chat(httplib::Client& client, const std::string& body, const ChunkHandler& on_chunk,
                 Sample& s) {
    httplib::Request req;
    req.method = "POST";
    req.path = "/v1/chat/completions";
    req.body = body;
    req.set_header("Content-Type", "application/json");
    req.set_header("Accept", "text/event-stream");
    std::string buffer;
    bool done = false;
    const auto t0 = Clock::now();
    req.content_receiver = [&](const char* data, std::size_t n, std::uint64_t, std::uint64_t) {
        const auto now = Clock::now();
        buffer.append(data, n);
        std::size_t start = 0;
        for (std::size_t end; (end = buffer.find("\n\n", start)) != std::string::npos;
             start = end + 2) {
            const std::string event = buffer.substr(start, end - start);
            if (event.rfind("data: ", 0) != 0) continue;
            if (event == "data: [DONE]") {
                done = true;
                continue;
            }
            on_chunk(json::parse(event.substr(6), nullptr, false), now);
        }
        buffer.erase(0, start);
        return true;
    };
    const auto res = client.send(req);
    s.total_ms = ms_between(t0, Clock::now());
    if (!answered_ok(res, buffer, s)) return false;
    if (!done) s.error = "the stream ended without [DONE]";
    return s.error.empty();
}

Sample post_stream(httplib::Client& client, const std::string& content,
                   const std::function<void()>& on_first, const std::string& expected) {
    Sample s;
    std::string text;
    const auto t0 = Clock::now();
    const bool streamed = stream_chat(
        client, request_body(true, content),
        [&](const json& chunk, Clock::time_point arrived) {
            const json& piece_json =
                field(field(item(field(chunk, "choices"), 0), "delta"), "content");
            if (!piece_json.is_string()) return;
            const auto piece = piece_json.get<std::string>();
            if (!piece.empty() && s.first_delta_ms == 0) {
                s.first_delta_ms = ms_between(t0, arrived);
                if (on_first) on_first();
            }
            text += piece;
        },
        s);
    if (!streamed) return s;
    if (s.first_delta_ms == 0) s.error = "no content delta";
    if (!expected.empty() && text != expected) s.error = "unexpected text: " + text.substr(0, 300);
    s.ok = s.error.empty();
    return s;
}

}  // namespace bench
