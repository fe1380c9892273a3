// The D-Bus contract between claude-harnessd and claude-harnessctl: names, paths, error names
// and the signatures of structured replies. The only place these strings are spelled out;
// dbus/org.claudeharness.Harness1.xml documents the same interface for everyone else.
#pragma once

namespace ch::bus {

inline constexpr const char* kService = "org.claudeharness.Harness1";
inline constexpr const char* kObjectPath = "/org/claudeharness/Harness1";
inline constexpr const char* kInterface = "org.claudeharness.Harness1";

// systemd's generic logging control, so `systemctl service-log-level` works.
inline constexpr const char* kLogControlPath = "/org/freedesktop/LogControl1";
inline constexpr const char* kLogControlInterface = "org.freedesktop.LogControl1";

// Expected failures of method calls.
inline constexpr const char* kErrorNoSuchJob = "org.claudeharness.Error.NoSuchJob";
inline constexpr const char* kErrorConfigInvalid = "org.claudeharness.Error.ConfigInvalid";
inline constexpr const char* kErrorNotSupported = "org.claudeharness.Error.NotSupported";

// Members of this group (and root) may call the mutating methods.
inline constexpr const char* kDefaultAdminGroup = "claude-harness";

// ListProviders: name, run-as user, CLI path, CLI version, login ("credentials_file",
// "oauth_token", "api_key", "none", "unknown"), login expiry (µs since epoch, 0 = none
// known), ready, last error.
inline constexpr const char* kProviderSignature = "(ssssstbs)";
// ListModels: id, CLI model, provider, aliases.
inline constexpr const char* kModelSignature = "(sssas)";
// ListJobs: id, model, provider, state ("queued", "running"), client, created µs, started µs
// (0 while queued), CLI pid (0 while queued).
inline constexpr const char* kJobSignature = "(sssssttu)";
// GetUsage: model, provider, requests, failed, input tokens, output tokens, cache read
// tokens, cache creation tokens.
inline constexpr const char* kUsageSignature = "(sstttttt)";
// LastError property: when (µs since epoch, 0 = never), job id, "code: message".
inline constexpr const char* kLastErrorSignature = "(tss)";

}  // namespace ch::bus
