// Small helpers for starting processes, shared by the daemon and the benchmark.
#pragma once

#include <unistd.h>

#include <string>
#include <vector>

namespace ch {

// A NULL-terminated argv/envp view of `v`; valid while `v` lives.
inline std::vector<char*> c_strings(const std::vector<std::string>& v) {
    std::vector<char*> out;
    out.reserve(v.size() + 1);
    for (const auto& s : v)
        out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

inline void close_fd(int& fd) {
    if (fd >= 0) close(fd);
    fd = -1;
}

}  // namespace ch
