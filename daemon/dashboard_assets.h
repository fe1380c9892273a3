// The dashboard's own page, script and style, compiled into the daemon from daemon/dashboard/.
#pragma once

#include <cstddef>
#include <string_view>

namespace ch {

struct DashboardAsset {
    std::string_view name;  // file name under daemon/dashboard/
    std::string_view content_type;
    std::string_view body;
};

// nullptr when there is no such asset.
const DashboardAsset* find_dashboard_asset(std::string_view name);

}  // namespace ch
