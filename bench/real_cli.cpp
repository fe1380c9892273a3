#include "bench/real_cli.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "bench/proc_stats.h"
#include "bench/process.h"
#include "daemon/run_as.h"

extern char** environ;

namespace bench {

using namespace std::chrono_literals;

constexpr auto kQuietTimeout = 30s;

// The mock prints "listening <port>" once it listens.
MockUpstream::MockUpstream(const std::string& node, const std::string& script) {
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) die("pipe2 failed");
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    // The child runs in /: the script's path must not depend on the bench's directory.
    const std::vector<std::string> args{node, std::filesystem::absolute(script).string(), "--port",
                                        "0"};
    const auto argv = c_strings(args);
    pid_ = fork();
    if (pid_ == 0)
        exec_child(node.c_str(), argv.data(), environ, "/", null_fd, out[1], null_fd, SIGTERM);
    if (pid_ < 0) die(std::string("fork: ") + std::strerror(errno));
    register_group(pid_);
    close_fd(out[1]);
    close_fd(null_fd);
    std::string text;
    char buf[256];
    ssize_t n;
    while (text.find('\n') == std::string::npos && (n = read(out[0], buf, sizeof buf)) > 0)
        text.append(buf, static_cast<std::size_t>(n));
    close_fd(out[0]);
    if (text.rfind("listening ", 0) != 0) die("the mock upstream did not start: " + text);
    port_ = std::atoi(text.c_str() + 10);
}

MockUpstream::~MockUpstream() {
    kill(-pid_, SIGTERM);
    if (!wait_until(pid_, Clock::now() + 5s))
        kill(-pid_, SIGKILL), wait_until(pid_, Clock::now() + 5s);
    unregister_group(pid_);
}

std::vector<pid_t> children_of(pid_t parent) {
    std::vector<pid_t> out;
    DIR* dir = opendir("/proc");
    if (!dir) return out;
    while (const dirent* e = readdir(dir)) {
        char* end = nullptr;
        const long pid = std::strtol(e->d_name, &end, 10);
        if (*end != '\0' || pid <= 0) continue;
        std::ifstream stat("/proc/" + std::string(e->d_name) + "/stat");
        std::string line;
        std::getline(stat, line);
        const auto close = line.rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream rest(line.substr(close + 2));
        char state;
        pid_t ppid = 0;
        rest >> state >> ppid;
        if (ppid == parent && state != 'Z') out.push_back(static_cast<pid_t>(pid));
    }
    closedir(dir);
    return out;
}

namespace {

double cpu_ms_of_all(const std::vector<pid_t>& pids) {
    double sum = 0;
    for (pid_t pid : pids)
        sum += cpu_ms_of(pid).first;
    return sum;
}

}  // namespace

bool wait_quiet(const Daemon& d, std::size_t n) {
    const auto deadline = Clock::now() + kQuietTimeout;
    double last = -1;
    int still = 0;
    while (Clock::now() < deadline) {
        const auto pids = children_of(d.pid());
        const double cpu = pids.size() == n ? cpu_ms_of_all(pids) : -1;
        still = cpu >= 0 && cpu == last ? still + 1 : 0;
        last = cpu;
        if (still >= 2) return true;
        std::this_thread::sleep_for(100ms);
    }
    return false;
}

std::string find_node(const Options& opt) {
    const char* path = std::getenv("PATH");
    const std::string node = opt.node.find('/') != std::string::npos
                                 ? opt.node
                                 : ch::find_executable(opt.node, path ? path : "");
    if (node.empty()) die("node not found in PATH (needed for the mock upstream)");
    return node;
}

}  // namespace bench
