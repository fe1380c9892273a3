#include "bench/direct.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>

#include "bench/process.h"
#include "common/prompt.h"
#include "daemon/cli_command.h"
#include "daemon/run_as.h"

namespace bench {

using namespace std::chrono_literals;

DirectCommand direct_command(const std::string& fake, const std::string& cwd) {
    // The daemon's own argv, environment and stdin, so the baseline tracks what it runs.
    std::string error;
    const auto who = ch::resolve_run_as("", &error);
    if (!who) throw std::runtime_error(error);
    ch::ModelConfig model;
    model.cli_model = "sonnet";
    ch::ProviderConfig provider;
    provider.env = {{"ANTHROPIC_API_KEY", "dummy"}};
    ch::ChatRequest request;
    ch::ContentPart text;
    text.text = kPrompt;
    request.messages.push_back({"user", {text}});
    DirectCommand c;
    c.path = fake;
    c.argv = ch::cli_arguments(fake, model);
    c.env = ch::cli_environment(*who, provider, ch::LimitsConfig{}, std::nullopt);
    c.cwd = cwd;
    for (const auto& line : ch::render_cli_input(request, ""))
        c.input += line;
    return c;
}

Sample run_direct(const DirectCommand& cmd) {
    Sample s;
    const auto argv = c_strings(cmd.argv);
    const auto envp = c_strings(cmd.env);
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
        s.error = std::string("pipe2: ") + std::strerror(errno);
        for (int* p : {in, out, err})
            close_fd(p[0]), close_fd(p[1]);
        return s;
    }

    const auto t0 = Clock::now();
    const pid_t pid = fork();
    if (pid == 0)
        exec_child(cmd.path.c_str(), argv.data(), envp.data(), cmd.cwd.c_str(), in[0], out[1],
                   err[1], SIGKILL);
    if (pid < 0) {
        s.error = std::string("fork: ") + std::strerror(errno);
        for (int* p : {in, out, err})
            close_fd(p[0]), close_fd(p[1]);
        return s;
    }
    register_group(pid);
    close_fd(in[0]);
    close_fd(out[1]);
    close_fd(err[1]);

    // A few hundred bytes: one write into an empty pipe.
    if (write(in[1], cmd.input.data(), cmd.input.size()) != static_cast<ssize_t>(cmd.input.size()))
        s.error = "short write to the CLI's stdin";

    const auto deadline = t0 + kRequestTimeout;
    std::string buffer;
    bool got_result = false, out_open = true, err_open = true;
    char chunk[65536];
    while (s.error.empty() && !got_result && out_open) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            s.error = "no result line within the request timeout";
            break;
        }
        pollfd fds[2] = {{out[0], POLLIN, 0}, {err_open ? err[0] : -1, POLLIN, 0}};
        if (poll(fds, 2, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
        if (fds[1].revents) {
            const ssize_t n = read(err[0], chunk, sizeof chunk);
            if (n <= 0) err_open = false;
        }
        if (!fds[0].revents) continue;
        const ssize_t n = read(out[0], chunk, sizeof chunk);
        if (n <= 0) {
            out_open = false;
            break;
        }
        const auto now = Clock::now();
        buffer.append(chunk, static_cast<std::size_t>(n));
        std::size_t start = 0;
        for (std::size_t nl; (nl = buffer.find('\n', start)) != std::string::npos; start = nl + 1) {
            const auto line =
                json::parse(buffer.begin() + static_cast<std::ptrdiff_t>(start),
                            buffer.begin() + static_cast<std::ptrdiff_t>(nl), nullptr, false);
            if (!line.is_object()) continue;
            const std::string type = text_of(field(line, "type"));
            if (type == "stream_event" && s.first_delta_ms == 0) {
                const json& ev = field(line, "event");
                if (text_of(field(ev, "type")) == "content_block_delta" &&
                    text_of(field(field(ev, "delta"), "type")) == "text_delta")
                    s.first_delta_ms = ms_between(t0, now);
            } else if (type == "result") {
                s.total_ms = ms_between(t0, now);
                got_result = true;
                if (field(line, "is_error") != false) s.error = "the result is an error";
                if (text_of(field(line, "result")) != kExpectedReply) s.error = "unexpected reply";
                break;
            }
        }
        buffer.erase(0, start);
    }
    if (!got_result && s.error.empty()) s.error = "the CLI ended without a result line";

    // Like the daemon: stdin EOF ends the CLI; drain its output until it has exited.
    close_fd(in[1]);
    const auto exit_deadline = Clock::now() + 5s;
    while (out_open || err_open) {
        const auto left =
            std::chrono::ceil<std::chrono::milliseconds>(exit_deadline - Clock::now());
        if (left.count() <= 0) break;
        pollfd fds[2] = {{out_open ? out[0] : -1, POLLIN, 0}, {err_open ? err[0] : -1, POLLIN, 0}};
        if (poll(fds, 2, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
        if (fds[0].revents && read(out[0], chunk, sizeof chunk) <= 0) out_open = false;
        if (fds[1].revents && read(err[0], chunk, sizeof chunk) <= 0) err_open = false;
    }
    auto status = wait_until(pid, exit_deadline);
    if (!status) {
        kill(-pid, SIGKILL);
        status = wait_until(pid, Clock::now() + 5s);
        if (s.error.empty()) s.error = "the CLI did not exit on stdin EOF";
    }
    if (status) {
        kill(-pid, SIGKILL);  // anything left in its group
        unregister_group(pid);
        if (s.error.empty() && *status != 0) s.error = "the CLI " + describe_status(*status);
    }
    close_fd(out[0]);
    close_fd(err[0]);
    s.ok = s.error.empty();
    return s;
}

}  // namespace bench
