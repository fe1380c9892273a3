// pidfd system calls. glibc 2.36's <sys/pidfd.h> lacks C linkage for C++, so call them directly.
#pragma once

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace ch {

inline int open_pidfd(pid_t pid) {
    return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
}

inline int pidfd_signal(int pidfd, int sig) {
    return static_cast<int>(syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

}  // namespace ch
