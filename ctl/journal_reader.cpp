#include "ctl/journal_reader.h"

#include <pwd.h>
#include <systemd/sd-journal.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace ch::ctl {
namespace {

constexpr const char* kUnit = "claude-harness.service";
constexpr const char* kIdentifier = "claude-harnessd";

std::string no_files_message(const std::string& directory) {
    if (!directory.empty())
        return "no journal files could be read in " + directory +
               " (there are none, or they are not readable by this user)";
    if (geteuid() == 0)
        return "no journal files found (is systemd-journald running, with Storage= other than "
               "none?)";
    const passwd* pw = getpwuid(geteuid());
    const std::string user = pw ? pw->pw_name : std::to_string(geteuid());
    return "cannot read the system journal: no journal file is readable by user '" + user +
           "'; members of the group systemd-journal or adm may read it (`sudo usermod -a -G "
           "systemd-journal " +
           user + "`, then log in again), or run this as root";
}

void check(int r, const char* what) {
    if (r < 0) throw JournalError(std::string(what) + ": " + std::strerror(-r));
}

// The value of FIELD in the current entry, or "".
std::string field(sd_journal* j, const char* name) {
    const void* data = nullptr;
    std::size_t length = 0;
    if (sd_journal_get_data(j, name, &data, &length) < 0) return "";
    const std::size_t prefix = std::strlen(name) + 1;  // "NAME="
    if (length < prefix) return "";
    return std::string(static_cast<const char*>(data) + prefix, length - prefix);
}

long number(const std::string& text) {
    char* end = nullptr;
    const long n = std::strtol(text.c_str(), &end, 10);
    return !text.empty() && *end == '\0' && n > 0 ? n : 0;
}

}  // namespace

JournalReader::JournalReader(const std::string& directory, std::optional<int> max_priority) {
    const int r = directory.empty()
                      ? sd_journal_open(&journal_, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM)
                      : sd_journal_open_directory(&journal_, directory.c_str(), 0);
    if (r < 0) {
        journal_ = nullptr;
        throw JournalError(
            (directory.empty() ? std::string("cannot open the system journal") : directory) + ": " +
            std::strerror(-r));
    }
    // sd-journal skips files it cannot open; no bytes in use means it found none to read.
    std::uint64_t bytes = 0;
    if (sd_journal_get_usage(journal_, &bytes) < 0 || bytes == 0) {
        sd_journal_close(journal_);
        throw JournalError(no_files_message(directory));
    }
    // Watching starts with the first call; made now so nothing written from here on is missed.
    sd_journal_get_fd(journal_);

    // (unit OR identifier OR systemd-about-unit) AND (priority 0 OR ... OR max).
    const std::string unit = std::string("_SYSTEMD_UNIT=") + kUnit;
    const std::string identifier = std::string("SYSLOG_IDENTIFIER=") + kIdentifier;
    const std::string about = std::string("UNIT=") + kUnit;
    check(sd_journal_add_match(journal_, unit.c_str(), 0), "journal match");
    check(sd_journal_add_disjunction(journal_), "journal match");
    check(sd_journal_add_match(journal_, identifier.c_str(), 0), "journal match");
    check(sd_journal_add_disjunction(journal_), "journal match");
    check(sd_journal_add_match(journal_, about.c_str(), 0), "journal match");
    check(sd_journal_add_conjunction(journal_), "journal match");
    if (max_priority) {
        for (int p = 0; p <= *max_priority; ++p) {
            const std::string match = "PRIORITY=" + std::to_string(p);
            check(sd_journal_add_match(journal_, match.c_str(), 0), "journal match");
        }
        check(sd_journal_add_conjunction(journal_), "journal match");
    }
}

JournalReader::~JournalReader() {
    if (journal_) sd_journal_close(journal_);
}

std::vector<JournalEntry> JournalReader::tail(std::optional<std::size_t> count,
                                              std::optional<std::int64_t> since_us) {
    check(sd_journal_seek_tail(journal_), "journal seek");
    std::vector<JournalEntry> entries;
    std::string newest;  // cursor of the newest matching entry, where following continues
    while (sd_journal_previous(journal_) > 0) {
        if (newest.empty()) {
            char* cursor = nullptr;
            check(sd_journal_get_cursor(journal_, &cursor), "journal cursor");
            newest = cursor;
            std::free(cursor);
        }
        std::uint64_t t = 0;
        if (count && entries.size() >= *count) break;
        if (since_us && sd_journal_get_realtime_usec(journal_, &t) >= 0 &&
            static_cast<std::int64_t>(t) < *since_us)
            break;
        entries.push_back(read_entry());
    }
    std::reverse(entries.begin(), entries.end());
    if (newest.empty()) {
        check(sd_journal_seek_head(journal_), "journal seek");
    } else {
        check(sd_journal_seek_cursor(journal_, newest.c_str()), "journal seek");
        check(sd_journal_next(journal_), "journal read");  // onto the newest entry itself
    }
    return entries;
}

std::optional<JournalEntry> JournalReader::next() {
    const int r = sd_journal_next(journal_);
    check(r, "journal read");
    if (r == 0) return std::nullopt;
    return read_entry();
}

JournalEntry JournalReader::read_entry() {
    JournalEntry e;
    std::uint64_t t = 0;
    if (sd_journal_get_realtime_usec(journal_, &t) >= 0) e.time_us = static_cast<std::int64_t>(t);
    const std::string priority = field(journal_, "PRIORITY");
    if (priority.size() == 1 && priority[0] >= '0' && priority[0] <= '7')
        e.priority = priority[0] - '0';
    e.identifier = field(journal_, "SYSLOG_IDENTIFIER");
    if (e.identifier.empty()) e.identifier = field(journal_, "_COMM");
    e.hostname = field(journal_, "_HOSTNAME");
    e.pid = number(field(journal_, "_PID"));
    if (e.pid == 0) e.pid = number(field(journal_, "SYSLOG_PID"));
    e.message = field(journal_, "MESSAGE");
    return e;
}

int JournalReader::fd() {
    const int r = sd_journal_get_fd(journal_);
    check(r, "journal watch");
    return r;
}

short JournalReader::events() {
    const int r = sd_journal_get_events(journal_);
    check(r, "journal watch");
    return static_cast<short>(r);
}

int JournalReader::timeout_ms() {
    std::uint64_t until = 0;
    if (sd_journal_get_timeout(journal_, &until) < 0 || until == UINT64_MAX) return -1;
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    const std::uint64_t now_us = static_cast<std::uint64_t>(now.tv_sec) * 1000000 +
                                 static_cast<std::uint64_t>(now.tv_nsec) / 1000;
    if (until <= now_us) return 0;
    return static_cast<int>(std::min<std::uint64_t>((until - now_us + 999) / 1000, 60000));
}

void JournalReader::process() {
    check(sd_journal_process(journal_), "journal watch");
}

}  // namespace ch::ctl
