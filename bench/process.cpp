#include "bench/process.h"

#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <set>

namespace bench {

using namespace std::chrono_literals;

namespace {

std::mutex g_live_mutex;
std::set<pid_t> g_live_groups;  // process groups (each child leads its own)
std::string g_temp_dir;         // the bench's scratch directory, removed by kill_everything too

}  // namespace

void register_group(pid_t pid) {
    std::lock_guard guard(g_live_mutex);
    g_live_groups.insert(pid);
}

void unregister_group(pid_t pid) {
    std::lock_guard guard(g_live_mutex);
    g_live_groups.erase(pid);
}

void set_temp_dir(const std::string& dir) {
    std::lock_guard guard(g_live_mutex);
    g_temp_dir = dir;
}

void kill_everything() {
    std::lock_guard guard(g_live_mutex);
    for (const pid_t pid : g_live_groups)
        kill(-pid, SIGKILL);
    for (const pid_t pid : g_live_groups)
        waitpid(pid, nullptr, 0);
    g_live_groups.clear();
    if (!g_temp_dir.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(g_temp_dir, ec);
        g_temp_dir.clear();
    }
}

Guard::Guard(std::chrono::seconds limit) : deadline_(Clock::now() + limit) {
    thread_ = std::thread([this] { run(); });
}

Guard::~Guard() {
    done_ = true;
    thread_.join();
}

void Guard::run() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGINT, SIGTERM, SIGHUP})
        sigaddset(&set, sig);
    while (!done_) {
        const timespec tick{0, 100'000'000};
        const int sig = sigtimedwait(&set, nullptr, &tick);
        if (sig > 0 || Clock::now() >= deadline_) {
            std::fprintf(stderr, "harness-bench: %s; killing everything it started\n",
                         sig > 0 ? strsignal(sig) : "time limit reached");
            kill_everything();
            _exit(3);
        }
    }
}

[[noreturn]] void exec_child(const char* path, char* const* argv, char* const* envp,
                             const char* cwd, int in, int out, int err, int deathsig) {
    setpgid(0, 0);
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(126);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig)
        sigaction(sig, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    prctl(PR_SET_PDEATHSIG, deathsig);
    if (cwd && chdir(cwd) != 0) _exit(126);
    syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
    execve(path, argv, envp);
    _exit(127);
}

std::optional<int> wait_until(pid_t pid, Clock::time_point deadline) {
    for (;;) {
        int status = 0;
        const pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) return status;
        if (r < 0 && errno != EINTR) return std::nullopt;
        if (Clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(1ms);
    }
}

std::string describe_status(int status) {
    if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return std::string("killed by ") + strsignal(WTERMSIG(status));
    return "wait status " + std::to_string(status);
}

}  // namespace bench
