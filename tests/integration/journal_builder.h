// Real journal files for the `logs` tests, written by systemd-journal-remote from the journal
// export format, so the reader is tested against what systemd itself writes.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace it {

struct ExportEntry {
    std::int64_t time_us = 0;  // __REALTIME_TIMESTAMP
    std::string message;       // any bytes; binary-safe
    int priority = 6;
    std::string identifier = "claude-harnessd";
    std::string unit = "claude-harness.service";  // _SYSTEMD_UNIT; "" = none
    long pid = 100;
    std::vector<std::pair<std::string, std::string>> extra{};  // further fields
};

inline constexpr const char* kJournalRemote = "/lib/systemd/systemd-journal-remote";
inline constexpr const char* kTestHost = "testhost";

// Appends the entries to the journal file `path` (created when missing). Fails the test with
// a clear message when systemd-journal-remote is not installed.
void write_journal(const std::string& path, const std::vector<ExportEntry>& entries);

}  // namespace it
