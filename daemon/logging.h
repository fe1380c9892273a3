// Logging to the journal when systemd started the daemon (JOURNAL_STREAM names our stderr),
// to stderr otherwise. Prompts, keys and tokens are never logged at info level.
#pragma once

#include <optional>
#include <string>

namespace ch {

void setup_logging(const std::string& level);
// "debug", "info", ...; nullopt when the name is not a level.
std::optional<int> parse_log_level(const std::string& name);

// The level in syslog's words ("debug", "info", "warning", "err", "crit"), for
// org.freedesktop.LogControl1; setting accepts all eight syslog names and returns false for
// anything else.
std::string syslog_level();
bool set_syslog_level(const std::string& name);
// "journal" or "console": where setup_logging() sent the logs.
std::string log_target();

}  // namespace ch
