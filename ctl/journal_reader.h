// The daemon's entries in the journal, through sd-journal: the system journal, or the files
// of one directory (like journalctl -D).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct sd_journal;

namespace ch::ctl {

struct JournalEntry {
    std::int64_t time_us = 0;  // realtime, µs since the epoch
    int priority = -1;         // -1 when the entry has none
    std::string identifier;    // SYSLOG_IDENTIFIER, else _COMM
    std::string hostname;
    long pid = 0;         // _PID or SYSLOG_PID, 0 when unknown
    std::string message;  // raw bytes, not necessarily UTF-8
};

// No journal could be opened or read; the message says why in words a user can act on.
struct JournalError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class JournalReader {
  public:
    // directory "" = the local system journal. Only entries of the daemon's unit are read:
    // its own (_SYSTEMD_UNIT, SYSLOG_IDENTIFIER) and systemd's about it (UNIT), at
    // `max_priority` or more severe when given. Throws JournalError.
    JournalReader(const std::string& directory, std::optional<int> max_priority);
    ~JournalReader();
    JournalReader(const JournalReader&) = delete;
    JournalReader& operator=(const JournalReader&) = delete;

    // The last `count` entries (all when nullopt) not older than `since_us`, oldest first.
    // Leaves the reader after the newest entry, where next() continues.
    std::vector<JournalEntry> tail(std::optional<std::size_t> count,
                                   std::optional<std::int64_t> since_us);
    // The entry after the current one, if any has been written yet.
    std::optional<JournalEntry> next();

    // For waiting on new entries: poll the fd for events() up to timeout_ms() (-1 = no
    // limit), then call process().
    int fd();
    short events();
    int timeout_ms();
    void process();

  private:
    JournalEntry read_entry();

    sd_journal* journal_ = nullptr;
};

}  // namespace ch::ctl
