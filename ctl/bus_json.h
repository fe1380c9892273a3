// The daemon's state as JSON for `--json`: the bus structs with their field names.
#pragma once

#include <nlohmann/json.hpp>

#include "ctl/bus_client.h"

namespace ch::ctl {

nlohmann::json to_json(const DaemonState& s);
nlohmann::json to_json(const ProviderInfo& p);
nlohmann::json to_json(const ModelInfo& m);
nlohmann::json to_json(const JobInfo& j);
nlohmann::json to_json(const UsageInfo& u);
nlohmann::json to_json(const SessionInfo& s);

template <typename T>
nlohmann::json to_json(const std::vector<T>& items) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : items)
        out.push_back(to_json(item));
    return out;
}

}  // namespace ch::ctl
