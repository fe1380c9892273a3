// The configuration in force: the parsed file and the API keys it names, validated together
// and replaced as one on reload, so a request never sees a new model list with old keys.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/config.h"
#include "daemon/api_keys.h"

namespace ch {

struct Settings {
    Config config;
    ApiKeys keys;
};

struct SettingsLoad {
    std::shared_ptr<const Settings> settings;  // null when invalid
    std::vector<std::string> errors;           // "file:line:column: message" and the like
};

// Reads the file and its key file and checks that nothing is exposed without keys.
SettingsLoad load_settings(const std::string& path);

}  // namespace ch
