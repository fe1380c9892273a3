// The cgroup of an agent-mode job: a child that enters it before exec, everything in it killed
// (also a process in a session of its own), the group removed; and the groups a crashed daemon
// left behind removed at the next start while another running daemon's stay.
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "daemon/cgroup_fs.h"
#include "daemon/job_cgroup.h"

namespace {

bool exists(const std::string& path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0;
}

// A child that enters the cgroup whose cgroup.procs is `procs_fd`, then starts a grandchild in
// a new session; both sleep. Returns the child's pid once both are in the group.
pid_t start_sleepers(int procs_fd) {
    int ready[2];
    BOOST_REQUIRE(pipe2(ready, O_CLOEXEC) == 0);
    const pid_t pid = fork();
    if (pid == 0) {
        if (write(procs_fd, "0", 1) != 1) _exit(1);
        if (fork() == 0) {
            setsid();
            execl("/bin/sleep", "sleep", "300", nullptr);
            _exit(1);
        }
        // The grandchild was born in the group: both are there now.
        if (write(ready[1], "1", 1) != 1) _exit(1);
        execl("/bin/sleep", "sleep", "300", nullptr);
        _exit(1);
    }
    close(ready[1]);
    char c = 0;
    BOOST_REQUIRE(read(ready[0], &c, 1) == 1);
    close(ready[0]);
    return pid;
}

std::size_t count_procs(const std::string& dir) {
    std::ifstream in(dir + "/cgroup.procs");
    std::size_t n = 0;
    pid_t pid;
    while (in >> pid)
        ++n;
    return n;
}

// A pid no process has now: one of ours, reaped.
pid_t dead_pid() {
    const pid_t pid = fork();
    if (pid == 0) _exit(0);
    waitpid(pid, nullptr, 0);
    return pid;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(job_cgroup)

BOOST_AUTO_TEST_CASE(everything_in_the_group_is_killed_and_the_group_removed) {
    std::string error;
    auto cgroup = ch::JobCgroup::create("unit-test", &error);
    BOOST_REQUIRE_MESSAGE(cgroup, "cgroup v2 is needed to test agent mode: " << error);
    const std::string path = cgroup->path();
    const pid_t child = start_sleepers(cgroup->procs_fd());
    BOOST_TEST(count_procs(path) == 2u);
    BOOST_TEST(cgroup->kill());
    BOOST_TEST(count_procs(path) == 0u);
    int status = 0;
    BOOST_TEST(waitpid(child, &status, 0) == child);
    BOOST_TEST((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
    cgroup.reset();
    BOOST_TEST(!exists(path), path << " was not removed");
}

BOOST_AUTO_TEST_CASE(leftovers_of_a_dead_daemon_are_removed) {
    const std::string parent = ch::cgroup_dir_of(0);
    BOOST_REQUIRE_MESSAGE(!parent.empty(), "no cgroup v2: agent mode cannot be tested");
    const std::string stale =
        parent + "/claude-harness-" + std::to_string(dead_pid()) + "-job-stale";
    const std::string alive = parent + "/claude-harness-" + std::to_string(getppid()) + "-job-live";
    BOOST_REQUIRE(mkdir(stale.c_str(), 0755) == 0);
    BOOST_REQUIRE(mkdir(alive.c_str(), 0755) == 0);
    const int fd = open((stale + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
    BOOST_REQUIRE(fd >= 0);
    const pid_t child = start_sleepers(fd);
    close(fd);
    BOOST_TEST(count_procs(stale) == 2u);

    BOOST_TEST(ch::remove_leftover_job_cgroups() >= 1);
    BOOST_TEST(!exists(stale));
    BOOST_TEST(exists(alive), "a running daemon's group was removed");
    rmdir(alive.c_str());
    int status = 0;
    BOOST_TEST(waitpid(child, &status, 0) == child);
    BOOST_TEST(WIFSIGNALED(status));
}

BOOST_AUTO_TEST_SUITE_END()
