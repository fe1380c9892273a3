#include "daemon/run_as.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

namespace ch {
namespace {

std::optional<passwd> lookup(const std::string& user, uid_t uid, std::vector<char>& buf,
                             std::string* error) {
    passwd pw{};
    passwd* found = nullptr;
    buf.resize(16384);
    const int rc = user.empty() ? getpwuid_r(uid, &pw, buf.data(), buf.size(), &found)
                                : getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found);
    if (found == nullptr) {
        *error = user.empty() ? "no passwd entry for uid " + std::to_string(uid)
                              : "no such user '" + user + "'";
        if (rc != 0) *error += std::string(": ") + std::strerror(rc);
        return std::nullopt;
    }
    return pw;
}

}  // namespace

std::optional<RunAs> resolve_run_as(const std::string& user, std::string* error) {
    std::vector<char> buf;
    const auto pw = lookup(user, geteuid(), buf, error);
    if (!pw) return std::nullopt;

    RunAs who;
    who.uid = pw->pw_uid;
    who.gid = pw->pw_gid;
    who.name = pw->pw_name;
    who.home = pw->pw_dir ? pw->pw_dir : "/";
    const bool is_self = who.uid == geteuid();
    if (!is_self && geteuid() != 0) {
        *error = "cannot run as '" + user + "': the daemon is not running as root";
        return std::nullopt;
    }
    who.switch_user = !is_self;
    if (who.switch_user) {
        int n = 64;
        std::vector<gid_t> groups(n);
        while (getgrouplist(who.name.c_str(), who.gid, groups.data(), &n) < 0)
            groups.resize(n);
        groups.resize(n);
        who.groups = std::move(groups);
    }
    return who;
}

std::string usual_path(const RunAs& who) {
    // What a login shell gives an ordinary user on Debian, plus the user's own bin
    // directories, where the native Claude Code installer and `npm -g --prefix ~` put `claude`.
    return who.home + "/.local/bin:" + who.home + "/bin:/usr/local/bin:/usr/bin:/bin";
}

std::string find_executable(const std::string& name, const std::string& path_list) {
    if (name.empty()) return "";
    if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
    std::stringstream dirs(path_list);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        if (dir.empty()) continue;
        const std::string candidate = dir + "/" + name;
        if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return "";
}

}  // namespace ch
