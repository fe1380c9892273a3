// Tokens kept in files rather than in the configuration: `token_file` in a [[providers]] entry,
// typically a systemd credential (LoadCredential=), read by the daemon at start and on reload
// and handed to the CLI as CLAUDE_CODE_OAUTH_TOKEN.
#pragma once

#include <string>
#include <vector>

#include "common/config.h"

namespace ch {

// A relative path is looked up in $CREDENTIALS_DIRECTORY when systemd set it, else taken as is.
std::string token_file_path(const std::string& token_file);

// Fills in CLAUDE_CODE_OAUTH_TOKEN for each provider with a token_file; one message per file
// that cannot be read or is empty. The token never appears in a message.
std::vector<std::string> load_provider_tokens(Config& config);

}  // namespace ch
