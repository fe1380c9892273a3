#include "bench/proc_stats.h"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "bench/util.h"

namespace bench {

namespace {

std::map<std::string, long> proc_kb_fields(const std::string& path) {
    std::map<std::string, long> out;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        const std::string key = line.substr(0, colon);
        out[key] = std::atol(line.c_str() + colon + 1);
    }
    return out;
}

}  // namespace

Memory memory_of(pid_t pid) {
    const std::string base = "/proc/" + std::to_string(pid);
    const auto status = proc_kb_fields(base + "/status");
    const auto rollup = proc_kb_fields(base + "/smaps_rollup");
    auto get = [](const std::map<std::string, long>& m, const char* key) {
        const auto it = m.find(key);
        return it == m.end() ? 0L : it->second;
    };
    Memory m;
    m.rss_kb = get(status, "VmRSS");
    m.hwm_kb = get(status, "VmHWM");
    m.anon_kb = get(status, "RssAnon");
    m.file_kb = get(status, "RssFile");
    m.shmem_kb = get(status, "RssShmem");
    m.vm_kb = get(status, "VmSize");
    m.threads = get(status, "Threads");
    m.pss_kb = get(rollup, "Pss");
    m.pss_anon_kb = get(rollup, "Pss_Anon");
    m.pss_file_kb = get(rollup, "Pss_File");
    return m;
}

std::vector<MappingUse> rss_by_mapping(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/smaps");
    std::map<std::string, MappingUse> sums;
    std::string line;
    MappingUse* current = nullptr;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        if (std::isxdigit(static_cast<unsigned char>(line[0])) && line.find('-') < 17) {
            // "start-end perms offset dev inode   path"
            std::istringstream fields(line);
            std::string range, perms, offset, dev, inode;
            fields >> range >> perms >> offset >> dev >> inode;
            std::string path;
            std::getline(fields, path);
            path.erase(0, std::min(path.size(), path.find_first_not_of(' ')));
            if (path.empty()) path = "[anon]";
            current = &sums[path];
            current->name = path;
        } else if (current && line.rfind("Rss:", 0) == 0) {
            current->rss_kb += std::atol(line.c_str() + 4);
        } else if (current && line.rfind("Anonymous:", 0) == 0) {
            current->anon_kb += std::atol(line.c_str() + 10);
        } else if (current && line.rfind("Pss:", 0) == 0) {
            current->pss_kb += std::atol(line.c_str() + 4);
        }
    }
    std::vector<MappingUse> out;
    for (auto& [name, use] : sums)
        out.push_back(use);
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.rss_kb > b.rss_kb; });
    return out;
}

std::pair<double, double> cpu_ms_of(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    std::getline(in, text);
    const auto paren = text.rfind(')');
    if (paren == std::string::npos) return {0, 0};
    std::istringstream fields(text.substr(paren + 2));
    std::vector<std::string> f;
    for (std::string x; fields >> x;)
        f.push_back(x);
    // After "pid (comm) ": state is field 3; utime 14, stime 15, cutime 16, cstime 17.
    if (f.size() < 15) return {0, 0};
    const double tick = 1000.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
    const auto at = [&](int field) {
        return std::atof(f[static_cast<std::size_t>(field - 3)].c_str());
    };
    return {(at(14) + at(15)) * tick, (at(16) + at(17)) * tick};
}

double children_cpu_ms() {
    rusage u{};
    getrusage(RUSAGE_CHILDREN, &u);
    const auto ms = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) * 1000.0 + static_cast<double>(t.tv_usec) / 1000.0;
    };
    return ms(u.ru_utime) + ms(u.ru_stime);
}

long tcp_ext(const std::string& counter) {
    std::ifstream in("/proc/net/netstat");
    std::string names, values;
    while (std::getline(in, names) && std::getline(in, values)) {
        if (names.rfind("TcpExt:", 0) != 0) continue;
        std::istringstream n(names), v(values);
        std::string name, value;
        while (n >> name && v >> value)
            if (name == counter) return std::atol(value.c_str());
    }
    return -1;
}

long listen_overflows() {
    return tcp_ext("ListenOverflows");
}

std::string machine_line() {
    std::string model = "unknown CPU";
    std::ifstream cpu("/proc/cpuinfo");
    for (std::string line; std::getline(cpu, line);) {
        if (line.rfind("model name", 0) == 0) {
            model = line.substr(line.find(':') + 2);
            break;
        }
    }
    utsname u{};
    uname(&u);
    return sfmt("nproc %u, %s, Linux %s", std::thread::hardware_concurrency(), model.c_str(),
                u.release);
}

std::string loadavg() {
    std::ifstream in("/proc/loadavg");
    std::string a, b, c;
    in >> a >> b >> c;
    return a + " " + b + " " + c;
}

}  // namespace bench
