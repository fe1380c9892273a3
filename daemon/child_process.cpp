#include "daemon/child_process.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "daemon/child_reaper.h"
#include "daemon/exec_util.h"
#include "daemon/pidfd.h"

namespace ch {
namespace {

// What the child reports through the exec-error pipe when it cannot exec.
struct ChildFailure {
    int stage;
    int error;
    long value;  // the id or descriptor involved
};

enum Stage {
    kCgroup,
    kSetpgid,
    kDup,
    kSetgroups,
    kSetgid,
    kSetuid,
    kVerify,
    kChdir,
    kExec,
    kParent
};

std::string describe(const ChildFailure& f, const ProcessSpec& spec) {
    const std::string err = std::strerror(f.error);
    switch (f.stage) {
        case kCgroup:
            return "cannot enter the job's cgroup: " + err;
        case kSetpgid:
            return "setpgid: " + err;
        case kDup:
            return "dup2: " + err;
        case kSetgroups:
            return "setgroups for user '" + spec.run_as.name + "': " + err;
        case kSetgid:
            return "setgid(" + std::to_string(f.value) + "): " + err;
        case kSetuid:
            return "setuid(" + std::to_string(f.value) + "): " + err;
        case kVerify:
            return "credentials did not change to user '" + spec.run_as.name + "'";
        case kChdir:
            return "cannot enter working directory " + spec.cwd + ": " + err;
        case kExec:
            return "exec " + spec.path + ": " + err;
        case kParent:
            return "the daemon exited while the process started";
        default:
            return "unknown failure: " + err;
    }
}

[[noreturn]] void fail(int fd, int stage, long value = 0) {
    const ChildFailure f{stage, errno, value};
    (void)!write(fd, &f, sizeof f);
    _exit(127);
}

// Runs in the vfork()ed child, which shares the daemon's memory until exec, or in a fork()ed
// one of a multi-threaded daemon: only plain system calls from here on. Credentials change
// through raw syscalls, because glibc's setuid() and friends would try to change every thread
// of the daemon too. `hold` open: wait for a byte on it first (the parent is placing us).
[[noreturn]] void exec_child(const ProcessSpec& spec, char* const* argv, char* const* envp,
                             const int pipes[3][2], int report, const int hold[2], pid_t parent) {
    if (hold[0] >= 0) {
        close(hold[1]);  // or the parent giving up would not end the read
        char go = 0;
        ssize_t n;
        do {
            n = read(hold[0], &go, 1);
        } while (n < 0 && errno == EINTR);
        if (n != 1) _exit(127);  // the parent gave up on this start and reports why itself
    }
    // "0" moves the writer itself; done while still root, before the user switch.
    if (spec.cgroup_procs_fd >= 0 && write(spec.cgroup_procs_fd, "0", 1) != 1)
        fail(report, kCgroup);
    if (setpgid(0, 0) != 0) fail(report, kSetpgid);

    if (dup2(pipes[0][0], 0) < 0 || dup2(pipes[1][1], 1) < 0 || dup2(pipes[2][1], 2) < 0)
        fail(report, kDup);

    // Signals: the daemon blocks and ignores some; the CLI must start with defaults.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig)
        sigaction(sig, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);

    const RunAs& who = spec.run_as;
    if (who.switch_user) {
        if (syscall(SYS_setgroups, who.groups.size(), who.groups.data()) != 0)
            fail(report, kSetgroups);
        if (syscall(SYS_setresgid, who.gid, who.gid, who.gid) != 0) fail(report, kSetgid, who.gid);
        if (syscall(SYS_setresuid, who.uid, who.uid, who.uid) != 0) fail(report, kSetuid, who.uid);
        if (getuid() != who.uid || geteuid() != who.uid || getgid() != who.gid ||
            getegid() != who.gid || (who.uid != 0 && syscall(SYS_setuid, 0) == 0)) {
            errno = EPERM;
            fail(report, kVerify);
        }
    }
    // After switching credentials (they reset it), so the CLI dies with the daemon.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) {
        errno = ESRCH;
        fail(report, kParent);
    }
    // Entered only now: root without CAP_DAC_OVERRIDE cannot enter the user's directories.
    if (!spec.cwd.empty() && chdir(spec.cwd.c_str()) != 0) fail(report, kChdir);

    // Nothing but the three pipes crosses exec; the report pipe closes on success.
    syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
    execve(spec.path.c_str(), argv, envp);
    fail(report, kExec);
}

}  // namespace

ChildProcess ChildProcess::spawn(const ProcessSpec& spec, ChildReaper& reaper,
                                 const PlaceChild& place) {
    int pipes[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}};
    int report[2] = {-1, -1};
    int hold[2] = {-1, -1};
    auto close_all = [&] {
        for (auto& p : pipes)
            close_fd(p[0]), close_fd(p[1]);
        for (int* fd : {&report[0], &report[1], &hold[0], &hold[1]})
            close_fd(*fd);
    };
    for (int* p : {pipes[0], pipes[1], pipes[2], report, hold}) {
        if (p == hold && !place) break;
        if (pipe2(p, O_CLOEXEC) != 0) {
            const int err = errno;
            close_all();
            throw SpawnError(std::string("pipe: ") + std::strerror(err));
        }
    }
    const auto argv = c_strings(spec.argv);
    const auto envp = c_strings(spec.env);
    const pid_t parent = getpid();

    pid_t pid;
    {
        auto held = reaper.lock();
        // vfork: the daemon's address space (hundreds of thread stacks) is not copied, which
        // made fork() cost milliseconds per job. A child to be placed must wait: fork.
        pid = place ? fork() : vfork();
        if (pid == 0) exec_child(spec, argv.data(), envp.data(), pipes, report[1], hold, parent);
        if (pid > 0) reaper.watch(pid, held);
    }
    if (pid < 0) {
        const int err = errno;
        close_all();
        throw SpawnError(std::string(place ? "fork: " : "vfork: ") + std::strerror(err));
    }

    ChildProcess child(reaper, pid);
    if (place) {
        // Its own group already, so that abandoning it below kills it (the child's own
        // setpgid comes after the wait).
        setpgid(pid, pid);
        close_fd(hold[0]);
        try {
            place(pid);
        } catch (...) {
            close_all();  // the closed hold pipe ends the child; the destructor reaps it
            throw;
        }
        const char go = 1;
        if (write(hold[1], &go, 1) != 1) {
            const int err = errno;
            close_all();
            throw SpawnError(std::string("cannot release the new process: ") + std::strerror(err));
        }
        close_fd(hold[1]);
    }
    child.stdin_fd_ = pipes[0][1];
    child.stdout_fd_ = pipes[1][0];
    child.stderr_fd_ = pipes[2][0];
    pipes[0][1] = pipes[1][0] = pipes[2][0] = -1;
    close_fd(report[1]);
    for (auto& p : pipes)
        close_fd(p[0]), close_fd(p[1]);

    ChildFailure failure{};
    ssize_t n;
    do {
        n = read(report[0], &failure, sizeof failure);
    } while (n < 0 && errno == EINTR);
    close_fd(report[0]);
    if (n == static_cast<ssize_t>(sizeof failure)) {
        child.reap(std::chrono::steady_clock::now() + std::chrono::seconds(5));
        throw SpawnError(describe(failure, spec));
    }

    for (int fd : {child.stdin_fd_, child.stdout_fd_, child.stderr_fd_})
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    child.pidfd_ = open_pidfd(pid);
    return child;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : reaper_(other.reaper_),
      pid_(other.pid_),
      stdin_fd_(other.stdin_fd_),
      stdout_fd_(other.stdout_fd_),
      stderr_fd_(other.stderr_fd_),
      pidfd_(other.pidfd_),
      status_(other.status_) {
    other.pid_ = -1;
    other.stdin_fd_ = other.stdout_fd_ = other.stderr_fd_ = other.pidfd_ = -1;
}

ChildProcess::~ChildProcess() {
    if (pid_ > 0 && !status_) {
        signal_group(SIGKILL);
        reap(std::chrono::steady_clock::now() + std::chrono::seconds(10));
    }
    close_fd(stdin_fd_);
    close_fd(stdout_fd_);
    close_fd(stderr_fd_);
    close_fd(pidfd_);
}

void ChildProcess::close_stdin() {
    close_fd(stdin_fd_);
}

void ChildProcess::signal_group(int sig) {
    // The group id is the CLI's pid; it cannot be reused while the CLI is unreaped or any
    // member of its group is alive.
    if (pid_ > 0) kill(-pid_, sig);
}

bool ChildProcess::has_exited() const {
    if (status_) return true;
    // No pidfd: the process had already exited and been reaped when it was to be opened.
    if (pidfd_ < 0) return reaper_->reaped(pid_);
    pollfd p{pidfd_, POLLIN, 0};
    return poll(&p, 1, 0) > 0;
}

std::optional<int> ChildProcess::reap(std::chrono::steady_clock::time_point deadline) {
    if (status_) return status_;
    // Leftovers in the group (a grandchild holding stdout) die with it; signalled before the
    // reap so the group id cannot have been recycled.
    if (has_exited()) signal_group(SIGKILL);
    status_ = reaper_->wait_for(pid_, deadline);
    if (status_) signal_group(SIGKILL);
    return status_;
}

std::string describe_wait_status(int status) {
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        return "killed by signal " + std::to_string(sig) + " (" + sigdescr_np(sig) + ")";
    }
    return "ended with wait status " + std::to_string(status);
}

}  // namespace ch
