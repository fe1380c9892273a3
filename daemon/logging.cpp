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

}  // namespace

std::optional<int> parse_log_level(const std::string& name) {
    const auto level = spdlog::level::from_str(name);
    if (level == spdlog::level::off && name != "off") return std::nullopt;
    return static_cast<int>(level);
}

void setup_logging(const std::string& level) {
    std::shared_ptr<spdlog::logger> logger;
    if (stderr_is_journal()) {
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
