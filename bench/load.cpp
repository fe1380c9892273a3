#include "bench/load.h"

#include "bench/http_client.h"
#include "bench/proc_stats.h"

namespace bench {

StreamBatch stream_batch(int port, int count, std::chrono::milliseconds stagger,
                         const std::string& content, std::chrono::milliseconds wait,
                         const std::function<void(int, double)>& while_open) {
    std::mutex mutex;
    std::condition_variable cv;
    int open = 0;
    std::vector<Sample> samples(static_cast<std::size_t>(count));
    std::vector<std::thread> threads;
    const long over0 = listen_overflows();
    const long cookies0 = tcp_ext("SyncookiesSent");
    const auto t0 = Clock::now();
    for (int i = 0; i < count; ++i) {
        std::this_thread::sleep_until(t0 + i * stagger);
        threads.emplace_back([&, i] {
            auto client = make_client(port);
            samples[static_cast<std::size_t>(i)] = post_stream(*client, content, [&] {
                std::lock_guard guard(mutex);
                ++open;
                cv.notify_all();
            });
        });
    }
    if (while_open) {
        int open_now = 0;
        {
            std::unique_lock lock(mutex);
            cv.wait_until(lock, t0 + wait, [&] { return open == count; });
            open_now = open;
        }
        while_open(open_now, ms_between(t0, Clock::now()));
    }
    for (auto& t : threads)
        t.join();
    StreamBatch r;
    r.overflows = listen_overflows() - over0;
    r.cookies = tcp_ext("SyncookiesSent") - cookies0;
    for (const auto& s : samples)
        if (!s.ok && r.failures++ == 0) r.first_error = s.error;
    return r;
}

}  // namespace bench
