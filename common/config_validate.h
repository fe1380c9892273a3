// Internal to the configuration loader: turns a parsed TOML document into a Config,
// collecting every schema problem with its source position.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "common/config.h"

namespace ch::detail {

struct ConfigError {
    std::string file;  // where the offending node came from ("" = the main file)
    std::uint32_t line = 0;
    std::uint32_t column = 0;
    std::string message;
};

// Fills config from root, applying defaults; appends one entry per problem found.
void read_config(const toml::table& root, Config& config, std::vector<ConfigError>& errors);

// Parts of read_config, in config_validate_models.cpp.
void read_providers(const toml::table& root, std::vector<ProviderConfig>& providers,
                    std::vector<ConfigError>& errors);
void read_models(const toml::table& root, Config& config, std::vector<ConfigError>& errors);
// [models.agent] of the model table `model_table`, in config_validate_agent.cpp.
void read_agent(const toml::table& model_table, ModelConfig& model,
                std::vector<ConfigError>& errors);
// [clients.<id>]: per-client limits, each starting from limits.client.
void read_clients(const toml::table& root, LimitsConfig& limits, std::vector<ConfigError>& errors);

}  // namespace ch::detail
