// claude-harnessd: serves Claude, through the Claude Code CLI and a subscription login, to
// local programs over HTTP in the dialects they already speak.
#include <getopt.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "common/config.h"
#include "common/version.h"
#include "daemon/api_keys.h"
#include "daemon/child_reaper.h"
#include "daemon/http_server.h"
#include "daemon/job_manager.h"
#include "daemon/logging.h"
#include "daemon/provider_health.h"
#include "daemon/service_notifier.h"

namespace {

constexpr const char* kDefaultConfig = "/etc/claude-harness/config.toml";

constexpr const char* kUsage =
    "Usage: claude-harnessd [OPTIONS]\n"
    "\n"
    "Serves Claude through the Claude Code CLI over an OpenAI-compatible HTTP API.\n"
    "\n"
    "  -c, --config PATH      configuration file (default /etc/claude-harness/config.toml)\n"
    "      --check-config     validate the configuration, print every problem, exit 0 or 1\n"
    "      --log-level LEVEL  trace, debug, info (default), warn, error\n"
    "  -V, --version          print the version and exit\n"
    "  -h, --help             print this help and exit\n";

struct Options {
    std::string config = kDefaultConfig;
    std::string log_level = "info";
    bool check_only = false;
};

// Parses argv; returns an exit status when the program should stop here.
std::optional<int> parse_options(int argc, char** argv, Options& options) {
    enum { kCheckConfig = 256, kLogLevel };
    static const option longopts[] = {
        {"config", required_argument, nullptr, 'c'},
        {"check-config", no_argument, nullptr, kCheckConfig},
        {"log-level", required_argument, nullptr, kLogLevel},
        {"version", no_argument, nullptr, 'V'},
        {"help", no_argument, nullptr, 'h'},
        {nullptr, 0, nullptr, 0},
    };
    int opt;
    while ((opt = getopt_long(argc, argv, "c:Vh", longopts, nullptr)) != -1) {
        switch (opt) {
            case 'c':
                options.config = optarg;
                break;
            case kCheckConfig:
                options.check_only = true;
                break;
            case kLogLevel:
                if (!ch::parse_log_level(optarg)) {
                    std::fprintf(stderr, "claude-harnessd: unknown log level '%s'\n", optarg);
                    return 2;
                }
                options.log_level = optarg;
                break;
            case 'V':
                std::printf("claude-harnessd %s\n", ch::kVersion);
                return 0;
            case 'h':
                std::fputs(kUsage, stdout);
                return 0;
            default:
                std::fputs(kUsage, stderr);
                return 2;
        }
    }
    if (optind < argc) {
        std::fprintf(stderr, "claude-harnessd: unexpected argument '%s'\n%s", argv[optind], kUsage);
        return 2;
    }
    return std::nullopt;
}

// Everything --check-config verifies: the file, the key file, and the exposure rule.
bool validate(const ch::Config& config, std::optional<ch::ApiKeys>& keys) {
    std::string error;
    keys = ch::ApiKeys::load(config.server.api_keys_file, &error);
    if (!keys) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return false;
    }
    for (const auto& address : config.server.listen) {
        if (address.is_loopback() || keys->enabled()) continue;
        std::fprintf(stderr,
                     "%s: refusing to listen on %s without API keys: anyone who can reach it "
                     "could spend the subscription. Set server.api_keys_file, or listen on "
                     "loopback only (127.0.0.1, [::1]).\n",
                     config.path.c_str(), address.text.c_str());
        return false;
    }
    return true;
}

// The per-job working directories live in <state_dir>/jobs; leftovers of a crash are removed.
std::optional<std::string> prepare_state(const std::string& state_dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const std::string jobs = state_dir + "/jobs";
    fs::create_directories(jobs, ec);
    if (ec) {
        spdlog::error("cannot create {}: {}", jobs, ec.message());
        return std::nullopt;
    }
    // Others may traverse (the run-as user enters its own job directory) but not list.
    chmod(jobs.c_str(), 0711);
    for (const auto& entry : fs::directory_iterator(jobs, ec))
        fs::remove_all(entry.path(), ec);
    return jobs;
}

// Serves until SIGTERM or SIGINT, keeping systemd's view of the service current meanwhile.
int serve_until_stopped(ch::ServiceNotifier& notifier, const ch::JobManager& jobs) {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGTERM, SIGINT, SIGHUP})
        sigaddset(&set, sig);
    const int fd = signalfd(-1, &set, SFD_CLOEXEC);
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        const int n = poll(&p, 1, static_cast<int>(notifier.interval().count()));
        const auto counts = jobs.counts();
        notifier.tick(ch::service_status(counts.running, counts.queued, counts.finished));
        signalfd_siginfo info;
        if (n <= 0 || read(fd, &info, sizeof info) != sizeof info) continue;
        if (info.ssi_signo == SIGHUP) {
            spdlog::warn(
                "SIGHUP: reloading the configuration is not supported yet; restart the "
                "service to apply changes");
            continue;
        }
        close(fd);
        return static_cast<int>(info.ssi_signo);
    }
}

}  // namespace

int main(int argc, char** argv) {
    // One malloc arena per thread would grow the daemon by hundreds of MB of address space.
    mallopt(M_ARENA_MAX, 2);
    ch::block_daemon_signals();
    Options options;
    if (const auto status = parse_options(argc, argv, options)) return *status;
    ch::setup_logging(options.log_level);

    const ch::ConfigLoad load = ch::load_config_file(options.config);
    for (const auto& e : load.errors)
        std::fprintf(stderr, "%s\n", e.c_str());
    if (!load.ok()) return 1;
    const ch::Config& config = load.config;
    std::optional<ch::ApiKeys> keys;
    if (!validate(config, keys)) return 1;
    if (options.check_only) {
        std::printf("%s: ok\n", options.config.c_str());
        return 0;
    }

    spdlog::info("claude-harnessd {} starting with {}", ch::kVersion, config.path);
    const auto jobs_dir = prepare_state(config.server.state_dir);
    if (!jobs_dir) return 1;

    ch::ChildReaper reaper;
    ch::ProviderHealth health(config.providers, reaper);
    ch::JobManager jobs(config.limits, *jobs_dir, reaper);
    ch::HttpContext ctx;
    ctx.config = config;
    ctx.keys = *keys;
    ctx.jobs = &jobs;
    ctx.health = &health;
    ctx.started_epoch = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();

    ch::HttpServer http(ctx);
    std::string error;
    if (!http.bind(&error)) {
        spdlog::error("{}", error);
        return 1;
    }
    http.start();
    ch::ServiceNotifier notifier;
    notifier.ready(ch::service_status(0, 0, 0));

    const int sig = serve_until_stopped(notifier, jobs);
    spdlog::info("{}: shutting down", sigabbrev_np(sig) ? sigabbrev_np(sig) : "signal");
    notifier.stopping();
    ctx.shutting_down = true;
    jobs.shutdown(config.limits.shutdown_grace);
    // Let handlers write the last events of cancelled streams before the sockets close.
    {
        std::unique_lock lock(ctx.in_flight_mutex);
        ctx.answered.wait_for(lock, std::chrono::seconds(5), [&] { return ctx.in_flight == 0; });
    }
    http.stop();
    reaper.kill_orphans();
    spdlog::info("stopped");
    return 0;
}
