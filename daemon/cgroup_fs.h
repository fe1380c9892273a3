// Reading the cgroup v2 file system: where it is mounted, which group a process is in, and
// whether a group still holds processes. Shared by both ways an agent job is contained (a
// cgroup of the daemon's own, a systemd scope), which read it even where it is read-only.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

namespace ch {

// The cgroup2 mount point from /proc/self/mountinfo ("" when there is none).
std::string cgroup2_mount();

// The directory of `pid`'s cgroup v2 ("" when there is none): the cgroup2 mount joined with the
// "0::" path of /proc/<pid>/cgroup. 0 = this process.
std::string cgroup_dir_of(pid_t pid);

// True while the group in `dir` (or one below it) has a process; false once it is empty or gone.
bool cgroup_populated(const std::string& dir);

// Waits until the group in `dir` is empty or gone, or `deadline`; true when it is.
bool wait_cgroup_empty(const std::string& dir, std::chrono::steady_clock::time_point deadline);

}  // namespace ch
