// claude-harnessctl logs against journal files written by systemd's own tools: which entries
// it selects, how it prints them, its option errors, and following new entries.
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "ctl_helpers.h"
#include "daemon_fixture.h"
#include "journal_builder.h"

using namespace it;

namespace {

constexpr std::int64_t kSecond = 1000000;
constexpr std::int64_t kNov20 = 1763629200LL * kSecond;  // 2025-11-20 09:00:00 UTC
constexpr std::int64_t kNov21 = 1763719200LL * kSecond;  // 2025-11-21 10:00:00 UTC
const std::vector<std::string> kUtc{"TZ=UTC"};
const std::string kRed = "\xEF\xBF\xBD";  // U+FFFD

// The daemon's entries, systemd's about its unit, and two other units' that must not show.
std::vector<ExportEntry> sample_entries() {
    return {
        {kNov20, "starting claude-harnessd 0.1.0"},
        {kNov20 + kSecond,
         "Started claude-harness.service - Claude harness.",
         6,
         "systemd",
         "init.scope",
         1,
         {{"UNIT", "claude-harness.service"}}},
        {kNov20 + 300 * kSecond, "Accepted publickey for root", 6, "sshd", "ssh.service", 200},
        {kNov21, "provider default: not ready: no login", 4},
        {kNov21 + 2 * kSecond, "(root) CMD (run-parts)", 3, "CRON", "cron.service", 300},
        {kNov21 + 3 * kSecond, "job j1 failed: the CLI exited with status 1", 3},
        {kNov21 + 4 * kSecond, "listening on 127.0.0.1:8013", 7, "claude-harnessd", "", 555},
        {kNov21 + 5 * kSecond, "bad \xff\xfe bytes \x1b[31m red\nsecond line"},
    };
}

// What the sample's matching entries look like, in order.
const std::vector<std::string> kSampleLines{
    "Nov 20 09:00:00 testhost claude-harnessd[100]: starting claude-harnessd 0.1.0",
    "Nov 20 09:00:01 testhost systemd[1]: Started claude-harness.service - Claude harness.",
    "Nov 21 10:00:00 testhost claude-harnessd[100]: provider default: not ready: no login",
    "Nov 21 10:00:03 testhost claude-harnessd[100]: job j1 failed: the CLI exited with status 1",
    "Nov 21 10:00:04 testhost claude-harnessd[555]: listening on 127.0.0.1:8013",
    "Nov 21 10:00:05 testhost claude-harnessd[100]: bad " + kRed + kRed + " bytes " + kRed +
        "[31m red",
    "                                               second line",
};

struct SampleJournal {
    SampleJournal() { write_journal(file, sample_entries()); }
    TempDir dir;
    std::string file = dir.path() + "/system.journal";
};

ProcessResult logs(const SampleJournal& j, std::vector<std::string> args) {
    args.insert(args.begin(), {"logs", "-D", j.dir.path()});
    return run_ctl(args, kUtc);
}

std::vector<std::string> sample_lines(std::size_t from, std::size_t to) {
    return {kSampleLines.begin() + static_cast<long>(from),
            kSampleLines.begin() + static_cast<long>(to)};
}

std::string short_time(std::int64_t us) {
    const std::time_t t = us / kSecond;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%b %d %H:%M:%S", &tm);
    return buf;
}

std::int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ctl_logs)

BOOST_AUTO_TEST_CASE(shows_the_daemons_entries_and_no_others) {
    SampleJournal j;
    const auto r = logs(j, {});
    BOOST_TEST(r.exit_code() == 0, r.err);
    BOOST_TEST(lines_of(r.out) == kSampleLines, r.out);
    BOOST_TEST(r.err.empty(), r.err);
}

BOOST_AUTO_TEST_CASE(shows_the_last_50_by_default) {
    TempDir dir;
    std::vector<ExportEntry> many;
    for (int i = 1; i <= 60; ++i)
        many.push_back({kNov21 + i * kSecond, "entry " + std::to_string(i)});
    write_journal(dir.path() + "/system.journal", many);
    const auto lines = lines_of(run_ctl({"logs", "-D", dir.path()}, kUtc).out);
    BOOST_REQUIRE_EQUAL(lines.size(), 50u);
    BOOST_TEST(lines.front() == "Nov 21 10:00:11 testhost claude-harnessd[100]: entry 11");
    BOOST_TEST(lines.back() == "Nov 21 10:01:00 testhost claude-harnessd[100]: entry 60");
}

BOOST_AUTO_TEST_CASE(lines_limits_to_the_last_n) {
    SampleJournal j;
    auto r = logs(j, {"-n", "2"});
    BOOST_TEST(r.exit_code() == 0, r.err);
    BOOST_TEST(lines_of(r.out) == sample_lines(4, 7), r.out);
    r = logs(j, {"--lines=1"});
    BOOST_TEST(lines_of(r.out) == sample_lines(5, 7), r.out);
    r = logs(j, {"-n", "0"});
    BOOST_TEST(r.exit_code() == 0, r.err);
    BOOST_TEST(r.out.empty(), r.out);
}

BOOST_AUTO_TEST_CASE(priority_shows_that_level_and_more_severe) {
    SampleJournal j;
    auto r = logs(j, {"--priority", "warning"});
    BOOST_TEST(r.exit_code() == 0, r.err);
    BOOST_TEST(lines_of(r.out) == sample_lines(2, 4), r.out);
    r = logs(j, {"-p", "3"});
    BOOST_TEST(lines_of(r.out) == sample_lines(3, 4), r.out);
    r = logs(j, {"-p", "debug"});
    BOOST_TEST(lines_of(r.out) == kSampleLines, r.out);
}

BOOST_AUTO_TEST_CASE(since_an_absolute_time) {
    SampleJournal j;
    auto r = logs(j, {"--since", "2025-11-21"});
    BOOST_TEST(r.exit_code() == 0, r.err);
    BOOST_TEST(lines_of(r.out) == sample_lines(2, 7), r.out);
    r = logs(j, {"--since", "2025-11-21 10:00:03"});
    BOOST_TEST(lines_of(r.out) == sample_lines(3, 7), r.out);
    r = logs(j, {"--since", "2025-11-21 10:00:03", "-n", "1"});
    BOOST_TEST(lines_of(r.out) == sample_lines(5, 7), r.out);
    // The same instant named in another zone.
    r = run_ctl({"logs", "-D", j.dir.path(), "--since", "2025-11-21 12:00:03"}, {"TZ=XYZ-2"});
    BOOST_TEST(lines_of(r.out).size() == 4u, r.out);
    BOOST_TEST(r.out.find("Nov 21 12:00:03 testhost claude-harnessd[100]: job j1") == 0, r.out);
}

BOOST_AUTO_TEST_CASE(since_a_relative_time) {
    TempDir dir;
    const std::int64_t now = now_us();
    write_journal(dir.path() + "/system.journal",
                  {{now - 7200 * kSecond, "two hours ago"}, {now - 60 * kSecond, "a minute ago"}});
    const std::string old_line =
        short_time(now - 7200 * kSecond) + " testhost claude-harnessd[100]: two hours ago";
    const std::string new_line =
        short_time(now - 60 * kSecond) + " testhost claude-harnessd[100]: a minute ago";
    for (const char* since : {"-5m", "5min ago", "1h ago"}) {
        const auto r = run_ctl({"logs", "-D", dir.path(), "--since", since}, kUtc);
        BOOST_TEST(r.exit_code() == 0, r.err);
        BOOST_TEST(lines_of(r.out) == std::vector<std::string>{new_line}, since << ": " << r.out);
    }
    for (const char* since : {"3h ago", "1d ago", "yesterday"}) {
        const auto r = run_ctl({"logs", "-D", dir.path(), "--since", since}, kUtc);
        BOOST_TEST(lines_of(r.out) == (std::vector<std::string>{old_line, new_line}),
                   since << ": " << r.out);
    }
}

BOOST_AUTO_TEST_CASE(json_is_one_object_per_line) {
    SampleJournal j;
    const auto r = logs(j, {"--json"});
    BOOST_TEST(r.exit_code() == 0, r.err);
    const auto lines = lines_of(r.out);
    BOOST_REQUIRE_EQUAL(lines.size(), 6u);
    std::vector<nlohmann::json> docs;
    for (const auto& line : lines)
        docs.push_back(nlohmann::json::parse(line));
    BOOST_TEST(docs[0] == nlohmann::json({{"time", kNov20},
                                          {"priority", 6},
                                          {"identifier", "claude-harnessd"},
                                          {"pid", 100},
                                          {"message", "starting claude-harnessd 0.1.0"}}));
    BOOST_TEST(docs[1]["identifier"] == "systemd");
    BOOST_TEST(docs[1]["pid"] == 1);
    BOOST_TEST(docs[2]["priority"] == 4);
    BOOST_TEST(docs[4]["pid"] == 555);
    // Invalid UTF-8 is replaced; control characters are JSON-escaped, not lost.
    BOOST_TEST(docs[5]["message"] == "bad " + kRed + kRed + " bytes \x1b[31m red\nsecond line");
    BOOST_TEST(docs[5]["time"] == kNov21 + 5 * kSecond);
}

BOOST_AUTO_TEST_CASE(bad_values_are_usage_errors) {
    SampleJournal j;
    for (const char* since : {"soon", "2025-13-01", "m5", "-5parsecs", ""}) {
        const auto r = logs(j, {"--since", since});
        BOOST_TEST(r.exit_code() == 2, since);
        BOOST_TEST(
            r.err.find("--since: cannot read '" + std::string(since) + "'") != std::string::npos,
            r.err);
        BOOST_TEST(r.out.empty());
    }
    for (const char* priority : {"loud", "8", "-1"}) {
        const auto r = logs(j, {"--priority", priority});
        BOOST_TEST(r.exit_code() == 2, priority);
        BOOST_TEST(r.err.find("--priority: unknown level") != std::string::npos, r.err);
    }
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"-n", "x"}, {"-n", "-3"}, {"--bogus"}, {"extra"}, {"-n"}}) {
        const auto r = logs(j, args);
        BOOST_TEST(r.exit_code() == 2, args.front());
        BOOST_TEST(r.err.find("Usage: claude-harnessctl logs") != std::string::npos, r.err);
    }
}

BOOST_AUTO_TEST_CASE(no_journal_is_a_clear_failure) {
    TempDir empty;
    auto r = run_ctl({"logs", "-D", empty.path()});
    BOOST_TEST(r.exit_code() == 1);
    BOOST_TEST(r.err == "claude-harnessctl logs: no journal files could be read in " +
                            empty.path() +
                            " (there are none, or they are not readable by this user)\n");
    r = run_ctl({"logs", "-D", empty.path() + "/missing"});
    BOOST_TEST(r.exit_code() == 1);
    BOOST_TEST(r.err ==
               "claude-harnessctl logs: " + empty.path() + "/missing: No such file or directory\n");
    BOOST_TEST(r.out.empty());
}

BOOST_AUTO_TEST_CASE(an_unprivileged_user_is_told_which_groups_may_read) {
    BOOST_REQUIRE_MESSAGE(geteuid() == 0, "this test must run as root (it does in CI)");
    SampleJournal j;  // systemd-journal-remote writes its files 0640
    chmod(j.dir.path().c_str(), 0755);
    const std::vector<std::string> as_nobody{"/usr/bin/setpriv", "--reuid=nobody",
                                             "--regid=nogroup",  "--clear-groups",
                                             CH_CTL_BINARY,      "logs"};
    auto r = run_process(as_nobody);
    BOOST_TEST(r.exit_code() == 1, r.err);
    BOOST_TEST(r.err ==
               "claude-harnessctl logs: cannot read the system journal: no journal file "
               "is readable by user 'nobody'; members of the group systemd-journal or "
               "adm may read it (`sudo usermod -a -G systemd-journal nobody`, then log "
               "in again), or run this as root\n");
    auto in_dir = as_nobody;
    in_dir.insert(in_dir.end(), {"-D", j.dir.path()});
    r = run_process(in_dir);
    BOOST_TEST(r.exit_code() == 1, r.err);
    BOOST_TEST(r.err.find("not readable by this user") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(help_documents_the_options) {
    const auto r = run_ctl({"logs", "--help"});
    BOOST_TEST(r.exit_code() == 0);
    for (const char* option :
         {"--follow", "--lines", "--since", "--priority", "--directory", "--json", "the last 50"})
        BOOST_TEST(r.out.find(option) != std::string::npos, option);
}

BOOST_AUTO_TEST_CASE(follow_prints_new_entries_until_sigterm) {
    SampleJournal j;
    BackgroundProcess ctl({CH_CTL_BINARY, "logs", "-f", "-D", j.dir.path()}, kUtc);
    for (const auto& expected : kSampleLines) {
        const auto line = ctl.read_line(10s);
        BOOST_REQUIRE_MESSAGE(line, "no line; stderr: " << ctl.stderr_text());
        BOOST_TEST(*line == expected);
    }
    // systemd-journal-remote appends to the file the reader is watching.
    write_journal(j.file, {{kNov21 + 60 * kSecond, "a new entry"},
                           {kNov21 + 61 * kSecond, "not ours", 6, "sshd", "ssh.service", 200}});
    const auto line = ctl.read_line(10s);
    BOOST_REQUIRE_MESSAGE(line, "no new line; stderr: " << ctl.stderr_text());
    BOOST_TEST(*line == "Nov 21 10:01:00 testhost claude-harnessd[100]: a new entry");
    // And a second file in the directory is picked up too.
    write_journal(j.dir.path() + "/other.journal", {{kNov21 + 62 * kSecond, "from a new file"}});
    const auto second = ctl.read_line(10s);
    BOOST_REQUIRE_MESSAGE(second, "no line from the new file; stderr: " << ctl.stderr_text());
    BOOST_TEST(*second == "Nov 21 10:01:02 testhost claude-harnessd[100]: from a new file");

    ctl.signal(SIGTERM);
    const auto status = ctl.wait(10s);
    BOOST_REQUIRE(status);
    BOOST_TEST(WIFEXITED(*status));
    BOOST_TEST(WEXITSTATUS(*status) == 0, ctl.stderr_text());
    BOOST_TEST(!ctl.read_line(1s), "nothing more after the new entries");
}

BOOST_AUTO_TEST_CASE(follow_stops_on_sigint_too) {
    SampleJournal j;
    BackgroundProcess ctl({CH_CTL_BINARY, "logs", "--follow", "-n", "1", "-D", j.dir.path()}, kUtc);
    BOOST_TEST(ctl.read_line(10s).value_or("<none>") == kSampleLines[5]);
    BOOST_TEST(ctl.read_line(10s).value_or("<none>") == kSampleLines[6]);
    ctl.signal(SIGINT);
    const auto status = ctl.wait(10s);
    BOOST_REQUIRE(status);
    BOOST_TEST((WIFEXITED(*status) && WEXITSTATUS(*status) == 0), "wait status " << *status);
}

BOOST_AUTO_TEST_SUITE_END()
