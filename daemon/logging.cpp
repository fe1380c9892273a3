#include "daemon/logging.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>

namespace ch {
namespace {

// True when stderr is the journal stream systemd connected us to.
bool stderr_is_journal() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    if (!stream) return false;
    unsigned long long dev = 0, ino = 0;
    if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
    struct stat st;
    return fstat(STDERR_FILENO, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

bool to_journal = false;

struct SyslogLevel {
    const char* name;
    spdlog::level::level_enum level;
};
// Syslog has more levels than spdlog; the extra ones map to the nearest.
constexpr SyslogLevel kSyslogLevels[] = {
    {"emerg", spdlog::level::critical}, {"alert", spdlog::level::critical},
    {"crit", spdlog::level::critical},  {"err", spdlog::level::err},
    {"warning", spdlog::level::warn},   {"notice", spdlog::level::info},
    {"info", spdlog::level::info},      {"debug", spdlog::level::debug},
};

}  // namespace

std::string syslog_level() {
    switch (spdlog::get_level()) {
        case spdlog::level::trace:
        case spdlog::level::debug:
            return "debug";
        case spdlog::level::info:
            return "info";
        case spdlog::level::warn:
            return "warning";
        case spdlog::level::err:
            return "err";
        default:
            return "crit";
    }
}

bool set_syslog_level(const std::string& name) {
    for (const auto& l : kSyslogLevels) {
        if (name != l.name) continue;
        spdlog::set_level(l.level);
        return true;
    }
    return false;
}

std::string log_target() {
    return to_journal ? "journal" : "console";
}

std::optional<int> parse_log_level(const std::string& name) {
    const auto level = spdlog::level::from_str(name);
    if (level == spdlog::level::off && name != "off") return std::nullopt;
    return static_cast<int>(level);
}

void setup_logging(const std::string& level) {
    std::shared_ptr<spdlog::logger> logger;
    to_journal = stderr_is_journal();
    if (to_journal) {
        // The journal records time, identifier and priority itself.
        logger = std::make_shared<spdlog::logger>(
            "claude-harnessd", std::make_shared<spdlog::sinks::systemd_sink_mt>("claude-harnessd"));
        logger->set_pattern("%v");
    } else {
        logger = std::make_shared<spdlog::logger>(
            "claude-harnessd", std::make_shared<spdlog::sinks::stderr_sink_mt>());
        logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %l: %v");
    }
    logger->set_level(spdlog::level::from_str(level));
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(logger);
}

}  // namespace ch
