#include "daemon/admin_rule.h"

#include <grp.h>
#include <pwd.h>

#include <algorithm>

namespace ch {
namespace {

// The group's id, looked up on every call so a group created after start counts.
bool find_group(const std::string& name, gid_t* gid) {
    if (name.empty()) return false;
    group entry{};
    group* found = nullptr;
    std::vector<char> buf(16384);
    if (getgrnam_r(name.c_str(), &entry, buf.data(), buf.size(), &found) != 0 || !found)
        return false;
    *gid = found->gr_gid;
    return true;
}

// The provider that runs the CLI as `uid`, or nullptr.
const ProviderConfig* run_as_provider(const Config& config, uid_t uid) {
    for (const auto& p : config.providers) {
        if (p.user.empty()) continue;  // the daemon's own user: root
        passwd entry{};
        passwd* found = nullptr;
        std::vector<char> buf(16384);
        if (getpwnam_r(p.user.c_str(), &entry, buf.data(), buf.size(), &found) == 0 && found &&
            found->pw_uid == uid)
            return &p;
    }
    return nullptr;
}

}  // namespace

AdminVerdict admin_verdict(uid_t uid, const std::vector<gid_t>& gids, const Config& config,
                           const char* what) {
    const std::string& admin_group = config.server.admin_group;
    gid_t admin;
    const bool allowed = uid == 0 || (find_group(admin_group, &admin) &&
                                      std::find(gids.begin(), gids.end(), admin) != gids.end());
    if (!allowed)
        return {false, std::string(what) + " is allowed only to root and members of the group '" +
                           (admin_group.empty() ? "(none configured)" : admin_group) + "'"};
    if (uid == 0) return {true, ""};
    if (const ProviderConfig* runner = run_as_provider(config, uid))
        return {false, std::string(what) + " is not allowed to the run-as user of provider '" +
                           runner->name + "' (the CLI and its tools run as that user)"};
    return {true, ""};
}

std::vector<gid_t> groups_of_user(uid_t uid) {
    passwd entry{};
    passwd* found = nullptr;
    std::vector<char> buf(16384);
    if (getpwuid_r(uid, &entry, buf.data(), buf.size(), &found) != 0 || !found) return {};
    int n = 64;
    std::vector<gid_t> gids(static_cast<std::size_t>(n));
    if (getgrouplist(found->pw_name, found->pw_gid, gids.data(), &n) < 0) {
        gids.resize(static_cast<std::size_t>(n));
        if (getgrouplist(found->pw_name, found->pw_gid, gids.data(), &n) < 0)
            return {found->pw_gid};
    }
    gids.resize(static_cast<std::size_t>(n));
    return gids;
}

}  // namespace ch
