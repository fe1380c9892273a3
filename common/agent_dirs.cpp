#include "common/agent_dirs.h"

#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace ch {

std::optional<std::string> canonical_directory(const std::string& path, std::string* error) {
    if (path.empty() || path.front() != '/') {
        *error = "'" + path + "' is not an absolute path";
        return std::nullopt;
    }
    char buffer[PATH_MAX];
    if (realpath(path.c_str(), buffer) == nullptr) {
        *error = "'" + path + "': " + std::strerror(errno);
        return std::nullopt;
    }
    struct stat st {};
    if (stat(buffer, &st) != 0 || !S_ISDIR(st.st_mode)) {
        *error = "'" + path + "' is not a directory";
        return std::nullopt;
    }
    return std::string(buffer);
}

bool within_roots(const std::string& canonical, const std::vector<std::string>& roots) {
    for (const auto& root : roots) {
        if (canonical == root) return true;
        const std::string prefix = root == "/" ? root : root + "/";
        if (canonical.compare(0, prefix.size(), prefix) == 0) return true;
    }
    return false;
}

std::optional<std::string> resolve_in_roots(const std::string& requested,
                                            const std::vector<std::string>& roots,
                                            const std::string& what, std::string* error) {
    std::string why;
    auto canonical = canonical_directory(requested, &why);
    if (!canonical) {
        *error = what + " " + why;
        return std::nullopt;
    }
    if (!within_roots(*canonical, roots)) {
        std::string list;
        for (const auto& root : roots)
            list += (list.empty() ? "" : ", ") + root;
        *error = what + " '" + requested + "'" +
                 (*canonical == requested ? "" : " (resolved to '" + *canonical + "')") +
                 " is outside the allowed roots of this model: " + list;
        return std::nullopt;
    }
    return canonical;
}

}  // namespace ch
