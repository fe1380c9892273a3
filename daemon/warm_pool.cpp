#include "daemon/warm_pool.h"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "daemon/child_reaper.h"
#include "daemon/cli_command.h"

namespace ch {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kFirstBackoff = 1s;
constexpr auto kMaxBackoff = 60s;
// An idle process that dies sooner than this counts as a failed start (a CLI that cannot run
// must not be restarted in a loop); one that lived longer is simply replaced.
constexpr auto kHealthyLife = 10s;
constexpr auto kStopGrace = 1s;  // after closing stdin, and between signals

std::string model_in(const std::vector<std::string>& argv) {
    const auto it = std::find(argv.begin(), argv.end(), "--model");
    return it != argv.end() && it + 1 != argv.end() ? *(it + 1) : "";
}

std::vector<std::string> without_model(std::vector<std::string> argv) {
    const auto it = std::find(argv.begin(), argv.end(), "--model");
    if (it != argv.end() && it + 1 != argv.end()) argv.erase(it, it + 2);
    return argv;
}

bool same_start(const ProcessSpec& a, const ProcessSpec& b) {
    return a.path == b.path && a.env == b.env && a.run_as.switch_user == b.run_as.switch_user &&
           a.run_as.uid == b.run_as.uid && a.run_as.gid == b.run_as.gid &&
           a.run_as.groups == b.run_as.groups && without_model(a.argv) == without_model(b.argv);
}

// The model a provider's processes start with: that of its first model, the one most
// requests are likely to name; others are switched to with set_model.
const ModelConfig* first_model_of(const Config& config, const std::string& provider) {
    for (const ModelConfig& model : config.models)
        if (std::find(model.providers.begin(), model.providers.end(), provider) !=
            model.providers.end())
            return &model;
    return nullptr;
}

// The last line the process wrote to stderr, if any (it has exited: no more will come).
std::string last_stderr_line(const ChildProcess& child) {
    char buf[4096];
    std::string text;
    ssize_t got;
    while ((got = read(child.stderr_fd(), buf, sizeof buf)) > 0) {
        text.append(buf, static_cast<std::size_t>(got));
        if (text.size() > 2 * sizeof buf) text.erase(0, text.size() - sizeof buf);
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    if (const auto nl = text.rfind('\n'); nl != std::string::npos) text.erase(0, nl + 1);
    return text;
}

// Ends idle processes: stdin closed (they exit cleanly at once), then SIGTERM, then SIGKILL
// to the group; every one reaped.
void retire(std::vector<std::unique_ptr<WarmProcess>> processes) {
    for (auto& p : processes)
        p->child.close_stdin();
    for (auto& p : processes) {
        if (p->child.reap(Clock::now() + kStopGrace)) continue;
        p->child.signal_group(SIGTERM);
        if (p->child.reap(Clock::now() + kStopGrace)) continue;
        p->child.signal_group(SIGKILL);
        if (!p->child.reap(Clock::now() + 10s))
            spdlog::error("pre-started CLI process {} could not be reaped", p->child.pid());
    }
}

}  // namespace

WarmPool::WarmPool(std::string jobs_dir, ChildReaper& reaper)
    : jobs_dir_(std::move(jobs_dir)), reaper_(reaper) {
    wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
    thread_ = std::thread([this] { run(); });
}

WarmPool::~WarmPool() {
    stop();
    close(wake_fd_);
}

void WarmPool::configure(const Config& config) {
    std::vector<std::unique_ptr<WarmProcess>> drained;
    {
        std::lock_guard guard(mutex_);
        if (stopping_) return;
        std::map<std::string, Pool> next;
        for (const ProviderConfig& provider : config.providers) {
            const ModelConfig* model = first_model_of(config, provider.name);
            if (provider.warm_pool <= 0 || model == nullptr) continue;
            auto old = pools_.find(provider.name);
            if (old != pools_.end() && old->second.provider == provider &&
                old->second.model == model->cli_model &&
                old->second.cli_max_retries == config.limits.cli_max_retries) {
                next.emplace(provider.name, std::move(old->second));
                continue;
            }
            Pool& pool = next[provider.name];
            pool.provider = provider;
            pool.model = model->cli_model;
            pool.cli_max_retries = config.limits.cli_max_retries;
            pool.generation = ++generations_;
        }
        for (auto& [name, pool] : pools_) {
            if (next.count(name) && next.at(name).generation == pool.generation) continue;
            for (auto& p : pool.idle)
                drained.push_back(std::move(p));
        }
        pools_ = std::move(next);
    }
    if (!drained.empty())
        spdlog::info("warm pool: stopping {} pre-started CLI process(es) of changed providers",
                     drained.size());
    retire(std::move(drained));
    wake();
}

std::unique_ptr<WarmProcess> WarmPool::take(const std::string& provider,
                                            const ProcessSpec& wanted) {
    std::unique_ptr<WarmProcess> taken;
    {
        std::lock_guard guard(mutex_);
        const auto pool = pools_.find(provider);
        if (pool == pools_.end()) return nullptr;
        auto& idle = pool->second.idle;
        const auto it = std::find_if(idle.begin(), idle.end(), [&](const auto& p) {
            return same_start(p->spec, wanted) && !p->child.has_exited();
        });
        if (it == idle.end()) return nullptr;
        taken = std::move(*it);
        idle.erase(it);
    }
    wake();  // start its replacement
    return taken;
}

std::size_t WarmPool::idle() const {
    std::lock_guard guard(mutex_);
    std::size_t n = 0;
    for (const auto& [name, pool] : pools_)
        n += pool.idle.size();
    return n;
}

void WarmPool::stop() {
    std::vector<std::unique_ptr<WarmProcess>> all;
    {
        std::lock_guard guard(mutex_);
        stopping_ = true;
        for (auto& [name, pool] : pools_)
            for (auto& p : pool.idle)
                all.push_back(std::move(p));
        pools_.clear();
    }
    wake();
    if (thread_.joinable()) thread_.join();
    retire(std::move(all));
}

void WarmPool::wake() {
    const std::uint64_t one = 1;
    if (write(wake_fd_, &one, sizeof one) < 0 && errno != EAGAIN)
        spdlog::error("warm pool: eventfd: {}", std::strerror(errno));
}

// Sleeps until woken (a take, a reload, stop), an idle process dies, or a backed-off start
// is due; then replaces the dead and starts what is missing.
void WarmPool::run() {
    for (;;) {
        std::vector<pollfd> fds{{wake_fd_, POLLIN, 0}};
        int timeout_ms = -1;
        {
            std::lock_guard guard(mutex_);
            if (stopping_) return;
            const auto now = Clock::now();
            for (const auto& [name, pool] : pools_) {
                for (const auto& p : pool.idle)
                    fds.push_back({p->child.pidfd(), POLLIN, 0});
                if (static_cast<int>(pool.idle.size()) >= pool.provider.warm_pool) continue;
                const auto wait = std::chrono::ceil<std::chrono::milliseconds>(
                    std::max(pool.next_start - now, Clock::duration::zero()));
                const int ms = static_cast<int>(wait.count());
                timeout_ms = timeout_ms < 0 ? ms : std::min(timeout_ms, ms);
            }
        }
        if (poll(fds.data(), fds.size(), timeout_ms) < 0 && errno != EINTR) {
            spdlog::error("warm pool: poll: {}", std::strerror(errno));
            return;
        }
        std::uint64_t count;
        while (read(wake_fd_, &count, sizeof count) > 0) {
        }
        collect_dead();
        refill_once();
    }
}

void WarmPool::collect_dead() {
    struct Dead {
        std::string provider;
        std::unique_ptr<WarmProcess> process;
    };
    std::vector<Dead> dead;
    {
        std::lock_guard guard(mutex_);
        for (auto& [name, pool] : pools_) {
            for (auto it = pool.idle.begin(); it != pool.idle.end();) {
                if (!(*it)->child.has_exited()) {
                    ++it;
                    continue;
                }
                dead.push_back({name, std::move(*it)});
                it = pool.idle.erase(it);
            }
        }
    }
    for (auto& [provider, process] : dead) {
        const std::string said = last_stderr_line(process->child);
        const auto status = process->child.reap(Clock::now() + 5s);
        const std::string what = "pre-started CLI process " + std::to_string(process->child.pid()) +
                                 " ended while idle (" +
                                 (status ? describe_wait_status(*status) : "not reaped") + ")" +
                                 (said.empty() ? "" : ": " + said);
        std::lock_guard guard(mutex_);
        const auto pool = pools_.find(provider);
        if (pool == pools_.end()) continue;
        if (Clock::now() - process->started < kHealthyLife) {
            note_failure(pool->second, what);
        } else {
            spdlog::warn("warm pool of provider '{}': {}; starting another", provider, what);
            pool->second.failures = 0;
        }
    }
}

void WarmPool::refill_once() {
    for (;;) {
        Pool wanted;
        {
            std::lock_guard guard(mutex_);
            if (stopping_) return;
            const auto now = Clock::now();
            const auto due = std::find_if(pools_.begin(), pools_.end(), [&](const auto& entry) {
                const Pool& pool = entry.second;
                return static_cast<int>(pool.idle.size()) < pool.provider.warm_pool &&
                       pool.next_start <= now;
            });
            if (due == pools_.end()) return;
            wanted.provider = due->second.provider;
            wanted.model = due->second.model;
            wanted.cli_max_retries = due->second.cli_max_retries;
            wanted.generation = due->second.generation;
        }
        std::string error;
        auto process = start(wanted, &error);
        std::vector<std::unique_ptr<WarmProcess>> unwanted;
        {
            std::lock_guard guard(mutex_);
            const auto pool = pools_.find(wanted.provider.name);
            const bool current =
                !stopping_ && pool != pools_.end() && pool->second.generation == wanted.generation;
            if (!process) {
                if (current) note_failure(pool->second, error);
            } else if (current && static_cast<int>(pool->second.idle.size()) <
                                      pool->second.provider.warm_pool) {
                spdlog::debug("warm pool: started CLI process {} for provider '{}' (model {})",
                              process->child.pid(), wanted.provider.name, wanted.model);
                pool->second.idle.push_back(std::move(process));
            } else {
                // Reconfigured or stopping meanwhile: this one is not wanted any more.
                unwanted.push_back(std::move(process));
            }
        }
        retire(std::move(unwanted));
    }
}

std::unique_ptr<WarmProcess> WarmPool::start(const Pool& pool, std::string* error) {
    const ProviderConfig& provider = pool.provider;
    const auto who = resolve_run_as(provider.user, error);
    if (!who) return nullptr;
    const std::string path = find_executable(provider.claude, usual_path(*who));
    if (path.empty()) {
        *error = "the Claude CLI '" + provider.claude + "' was not found in " + usual_path(*who);
        return nullptr;
    }
    std::uint64_t n;
    {
        std::lock_guard guard(mutex_);
        n = ++started_;
    }
    auto dir = std::make_unique<WorkDir>(jobs_dir_, "warm-" + std::to_string(n), *who);
    if (!dir->error().empty()) {
        *error = dir->error();
        return nullptr;
    }
    ModelConfig model;
    model.cli_model = pool.model;
    LimitsConfig limits;
    limits.cli_max_retries = pool.cli_max_retries;
    // The environment of a cold run without per-request parts (no max_tokens).
    ProcessSpec spec{path, cli_arguments(path, model),
                     cli_environment(*who, provider, limits, std::nullopt), *who, dir->path()};
    try {
        ChildProcess child = ChildProcess::spawn(spec, reaper_);
        if (child.pidfd() < 0) {
            // It exited, and was reaped, before a pidfd could be opened: a failed start, and
            // one the refill thread could not have watched.
            const auto status = child.reap(Clock::now() + 1s);
            *error = "pre-started CLI process " + std::to_string(child.pid()) + " ended at once (" +
                     (status ? describe_wait_status(*status) : "not watchable") + ")";
            return nullptr;
        }
        std::string started_model = model_in(spec.argv);
        return std::unique_ptr<WarmProcess>(
            new WarmProcess{std::move(spec), std::move(started_model), std::move(dir),
                            std::move(child), Clock::now()});
    } catch (const SpawnError& e) {
        *error = std::string("cannot start the Claude CLI: ") + e.what();
        return nullptr;
    }
}

void WarmPool::note_failure(Pool& pool, const std::string& what) {
    ++pool.failures;
    const auto backoff = std::min<Clock::duration>(
        kFirstBackoff * (1 << std::min(pool.failures - 1, 10)), kMaxBackoff);
    pool.next_start = Clock::now() + backoff;
    spdlog::warn("warm pool of provider '{}': {}; next try in {} s", pool.provider.name, what,
                 std::chrono::duration_cast<std::chrono::seconds>(backoff).count());
}

}  // namespace ch
