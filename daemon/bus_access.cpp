#include "daemon/bus_access.h"

#include <grp.h>
#include <pwd.h>

#include <vector>

#include <spdlog/spdlog.h>

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

bool in_group(sd_bus_creds* creds, gid_t wanted) {
    gid_t gid;
    if (sd_bus_creds_get_egid(creds, &gid) >= 0 && gid == wanted) return true;
    if (sd_bus_creds_get_gid(creds, &gid) >= 0 && gid == wanted) return true;
    const gid_t* groups = nullptr;
    const int n = sd_bus_creds_get_supplementary_gids(creds, &groups);
    for (int i = 0; i < n; ++i)
        if (groups[i] == wanted) return true;
    return false;
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

int check_admin(sd_bus_message* message, const Config& config, const char* what,
                sd_bus_error* error) {
    const std::string& admin_group = config.server.admin_group;
    sd_bus_creds* creds = nullptr;
    const int r = sd_bus_query_sender_creds(
        message,
        SD_BUS_CREDS_UID | SD_BUS_CREDS_EUID | SD_BUS_CREDS_GID | SD_BUS_CREDS_EGID |
            SD_BUS_CREDS_SUPPLEMENTARY_GIDS | SD_BUS_CREDS_AUGMENT,
        &creds);
    uid_t uid = 0;
    bool allowed = false;
    if (r >= 0) {
        // The effective id is what the kernel checks; the bus daemon only knows the real one.
        const bool known =
            sd_bus_creds_get_euid(creds, &uid) >= 0 || sd_bus_creds_get_uid(creds, &uid) >= 0;
        gid_t admin;
        allowed =
            known && (uid == 0 || (find_group(admin_group, &admin) && in_group(creds, admin)));
        sd_bus_creds_unref(creds);
    }
    const ProviderConfig* runner = allowed && uid != 0 ? run_as_provider(config, uid) : nullptr;
    if (runner) {
        spdlog::info("bus: {} refused for uid {}, the run-as user of provider {}", what, uid,
                     runner->name);
        return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                                 "%s is not allowed to the run-as user of provider '%s' (the CLI "
                                 "and its tools run as that user)",
                                 what, runner->name.c_str());
    }
    if (allowed) return 0;
    spdlog::info("bus: {} refused for uid {}", what, r >= 0 ? std::to_string(uid) : "unknown");
    return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                             "%s is allowed only to root and members of the group '%s'", what,
                             admin_group.empty() ? "(none configured)" : admin_group.c_str());
}

}  // namespace ch
