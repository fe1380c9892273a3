#include "daemon/settings.h"

#include "daemon/provider_tokens.h"

namespace ch {

SettingsLoad load_settings(const std::string& path) {
    SettingsLoad out;
    ConfigLoad load = load_config_file(path);
    if (!load.ok()) {
        out.errors = std::move(load.errors);
        return out;
    }
    for (auto& error : load_provider_tokens(load.config))
        out.errors.push_back(path + ": " + error);
    if (!out.errors.empty()) return out;
    std::string error;
    auto keys = ApiKeys::load(load.config.server.api_keys_file, &error);
    if (!keys) {
        out.errors.push_back(error);
        return out;
    }
    for (const auto& address : load.config.server.listen) {
        if (address.is_loopback() || keys->enabled()) continue;
        out.errors.push_back(path + ": refusing to listen on " + address.text +
                             " without API keys: anyone who can reach it could spend the "
                             "subscription. Set server.api_keys_file, or listen on loopback "
                             "only (127.0.0.1, [::1]).");
    }
    if (out.errors.empty())
        out.settings = std::make_shared<const Settings>(Settings{std::move(load.config), *keys});
    return out;
}

}  // namespace ch
