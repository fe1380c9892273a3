// Requests against the daemon: chat bodies, OpenAI error-shape checks, SSE parsing, and a raw
// socket client for the tests that must drop a connection at a chosen moment.
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace it {

using json = nlohmann::json;

httplib::Client make_client(int port, std::chrono::seconds read_timeout = std::chrono::seconds(60));

// {"model":"claude-sonnet","messages":[{"role":"user","content":text}]} (+ "stream").
json chat_body(const std::string& user_text, bool stream = false);

httplib::Result post_chat(int port, const json& body, const httplib::Headers& headers = {},
                          std::chrono::seconds read_timeout = std::chrono::seconds(60));
httplib::Result post_text(int port, const std::string& body, const httplib::Headers& headers = {});

// Asserts the exact OpenAI error shape {"error":{"message","type","param","code"}} with the
// status, the type OpenAI uses for it, the code (when non-empty) and a message containing
// `message_part`. Returns the "error" object.
json check_error(const httplib::Result& res, int status, const std::string& code,
                 const std::string& message_part = "");
json check_error_body(const std::string& body, int status, const std::string& code,
                      const std::string& message_part = "");

// Asserts a 200 chat.completion and returns choices[0].message.content.
std::string completion_text(const httplib::Result& res);

// A parsed SSE response.
struct SseEvent {
    enum class Kind { Role, Content, Finish, Usage, Done, Error, Comment, Other } kind;
    std::string raw;  // the data payload or the comment line
    json value;       // parsed data (not for Done/Comment)
};
std::ostream& operator<<(std::ostream& out, SseEvent::Kind kind);
struct SseResult {
    int status = 0;
    httplib::Headers headers;
    std::string raw;  // the response body as received
    std::vector<SseEvent> events;
    std::string text;  // concatenated content deltas
    std::size_t content_chunks = 0;
    std::size_t keepalives = 0;
    bool done = false;
    std::optional<json> error;  // the data: {"error":...} event
};
SseResult parse_sse(int status, const httplib::Headers& headers, std::string raw);
SseResult stream_chat(int port, const json& body, const httplib::Headers& headers = {},
                      std::chrono::seconds read_timeout = std::chrono::seconds(60));

// A plain TCP connection for requests that are abandoned midway.
class RawConnection {
  public:
    explicit RawConnection(int port);
    ~RawConnection();
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    void send(const std::string& data);
    // Sends a POST /v1/chat/completions with this JSON body.
    void send_chat(const json& body);
    // Reads until the received bytes contain `needle`; false on timeout or EOF.
    bool read_until(const std::string& needle, std::chrono::milliseconds timeout);
    const std::string& received() const { return received_; }
    void close();

  private:
    int fd_ = -1;
    std::string received_;
};

}  // namespace it
