#include "ctl_helpers.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "daemon_fixture.h"

extern char** environ;

namespace it {
namespace {

// spawn() with stdout and stderr on new pipes whose read ends are returned.
pid_t spawn_piped(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                  const std::string& stdin_path, int* out_fd, int* err_fd) {
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe2 failed");
    pid_t pid = -1;
    try {
        pid = spawn(argv, env, out[1], err[1], "", stdin_path);
    } catch (...) {
        for (int fd : {out[0], out[1], err[0], err[1]})
            close(fd);
        throw;
    }
    close(out[1]);
    close(err[1]);
    *out_fd = out[0];
    *err_fd = err[0];
    return pid;
}

// Reads what is there from fd into *to; false at EOF or error.
bool drain(int fd, std::string* to) {
    char buf[8192];
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) to->append(buf, static_cast<std::size_t>(n));
    return n > 0 || (n < 0 && errno == EINTR);
}

std::optional<int> reap(pid_t pid, std::chrono::milliseconds timeout) {
    int status = 0;
    const bool exited = wait_until([&] { return waitpid(pid, &status, WNOHANG) == pid; }, timeout);
    if (exited) return status;
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return std::nullopt;
}

}  // namespace

int ProcessResult::exit_code() const {
    return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<std::string> environment_with(const std::vector<std::string>& env) {
    return current_environment(env);
}

ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                          const std::string& stdin_path, std::chrono::milliseconds timeout) {
    int out = -1, err = -1;
    const pid_t pid = spawn_piped(argv, environment_with(env), stdin_path, &out, &err);
    ProcessResult result;
    const auto deadline = Clock::now() + timeout;
    bool out_open = true, err_open = true;
    while ((out_open || err_open) && Clock::now() < deadline) {
        pollfd fds[2] = {{out_open ? out : -1, POLLIN, 0}, {err_open ? err : -1, POLLIN, 0}};
        poll(fds, 2, 100);
        if (fds[0].revents) out_open = drain(out, &result.out);
        if (fds[1].revents) err_open = drain(err, &result.err);
    }
    close(out);
    close(err);
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    const auto status = reap(pid, std::max(left, std::chrono::milliseconds(100)));
    result.status = status ? *status : -1;
    return result;
}

ProcessResult run_ctl(const std::vector<std::string>& args, const std::vector<std::string>& env) {
    std::vector<std::string> argv{CH_CTL_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, env);
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(line);
    return lines;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv,
                                     const std::vector<std::string>& env) {
    pid_ = spawn_piped(argv, environment_with(env), "", &out_fd_, &err_fd_);
}

BackgroundProcess::~BackgroundProcess() {
    if (pid_ > 0) reap(pid_, std::chrono::milliseconds(0));
    close(out_fd_);
    close(err_fd_);
}

void BackgroundProcess::read_some(int timeout_ms) {
    pollfd fds[2] = {{eof_ ? -1 : out_fd_, POLLIN, 0}, {err_eof_ ? -1 : err_fd_, POLLIN, 0}};
    poll(fds, 2, timeout_ms);
    if (fds[0].revents) eof_ = !drain(out_fd_, &pending_);
    if (fds[1].revents) err_eof_ = !drain(err_fd_, &err_);
}

std::optional<std::string> BackgroundProcess::read_line(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        const auto nl = pending_.find('\n');
        if (nl != std::string::npos) {
            std::string line = pending_.substr(0, nl);
            pending_.erase(0, nl + 1);
            return line;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (eof_ || left <= 0) return std::nullopt;
        read_some(static_cast<int>(left));
    }
}

void BackgroundProcess::signal(int sig) {
    if (pid_ > 0) kill(pid_, sig);
}

std::optional<int> BackgroundProcess::wait(std::chrono::milliseconds timeout) {
    const auto status = reap(pid_, timeout);
    pid_ = -1;
    return status;
}

}  // namespace it
