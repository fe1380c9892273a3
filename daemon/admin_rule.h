// Who may change things (cancel jobs, reload): root and members of server.admin_group, but never
// the run-as user of a provider, since the CLI and every tool it runs have that user's rights.
// One rule for the bus and the dashboard; each finds the caller's ids its own way.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/config.h"

namespace ch {

struct AdminVerdict {
    bool allowed = false;
    std::string reason;  // why not, in words for the caller; empty when allowed
};

// `gids` are every group the caller is in (primary and supplementary).
AdminVerdict admin_verdict(uid_t uid, const std::vector<gid_t>& gids, const Config& config,
                           const char* what);

// The groups a user is in according to the user database; empty when the uid is unknown.
std::vector<gid_t> groups_of_user(uid_t uid);

}  // namespace ch
