// Pre-started CLI processes, per provider: each waits silently on stdin for its first line, is
// taken by exactly one request and then ends with it. A background thread keeps every pool at
// its configured size, replaces idle processes that die (backing off while starting fails) and
// never blocks a request: a request finding no suitable process starts one as usual.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/config.h"
#include "daemon/child_process.h"
#include "daemon/work_dir.h"

namespace ch {

class ChildReaper;

// A pre-started CLI handed to one request; its working directory goes when this does (after
// the process has been reaped).
struct WarmProcess {
    ProcessSpec spec;  // how it was started; the value after --model is `model`
    std::string model;
    std::unique_ptr<WorkDir> dir;
    ChildProcess child;
    std::chrono::steady_clock::time_point started;
};

class WarmPool {
  public:
    WarmPool(std::string jobs_dir, ChildReaper& reaper);
    ~WarmPool();  // stop()
    WarmPool(const WarmPool&) = delete;
    WarmPool& operator=(const WarmPool&) = delete;

    // Makes the pools match the configuration (at start and after a reload): a provider whose
    // settings changed has its idle processes stopped and its pool started afresh.
    void configure(const Config& config);

    // An idle process of `provider` started exactly like `wanted` (cwd and --model aside:
    // the caller switches the model with set_model when it differs), or nullptr. A request
    // with per-request environment (max_tokens) therefore never matches. Never blocks on a
    // spawn; a replacement is started in the background.
    std::unique_ptr<WarmProcess> take(const std::string& provider, const ProcessSpec& wanted);

    // Idle processes now, in all pools (for the "CLI processes" metric).
    std::size_t idle() const;

    // Stops the refill thread, then every idle process (stdin closed, then signals), reaped.
    void stop();

  private:
    struct Pool {
        ProviderConfig provider;
        std::string model;             // the cli_model its processes start with
        int cli_max_retries = 0;       // part of their environment
        std::uint64_t generation = 0;  // bumped when the settings change
        std::vector<std::unique_ptr<WarmProcess>> idle;
        int failures = 0;  // consecutive failed starts (or early deaths)
        std::chrono::steady_clock::time_point next_start{};
    };

    void run();
    void refill_once();
    void collect_dead();
    std::unique_ptr<WarmProcess> start(const Pool& pool, std::string* error);
    void note_failure(Pool& pool, const std::string& what);
    void wake();

    const std::string jobs_dir_;
    ChildReaper& reaper_;
    mutable std::mutex mutex_;
    std::map<std::string, Pool> pools_;  // by provider name
    std::uint64_t generations_ = 0;
    std::uint64_t started_ = 0;  // names the working directories
    bool stopping_ = false;
    int wake_fd_ = -1;
    std::thread thread_;
};

}  // namespace ch
