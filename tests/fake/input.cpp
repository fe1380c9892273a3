// fake-claude: input.  Reads stdin, parses stream-json lines, answers
// control_requests, queues user messages, and waits (poll on stdin and the
// SIGINT self-pipe) for input, deadlines and interrupts.
#include "fake.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <exception>
#include <utility>

namespace fake {

// Parse and dispatch the complete lines in inbuf_.  Control requests are
// answered at once; user lines are queued.  Sets interrupt_requested_.
void Fake::process_lines() {
    for (;;) {
        const std::size_t nl = inbuf_.find('\n', scan_pos_);
        if (nl == std::string::npos) {
            scan_pos_ = inbuf_.size();
            return;
        }
        std::string line = inbuf_.substr(0, nl);
        inbuf_.erase(0, nl + 1);
        scan_pos_ = 0;
        handle_line(line);
    }
}

void Fake::handle_line(const std::string& raw) {
    std::string line = raw;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t\r") == std::string::npos) return;
    ojson j;
    try {
        j = ojson::parse(line);
    } catch (const std::exception& e) {
        std::string shown = line.size() > 200 ? line.substr(0, 200) + "..." : line;
        write_stderr("Error parsing streaming input line: " + shown +
                     ": SyntaxError: JSON Parse error: " + e.what() + "\n");
        std::exit(1);
    }
    if (!j.is_object()) return;
    const std::string type = j.value("type", "");
    if (type == "user") {
        std::string role = "undefined";
        if (j.contains("message") && j["message"].is_object() && j["message"].contains("role")) {
            role = j["message"]["role"].is_string() ? j["message"]["role"].get<std::string>()
                                                    : dump(j["message"]["role"]);
        }
        if (role != "user") {
            write_stderr("Error: Expected message role 'user', got '" + role + "'\n");
            std::exit(1);
        }
        queued_.push_back(std::move(j));
    } else if (type == "control_request") {
        handle_control(j);
    }
    // control_response, keep_alive, update_environment_variables, unknown: ignored
}

void Fake::handle_control(const ojson& j) {
    const ojson id = j.contains("request_id") ? j["request_id"] : ojson(nullptr);
    const ojson req =
        j.contains("request") && j["request"].is_object() ? j["request"] : ojson::object();
    const std::string subtype = req.value("subtype", "");
    ojson resp = {{"subtype", "success"}, {"request_id", id}};
    if (subtype == "initialize") {
        if (req.contains("systemPrompt")) {
            const ojson& sp = req["systemPrompt"];
            if (sp.is_string()) {
                system_prompt_ = sp.get<std::string>();
            } else if (sp.is_array()) {
                std::string joined;
                bool first = true;
                for (const auto& part : sp) {
                    if (!first) joined += "\n\n";
                    first = false;
                    joined += part.is_string() ? part.get<std::string>() : dump(part);
                }
                system_prompt_ = joined;
            }
        }
        resp["response"] = ojson::object();
    } else if (subtype == "set_model") {
        const std::string model = req.value("model", "");
        set_model(model);
        // The real CLI replays the switch as a user line before answering.
        emit({{"type", "user"},
              {"message",
               {{"role", "user"},
                {"content", "<local-command-stdout>Set model to " + model + " (" + init_model_ +
                                ")</local-command-stdout>"}}},
              {"session_id", session_id_},
              {"parent_tool_use_id", nullptr},
              {"uuid", uuid4()},
              {"timestamp", iso_now()},
              {"isReplay", true}});
    } else if (subtype == "interrupt") {
        if (!ignore_signals_) interrupt_requested_ = true;
    } else {
        resp["response"] = ojson::object();
    }
    emit({{"type", "control_response"}, {"response", resp}});
}

// One read() from stdin (called when poll() says it is readable); complete
// lines are processed at once.
void Fake::read_stdin_once() {
    char buf[65536];
    const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n > 0) {
        inbuf_.append(buf, static_cast<std::size_t>(n));
        process_lines();
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        stdin_eof_ = true;
        // A final line without '\n' still counts.
        if (!inbuf_.empty()) {
            std::string rest;
            rest.swap(inbuf_);
            scan_pos_ = 0;
            handle_line(rest);
        }
    }
}

// Wait until the deadline (or forever with timeout_ms < 0) while reading
// stdin.  Returns early with the reason when a SIGINT or a control interrupt
// arrives, and with Abort::None when until_input is set and a user message
// was queued or stdin reached EOF.
Abort Fake::pause(long long timeout_ms, bool until_input) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
    for (;;) {
        if (g_sigint) {
            if (ignore_signals_) {
                g_sigint = 0;
            } else {
                return Abort::Sigint;
            }
        }
        if (interrupt_requested_) {
            interrupt_requested_ = false;
            return Abort::Interrupt;
        }
        int wait_ms = -1;
        if (timeout_ms >= 0) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now())
                    .count();
            if (left <= 0) {
                if (timeout_ms > 0 || !poll_ready()) return Abort::None;
                wait_ms = 0;
            } else {
                wait_ms = static_cast<int>(std::min<long long>(left, 1000 * 1000));
            }
        }
        pollfd fds[2] = {{g_sig_pipe[0], POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
        const nfds_t nfds = stdin_eof_ ? 1 : 2;
        const int r = ::poll(fds, nfds, wait_ms);
        if (r < 0) {
            if (errno == EINTR) continue;
            return Abort::None;
        }
        if (fds[0].revents & POLLIN) drain_sig_pipe();
        if (nfds == 2 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) read_stdin_once();
        if (until_input && (!queued_.empty() || stdin_eof_)) return Abort::None;
        if (r == 0 && timeout_ms == 0) return Abort::None;
    }
}

bool Fake::poll_ready() {
    pollfd fds[2] = {{g_sig_pipe[0], POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    const nfds_t nfds = stdin_eof_ ? 1 : 2;
    return ::poll(fds, nfds, 0) > 0;
}

// Block until a user message is available (or EOF).
std::optional<ojson> Fake::next_user_message() {
    for (;;) {
        if (!queued_.empty()) {
            ojson m = std::move(queued_.front());
            queued_.pop_front();
            return m;
        }
        if (stdin_eof_) return std::nullopt;
        const Abort a = pause(-1, true);
        if (a == Abort::Sigint) std::exit(0);  // idle: SIGINT gives rc 0
        // a control interrupt while idle: answered, nothing else to do
    }
}

}  // namespace fake
