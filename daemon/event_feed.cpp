#include "daemon/event_feed.h"

namespace ch {

void EventFeed::publish(std::string type, nlohmann::json data) {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    data["at_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
    {
        std::lock_guard guard(mutex_);
        events_.push_back({++seq_, std::move(type), std::move(data)});
        if (events_.size() > kCapacity) events_.pop_front();
    }
    changed_.notify_all();
}

void EventFeed::set_tick(nlohmann::json tick) {
    {
        std::lock_guard guard(mutex_);
        tick_ = std::move(tick);
        ++tick_seq_;
    }
    changed_.notify_all();
}

void EventFeed::close() {
    {
        std::lock_guard guard(mutex_);
        closed_ = true;
    }
    changed_.notify_all();
}

EventFeed::View EventFeed::wait(std::uint64_t after_seq, std::uint64_t after_tick,
                                std::chrono::steady_clock::time_point deadline) const {
    std::unique_lock lock(mutex_);
    changed_.wait_until(lock, deadline,
                        [&] { return closed_ || seq_ > after_seq || tick_seq_ > after_tick; });
    View view;
    for (const auto& e : events_)
        if (e.seq > after_seq) view.events.push_back(e);
    if (tick_seq_ > after_tick) view.tick = tick_;
    view.last_seq = seq_;
    view.tick_seq = tick_seq_;
    view.closed = closed_;
    return view;
}

std::vector<FeedEvent> EventFeed::recent(std::size_t n) const {
    std::lock_guard guard(mutex_);
    const std::size_t skip = events_.size() > n ? events_.size() - n : 0;
    return {events_.begin() + static_cast<std::ptrdiff_t>(skip), events_.end()};
}

std::uint64_t EventFeed::last_seq() const {
    std::lock_guard guard(mutex_);
    return seq_;
}

}  // namespace ch
