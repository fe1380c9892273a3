#include "daemon/cgroup_fs.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace ch {

std::string cgroup2_mount() {
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line)) {
        // "<id> <parent> <dev> <root> <mount point> <options> [optional...] - <type> ..."
        const auto dash = line.find(" - ");
        if (dash == std::string::npos) continue;
        std::istringstream tail(line.substr(dash + 3));
        std::string type;
        tail >> type;
        if (type != "cgroup2") continue;
        std::istringstream head(line.substr(0, dash));
        std::string id, parent, dev, root, mount;
        head >> id >> parent >> dev >> root >> mount;
        return mount;
    }
    return "";
}

std::string cgroup_dir_of(pid_t pid) {
    const std::string mount = cgroup2_mount();
    if (mount.empty()) return "";
    std::ifstream in(pid == 0 ? std::string("/proc/self/cgroup")
                              : "/proc/" + std::to_string(pid) + "/cgroup");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("0::", 0) != 0) continue;
        std::string path = line.substr(3);
        if (path == "/") path.clear();
        return mount + path;
    }
    return "";
}

bool cgroup_populated(const std::string& dir) {
    std::ifstream in(dir + "/cgroup.events");
    std::string line;
    while (std::getline(in, line)) {
        if (line == "populated 1") return true;
    }
    return false;
}

bool wait_cgroup_empty(const std::string& dir, std::chrono::steady_clock::time_point deadline) {
    using Clock = std::chrono::steady_clock;
    // cgroup.events signals POLLPRI whenever "populated" changes.
    const int events = open((dir + "/cgroup.events").c_str(), O_RDONLY | O_CLOEXEC);
    while (cgroup_populated(dir)) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0 || events < 0) break;
        pollfd p{events, POLLPRI, 0};
        poll(&p, 1, static_cast<int>(left.count()));
    }
    if (events >= 0) close(events);
    return !cgroup_populated(dir);
}

}  // namespace ch
