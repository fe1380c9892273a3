// The dashboard's live tail: the last events (job started or finished, provider state changes,
// reloads) numbered in order, plus the latest per-second summary. Bounded: only the newest
// kCapacity events are kept, and a reader that fell further behind skips the gap.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ch {

struct FeedEvent {
    std::uint64_t seq = 0;
    std::string type;     // "job_started", "job_finished", "provider", "reload"
    nlohmann::json data;  // includes "at_ms"
};

class EventFeed {
  public:
    static constexpr std::size_t kCapacity = 256;

    // Adds an event stamped with the current time; wakes every waiting reader.
    void publish(std::string type, nlohmann::json data);
    // Replaces the per-second summary; wakes every waiting reader.
    void set_tick(nlohmann::json tick);
    // Wakes every reader for good (shutdown).
    void close();

    struct View {
        std::vector<FeedEvent> events;  // after the one the reader had
        nlohmann::json tick;            // null unless newer than the reader's
        std::uint64_t last_seq = 0;
        std::uint64_t tick_seq = 0;
        bool closed = false;
    };
    // What is newer than `after_seq` / `after_tick`, waiting until something is or `deadline`.
    View wait(std::uint64_t after_seq, std::uint64_t after_tick,
              std::chrono::steady_clock::time_point deadline) const;
    // The newest `n` events, oldest first.
    std::vector<FeedEvent> recent(std::size_t n) const;
    std::uint64_t last_seq() const;

  private:
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::deque<FeedEvent> events_;
    std::uint64_t seq_ = 0;
    nlohmann::json tick_;
    std::uint64_t tick_seq_ = 0;
    bool closed_ = false;
};

}  // namespace ch
