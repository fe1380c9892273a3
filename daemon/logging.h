// Logging to the journal when systemd started the daemon (JOURNAL_STREAM names our stderr),
// to stderr otherwise. Prompts, keys and tokens are never logged at info level.
#pragma once

#include <optional>
#include <string>

namespace ch {

void setup_logging(const std::string& level);
// "debug", "info", ...; nullopt when the name is not a level.
std::optional<int> parse_log_level(const std::string& name);

}  // namespace ch
