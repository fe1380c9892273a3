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
#include <functional>

#include <spdlog/spdlog.h>

#include "common/config.h"
#include "common/version.h"
#include "daemon/activity_recorder.h"
#include "daemon/bus_service.h"
#include "daemon/child_reaper.h"
#include "daemon/config_reloader.h"
#include "daemon/dashboard.h"
#include "daemon/dashboard_ticker.h"
#include "daemon/event_feed.h"
#include "daemon/http_server.h"
#include "daemon/job_containment.h"
#include "daemon/job_manager.h"
#include "daemon/ledger_history.h"
#include "daemon/logging.h"
#include "daemon/provider_health.h"
#include "daemon/provider_pool.h"
#include "daemon/service_notifier.h"
#include "daemon/session_routing.h"
#include "daemon/session_store.h"
#include "daemon/settings.h"
#include "daemon/tool_bridge.h"
#include "daemon/usage_journal.h"
#include "daemon/usage_ledger.h"
#include "daemon/warm_pool.h"

namespace {

constexpr const char* kUsage =
    "Usage: claude-harnessd [OPTIONS]\n"
    "\n"
    "Serves Claude through the Claude Code CLI over an OpenAI-compatible HTTP API.\n"
    "\n"
    "  -c, --config PATH      configuration file (default /etc/claude-harness/config.toml)\n"
    "      --check-config     validate the configuration, print every problem, exit 0 or 1\n"
    "      --log-level LEVEL  trace, debug, info (default), warn, error\n"
    "      --bus BUS          publish state on the system bus (default), the session bus,\n"
    "                         or none\n"
    "  -V, --version          print the version and exit\n"
    "  -h, --help             print this help and exit\n";

struct Options {
    std::string config = ch::kDefaultConfigPath;
    std::string log_level = "info";
    ch::BusKind bus = ch::BusKind::System;
    bool check_only = false;
};

// Parses argv; returns an exit status when the program should stop here.
std::optional<int> parse_options(int argc, char** argv, Options& options) {
    enum { kCheckConfig = 256, kLogLevel, kBus };
    static const option longopts[] = {
        {"config", required_argument, nullptr, 'c'},
        {"check-config", no_argument, nullptr, kCheckConfig},
        {"log-level", required_argument, nullptr, kLogLevel},
        {"bus", required_argument, nullptr, kBus},
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
            case kBus:
                if (const auto bus = ch::parse_bus_kind(optarg)) {
                    options.bus = *bus;
                    break;
                }
                std::fprintf(stderr, "claude-harnessd: --bus must be system, session or none\n");
                return 2;
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

// Serves until SIGTERM or SIGINT, reloading on SIGHUP and keeping systemd's view of the
// service current meanwhile.
// `tick` runs on every wake-up, about once a second.
int serve_until_stopped(ch::ServiceNotifier& notifier, const ch::JobManager& jobs,
                        ch::ConfigReloader& reloader, const std::function<void()>& tick) {
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
        tick();
        signalfd_siginfo info;
        if (n <= 0 || read(fd, &info, sizeof info) != sizeof info) continue;
        if (info.ssi_signo == SIGHUP) {
            reloader.reload();
            continue;
        }
        close(fd);
        return static_cast<int>(info.ssi_signo);
    }
}

}  // namespace

int main(int argc, char** argv) {
    // Hidden mode: the MCP server offering a request's tools to its CLI (see tool_bridge.h).
    if (argc == 3 && std::strcmp(argv[1], "--tool-bridge") == 0)
        return ch::run_tool_bridge(argv[2]);
    ch::self_executable();  // found now, before the binary could be replaced
    // One malloc arena per thread would grow the daemon by hundreds of MB of address space.
    mallopt(M_ARENA_MAX, 2);
    ch::block_daemon_signals();
    Options options;
    if (const auto status = parse_options(argc, argv, options)) return *status;
    ch::setup_logging(options.log_level);

    const ch::SettingsLoad load = ch::load_settings(options.config);
    for (const auto& e : load.errors)
        std::fprintf(stderr, "%s\n", e.c_str());
    if (!load.settings) return 1;
    if (options.check_only) {
        std::printf("%s: ok\n", options.config.c_str());
        return 0;
    }
    const ch::Config& config = load.settings->config;

    spdlog::info("claude-harnessd {} starting with {}{}", ch::kVersion, config.path,
                 config.fragments.empty()
                     ? ""
                     : " and " + std::to_string(config.fragments.size()) + " fragment(s)");
    const auto jobs_dir = prepare_state(config.server.state_dir);
    if (!jobs_dir) return 1;

    // Declared before the job manager: it records the jobs the manager ends while stopping.
    ch::UsageJournal journal(config.server.state_dir + "/usage.jsonl");
    ch::ChildReaper reaper;
    ch::remove_leftover_containment();  // a crashed daemon's agent jobs
    ch::ProviderHealth health(config.providers, reaper);
    health.set_warning_days(config.server.login_warning_days);
    ch::ProviderPool pool(&health);
    ch::WarmPool warm_pool(*jobs_dir, reaper);
    warm_pool.configure(config);
    // Sessions outlive restarts: their metadata and working directories are read back here.
    ch::SessionStore sessions(config.server.state_dir + "/sessions",
                              config.limits.session_idle_timeout);
    ch::SessionReleaser session_releaser(sessions);
    ch::JobManager jobs(config.limits, *jobs_dir, reaper, &pool, &warm_pool);
    jobs.add_watcher(session_releaser);
    ch::UsageLedger usage;
    jobs.add_watcher(journal);
    jobs.add_watcher(usage);
    ch::EventFeed feed;
    ch::ActivityRecorder activity(&feed);
    jobs.add_watcher(activity);
    ch::DashboardSources dashboard;
    dashboard.activity = &activity;
    dashboard.feed = &feed;
    ch::LedgerHistory ledger_history(journal.path());
    dashboard.history = &ledger_history;
    dashboard.chart_js = CH_CHART_JS_PATH;
    ch::HttpContext ctx;
    ctx.set_settings(load.settings);
    ctx.jobs = &jobs;
    ctx.health = &health;
    ctx.pool = &pool;
    ctx.usage = &usage;
    ctx.dashboard = &dashboard;
    ctx.warm_pool = &warm_pool;
    ctx.sessions = &sessions;
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    ctx.started_epoch = std::chrono::duration_cast<std::chrono::seconds>(now).count();
    ch::ConfigReloader reloader(options.config, ctx, jobs, health, pool, &warm_pool);

    ch::HttpServer http(ctx);
    std::string error;
    if (!http.bind(&error)) {
        spdlog::error("{}", error);
        return 1;
    }
    ch::BusSources sources{&ctx,
                           &jobs,
                           &health,
                           &usage,
                           &reloader,
                           http.bound(),
                           config.path,
                           static_cast<std::uint64_t>(
                               std::chrono::duration_cast<std::chrono::microseconds>(now).count()),
                           journal.path(),
                           &sessions};
    ch::BusService bus(options.bus, sources);
    jobs.add_watcher(bus);
    ch::DashboardTicker ticker(ctx);
    http.start();
    bus.start();
    ticker.start();
    ch::ServiceNotifier notifier;
    notifier.ready(ch::service_status(0, 0, 0));

    const int sig = serve_until_stopped(
        notifier, jobs, reloader, [&] { ch::expire_sessions(sessions, ctx.settings()->config); });
    spdlog::info("{}: shutting down", sigabbrev_np(sig) ? sigabbrev_np(sig) : "signal");
    notifier.stopping();
    ctx.shutting_down = true;
    warm_pool.stop();  // no new process may start while the jobs drain
    jobs.shutdown(ctx.settings()->config.limits.shutdown_grace);
    ticker.stop();  // ends the dashboards' event streams
    // Let handlers write the last events of cancelled streams before the sockets close.
    {
        std::unique_lock lock(ctx.in_flight_mutex);
        ctx.answered.wait_for(lock, std::chrono::seconds(5), [&] { return ctx.in_flight == 0; });
    }
    http.stop();
    bus.stop();
    reaper.kill_orphans();
    spdlog::info("stopped");
    return 0;
}
