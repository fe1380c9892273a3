#include "journal_builder.h"

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdio>

#include "ctl_helpers.h"
#include "daemon_fixture.h"

namespace it {
namespace {

// One boot for all test entries; monotonic time grows with real time so appends stay ordered.
constexpr const char* kBootId = "0123456789abcdef0123456789abcdef";
constexpr std::int64_t kBootUs = 1600000000LL * 1000000;

// Text fields are NAME=value lines; anything else uses the binary form: NAME, newline,
// little-endian 64-bit length, the bytes, newline.
std::string export_field(const std::string& name, const std::string& value) {
    bool text = true;
    for (const unsigned char c : value)
        text = text && c >= 0x20 && c < 0x7f;
    if (text) return name + "=" + value + "\n";
    std::string out = name + "\n";
    std::uint64_t n = value.size();
    for (int i = 0; i < 8; ++i, n >>= 8)
        out += static_cast<char>(n & 0xff);
    return out + value + "\n";
}

std::string export_entry(const ExportEntry& e) {
    std::string out = export_field("__REALTIME_TIMESTAMP", std::to_string(e.time_us));
    out += export_field("__MONOTONIC_TIMESTAMP", std::to_string(e.time_us - kBootUs));
    out += export_field("_BOOT_ID", kBootId);
    out += export_field("_HOSTNAME", kTestHost);
    out += export_field("PRIORITY", std::to_string(e.priority));
    out += export_field("SYSLOG_IDENTIFIER", e.identifier);
    if (!e.unit.empty()) out += export_field("_SYSTEMD_UNIT", e.unit);
    out += export_field("_PID", std::to_string(e.pid));
    for (const auto& [name, value] : e.extra)
        out += export_field(name, value);
    return out + export_field("MESSAGE", e.message) + "\n";
}

}  // namespace

void write_journal(const std::string& path, const std::vector<ExportEntry>& entries) {
    if (access(kJournalRemote, X_OK) != 0)
        BOOST_FAIL(kJournalRemote << " is missing: this test writes its journal files with it "
                                     "(apt-get install systemd-journal-remote; "
                                     "scripts/install-deps.sh installs it)");
    std::string text;
    for (const auto& e : entries)
        text += export_entry(e);
    const std::string input = path + ".export";
    write_file(input, text);
    const auto r = run_process({kJournalRemote, "-o", path, "-"}, {}, input);
    std::remove(input.c_str());
    BOOST_REQUIRE_MESSAGE(r.exit_code() == 0,
                          kJournalRemote << " failed (" << r.status << "): " << r.err);
}

}  // namespace it
