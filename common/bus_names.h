// The D-Bus contract between claude-harnessd and claude-harnessctl: names, paths, error names
// and the signatures of structured replies (also as macros, since sd-bus vtables need string
// literals). The only place these strings are spelled out; dbus/org.claudeharness.Harness1.xml
// documents the same interface for everyone else.
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
#define CH_BUS_PROVIDER_SIG "(ssssstbsstuuu)"
inline constexpr const char* kProviderSignature = CH_BUS_PROVIDER_SIG;
// ListModels: id, CLI model, provider, aliases.
#define CH_BUS_MODEL_SIG "(sssas)"
inline constexpr const char* kModelSignature = CH_BUS_MODEL_SIG;
// ListJobs: id, model, provider, state ("queued", "running"), client, created µs, started µs
// (0 while queued), CLI pid (0 while queued).
#define CH_BUS_JOB_SIG "(sssssttu)"
inline constexpr const char* kJobSignature = CH_BUS_JOB_SIG;
// ListSessions: id, provider ("" until its first run), client, last used µs, busy.
#define CH_BUS_SESSION_SIG "(ssstb)"
inline constexpr const char* kSessionSignature = CH_BUS_SESSION_SIG;
// GetUsage: model, provider, requests, failed, input tokens, output tokens, cache read
// tokens, cache creation tokens.
#define CH_BUS_USAGE_SIG "(sstttttt)"
inline constexpr const char* kUsageSignature = CH_BUS_USAGE_SIG;
// GetUsageReport: group (model, provider, client or UTC day "YYYY-MM-DD"), requests, failed,
// input tokens, output tokens, cache read tokens, cache creation tokens, cost in USD.
#define CH_BUS_USAGE_REPORT_SIG "(sttttttd)"
inline constexpr const char* kUsageReportSignature = CH_BUS_USAGE_REPORT_SIG;
// LastError property: when (µs since epoch, 0 = never), job id, "code: message".
#define CH_BUS_LAST_ERROR_SIG "(tss)"
inline constexpr const char* kLastErrorSignature = CH_BUS_LAST_ERROR_SIG;

}  // namespace ch::bus
