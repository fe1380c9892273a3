// fake-claude: signals and processes.  SIGTERM and SIGHUP end the process from
// their handlers; SIGINT is delivered through a self-pipe that every wait
// polls.  Also the FAKE_CLAUDE_PID_DIR pid files and the grandchild scenarios.
#include "fake.hpp"

#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace fake {

int g_sig_pipe[2] = {-1, -1};
volatile sig_atomic_t g_sigint = 0;

namespace {

extern "C" void on_sigint(int) {
    const int saved = errno;
    g_sigint = 1;
    const char c = 'i';
    [[maybe_unused]] ssize_t r = ::write(g_sig_pipe[1], &c, 1);
    errno = saved;
}
extern "C" void on_sigterm(int) {
    _exit(143);
}
extern "C" void on_sighup(int) {
    _exit(129);
}

void install(int sig, void (*handler)(int)) {
    struct sigaction sa {};
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: blocking calls return EINTR
    sigaction(sig, &sa, nullptr);
}

}  // namespace

void setup_signals() {
    if (pipe2(g_sig_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        std::perror("fake-claude: pipe2");
        std::exit(2);
    }
    install(SIGINT, on_sigint);
    install(SIGTERM, on_sigterm);
    install(SIGHUP, on_sighup);
    signal(SIGPIPE, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_UNBLOCK, &set, nullptr);
}

void drain_sig_pipe() {
    char buf[64];
    while (::read(g_sig_pipe[0], buf, sizeof buf) > 0) {
    }
}

// Sleep for ms milliseconds without reacting to anything but SIGTERM/SIGHUP
// (which terminate the process from their handlers).  Used in grandchildren.
void plain_sleep_ms(long long ms) {
    struct timespec ts {};
    ts.tv_sec = static_cast<time_t>(ms / 1000);
    ts.tv_nsec = static_cast<long>((ms % 1000) * 1000000);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

void record_pid(pid_t pid) {
    const char* dir = std::getenv("FAKE_CLAUDE_PID_DIR");
    if (dir == nullptr || *dir == '\0') return;
    const std::string path = std::string(dir) + "/" + std::to_string(pid);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        write_stderr("fake-claude: cannot create " + path + ": " + std::strerror(errno) + "\n");
        return;
    }
    const std::string content = std::to_string(pid) + "\n";
    write_all(fd, content.data(), content.size());
    ::close(fd);
}

void Fake::spawn_grandchild(bool new_session) {
    // The child reports over this pipe once it is set up (setsid done), so the
    // answer never races with it: by the first output line it has escaped.
    int ready[2];
    if (pipe2(ready, O_CLOEXEC) != 0) {
        write_stderr(std::string("fake-claude: pipe2: ") + std::strerror(errno) + "\n");
        return;
    }
    const pid_t pid = fork();
    if (pid < 0) {
        write_stderr(std::string("fake-claude: fork: ") + std::strerror(errno) + "\n");
        ::close(ready[0]);
        ::close(ready[1]);
        return;
    }
    if (pid == 0) {
        ::close(ready[0]);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        if (new_session) setsid();
        ::close(ready[1]);
        // Keeps stdin/stdout/stderr open, like a background `sleep 300 &`.
        plain_sleep_ms(300 * 1000);
        _exit(0);
    }
    record_pid(pid);
    ::close(ready[1]);
    char c;
    while (::read(ready[0], &c, 1) < 0 && errno == EINTR) {
    }
    ::close(ready[0]);
}

}  // namespace fake
