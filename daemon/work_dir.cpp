#include "daemon/work_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <spdlog/spdlog.h>

namespace ch {

WorkDir::WorkDir(const std::string& parent, const std::string& name, const RunAs& who)
    : path_(parent + "/" + name) {
    if (mkdir(path_.c_str(), 0700) != 0) {
        error_ = "cannot create " + path_ + ": " + std::strerror(errno);
        path_.clear();
        return;
    }
    if (who.switch_user && chown(path_.c_str(), who.uid, who.gid) != 0) {
        error_ = "cannot hand " + path_ + " to " + who.name + ": " + std::strerror(errno);
    }
}

WorkDir::~WorkDir() {
    if (!path_.empty() && rmdir(path_.c_str()) != 0)
        spdlog::warn("cannot remove working directory {}: {}", path_, std::strerror(errno));
}

std::string prepare_session_dir(const std::string& path, const RunAs& who) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return "cannot create " + path + ": " + ec.message();
    if (chmod(path.c_str(), 0700) != 0)
        return "cannot protect " + path + ": " + std::strerror(errno);
    if (who.switch_user && chown(path.c_str(), who.uid, who.gid) != 0)
        return "cannot hand " + path + " to " + who.name + ": " + std::strerror(errno);
    return "";
}

}  // namespace ch
