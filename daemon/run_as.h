// Who a provider's CLI runs as, and where its executable is: resolved in the daemon before
// fork, because nothing but async-signal-safe calls may run in the child.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace ch {

struct RunAs {
    bool switch_user = false;  // true only when the daemon is root and the user differs
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;  // supplementary groups
    std::string name;
    std::string home;
};

// `user` "" means the daemon's own user. On failure returns nullopt and sets *error.
std::optional<RunAs> resolve_run_as(const std::string& user, std::string* error);

// The PATH a login of that user usually has; `claude` is looked up there.
std::string usual_path(const RunAs& who);

// Absolute path of `name` (as is when it contains '/'), or "" when no executable is found.
std::string find_executable(const std::string& name, const std::string& path_list);

}  // namespace ch
