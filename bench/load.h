// Concurrent load: a fixed number of calls spread over client threads (throughput), and a
// batch of streaming requests on new connections held open together (memory, bursts).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/util.h"

namespace bench {

// Runs `total` calls of `one` spread over `clients` threads.
struct LoadResult {
    double wall_ms = 0;
    int failures = 0;
    std::string first_error;
    int total = 0;
    std::vector<double> latencies_ms;  // of the successful calls
};

template <typename MakeWorker>
LoadResult run_load(int clients, int total, MakeWorker make_worker) {
    LoadResult r;
    r.total = total;
    std::mutex mutex;
    std::condition_variable go_cv;
    bool go = false;
    int ready = 0;
    std::vector<std::thread> threads;
    Clock::time_point t0;
    for (int c = 0; c < clients; ++c) {
        const int count = total / clients + (c < total % clients ? 1 : 0);
        threads.emplace_back([&, count] {
            auto one = make_worker();  // e.g. a keep-alive client (it connects on first use)
            {
                std::unique_lock lock(mutex);
                ++ready;
                go_cv.notify_all();
                go_cv.wait(lock, [&] { return go; });
            }
            for (int i = 0; i < count; ++i) {
                const Sample s = one();
                std::lock_guard guard(mutex);
                if (s.ok) {
                    r.latencies_ms.push_back(s.total_ms);
                } else if (r.failures++ == 0) {
                    r.first_error = s.error;
                }
            }
        });
    }
    {
        std::unique_lock lock(mutex);
        go_cv.wait(lock, [&] { return ready == clients; });
        t0 = Clock::now();
        go = true;
        go_cv.notify_all();
    }
    for (auto& t : threads)
        t.join();
    r.wall_ms = ms_between(t0, Clock::now());
    return r;
}

// Streaming requests, each from its own thread on a new connection, started `stagger` apart.
// With `while_open`: once all have received their first content delta (or `wait` has passed)
// it is called with the number open and the time since the first start. Then waits for all.
struct StreamBatch {
    int failures = 0;
    std::string first_error;
    long overflows = 0;  // TcpExt ListenOverflows during the batch
    long cookies = 0;    // TcpExt SyncookiesSent during the batch
};

StreamBatch stream_batch(int port, int count, std::chrono::milliseconds stagger,
                         const std::string& content, std::chrono::milliseconds wait,
                         const std::function<void(int, double)>& while_open);

}  // namespace bench
