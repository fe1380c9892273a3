// logs: the daemon's journal entries, like `journalctl -u claude-harness.service` but without
// needing to know the unit's name, and with the daemon's own identifier included.
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <string>

#include "ctl/exit_codes.h"
#include "ctl/journal_reader.h"
#include "ctl/log_filters.h"
#include "ctl/output.h"
#include "ctl/verb_options.h"
#include "ctl/verbs.h"

namespace ch::ctl {
namespace {

constexpr std::size_t kDefaultLines = 50;

constexpr const char* kUsageText =
    "Usage: claude-harnessctl logs [-f] [-n N] [--since T] [-p P] [-D DIR] [--json]\n"
    "\n"
    "Shows the daemon's journal entries: those of claude-harness.service, those logged as\n"
    "claude-harnessd, and systemd's own about the unit. Without -n and --since, the last 50.\n"
    "\n"
    "Options:\n"
    "  -f, --follow         after the last entries, print new ones as they come, until\n"
    "                       interrupted (SIGINT or SIGTERM; exit status 0)\n"
    "  -n, --lines N        the last N entries\n"
    "      --since T        entries from T on (all of them unless -n is given): YYYY-MM-DD,\n"
    "                       \"YYYY-MM-DD HH:MM[:SS]\" (local time), RFC 3339\n"
    "                       (2026-11-21T10:00:00Z), today, yesterday, or a time ago: 5m, -5m,\n"
    "                       \"5min ago\", \"2h ago\", \"1d ago\"\n"
    "  -p, --priority P     entries at P or more severe: emerg, alert, crit, err, warning,\n"
    "                       notice, info, debug, or 0-7\n"
    "  -D, --directory DIR  read the journal files in DIR instead of the system journal\n"
    "      --json           one JSON object per line: time (µs since the epoch), priority,\n"
    "                       identifier, pid, message\n"
    "  -h, --help           show this help\n"
    "\n"
    "Reading the system journal needs root or membership in the group systemd-journal or adm.\n"
    "Exit status: 0 ok, 1 no journal could be read, 2 usage error.\n";

struct LogsOptions {
    bool follow = false;
    bool json = false;
    std::optional<std::size_t> lines;
    std::optional<std::int64_t> since_us;
    std::optional<int> priority;
    std::string directory;
};

std::size_t parse_lines(const std::string& text) {
    std::size_t n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size())
        throw UsageError("--lines wants a number of entries, not '" + text + "'");
    return n;
}

std::string short_time(std::int64_t time_us) {
    return local_time(time_us, "%b %d %H:%M:%S");  // as journalctl's short format
}

void print_entry(const JournalEntry& e, bool json) {
    if (json) {
        print_json_line({{"time", e.time_us},
                         {"priority", e.priority >= 0 ? nlohmann::json(e.priority) : nullptr},
                         {"identifier", e.identifier},
                         {"pid", e.pid > 0 ? nlohmann::json(e.pid) : nullptr},
                         {"message", valid_utf8(e.message)}});
        return;
    }
    // journalctl's short format; continuation lines are indented under the message.
    std::string prefix = short_time(e.time_us) + " ";
    if (!e.hostname.empty()) prefix += printable(e.hostname) + " ";
    prefix += printable(e.identifier.empty() ? "unknown" : e.identifier);
    if (e.pid > 0) prefix += "[" + std::to_string(e.pid) + "]";
    prefix += ": ";
    std::string message = printable(e.message, true);
    for (std::size_t at = message.find('\n'); at != std::string::npos;
         at = message.find('\n', at + 1 + prefix.size()))
        message.insert(at + 1, std::string(prefix.size(), ' '));
    std::printf("%s%s\n", prefix.c_str(), message.c_str());
}

// SIGINT and SIGTERM as a descriptor, so waiting for entries and for them is one poll().
int signal_fd() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, nullptr);
    const int fd = signalfd(-1, &set, SFD_CLOEXEC);
    if (fd < 0) throw std::runtime_error("signalfd failed");
    return fd;
}

int follow(JournalReader& journal, int signals, bool json) {
    for (;;) {
        while (const auto e = journal.next())
            print_entry(*e, json);
        if (std::fflush(stdout) != 0) return kFailure;
        pollfd fds[2] = {{journal.fd(), journal.events(), 0}, {signals, POLLIN, 0}};
        if (poll(fds, 2, journal.timeout_ms()) < 0 && errno != EINTR)
            throw std::runtime_error("poll failed");
        if (fds[1].revents & POLLIN) return kOk;
        journal.process();
    }
}

// std::nullopt when the verb should run, else its exit status (help shown, or a mistake).
std::optional<int> parse_options(int argc, char** argv, LogsOptions* o) {
    VerbOptions options("logs", kUsageText);
    options.flag("follow", 'f', &o->follow)
        .value("lines", 'n', [&](const std::string& v) { o->lines = parse_lines(v); })
        .value("since", 0,
               [&](const std::string& v) {
                   o->since_us = parse_since(v, now_us());
                   if (!o->since_us)
                       throw UsageError("--since: cannot read '" + v +
                                        "' as a time (YYYY-MM-DD, \"YYYY-MM-DD HH:MM[:SS]\", "
                                        "today, yesterday, -5m, \"2h ago\")");
               })
        .value("priority", 'p',
               [&](const std::string& v) {
                   o->priority = parse_priority(v);
                   if (!o->priority)
                       throw UsageError("--priority: unknown level '" + v +
                                        "' (emerg, alert, crit, err, warning, notice, info, "
                                        "debug, or 0-7)");
               })
        .value("directory", 'D', [&](const std::string& v) { o->directory = v; })
        .json(&o->json);
    return options.parse(argc, argv);
}

}  // namespace

int verb_logs(int argc, char** argv) {
    LogsOptions o;
    if (const auto exit = parse_options(argc, argv, &o)) return *exit;

    const int signals = o.follow ? signal_fd() : -1;
    try {
        JournalReader journal(o.directory, o.priority);
        const auto lines = o.lines      ? o.lines
                           : o.since_us ? std::nullopt
                                        : std::optional(kDefaultLines);
        for (const auto& e : journal.tail(lines, o.since_us))
            print_entry(e, o.json);
        const int status = o.follow ? follow(journal, signals, o.json) : kOk;
        if (signals >= 0) close(signals);
        return std::fflush(stdout) == 0 ? status : kFailure;
    } catch (const JournalError& e) {
        std::fprintf(stderr, "claude-harnessctl logs: %s\n", e.what());
        return kFailure;
    }
}

}  // namespace ch::ctl
