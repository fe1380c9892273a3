#include "daemon/bus_access.h"

#include <vector>

#include <spdlog/spdlog.h>

#include "daemon/admin_rule.h"

namespace ch {
namespace {

// Every group the bus daemon reports for the sender.
std::vector<gid_t> sender_groups(sd_bus_creds* creds) {
    std::vector<gid_t> out;
    gid_t gid;
    if (sd_bus_creds_get_egid(creds, &gid) >= 0) out.push_back(gid);
    if (sd_bus_creds_get_gid(creds, &gid) >= 0) out.push_back(gid);
    const gid_t* groups = nullptr;
    const int n = sd_bus_creds_get_supplementary_gids(creds, &groups);
    for (int i = 0; i < n; ++i)
        out.push_back(groups[i]);
    return out;
}

}  // namespace

int check_admin(sd_bus_message* message, const Config& config, const char* what,
                sd_bus_error* error) {
    sd_bus_creds* creds = nullptr;
    const int r = sd_bus_query_sender_creds(
        message,
        SD_BUS_CREDS_UID | SD_BUS_CREDS_EUID | SD_BUS_CREDS_GID | SD_BUS_CREDS_EGID |
            SD_BUS_CREDS_SUPPLEMENTARY_GIDS | SD_BUS_CREDS_AUGMENT,
        &creds);
    uid_t uid = 0;
    bool known = false;
    std::vector<gid_t> gids;
    if (r >= 0) {
        // The effective id is what the kernel checks; the bus daemon only knows the real one.
        known = sd_bus_creds_get_euid(creds, &uid) >= 0 || sd_bus_creds_get_uid(creds, &uid) >= 0;
        gids = sender_groups(creds);
        sd_bus_creds_unref(creds);
    }
    if (!known) {
        spdlog::info("bus: {} refused for uid unknown", what);
        const std::string& group = config.server.admin_group;
        return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                                 "%s is allowed only to root and members of the group '%s'", what,
                                 group.empty() ? "(none configured)" : group.c_str());
    }
    const AdminVerdict verdict = admin_verdict(uid, gids, config, what);
    if (verdict.allowed) return 0;
    spdlog::info("bus: {} refused for uid {}: {}", what, uid, verdict.reason);
    return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED, "%s", verdict.reason.c_str());
}

}  // namespace ch
