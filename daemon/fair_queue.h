// Jobs waiting for a slot: one first-in first-out line per client, and the clients served in
// turn, so a client's burst waits behind its own jobs, never in front of everyone else's.
#pragma once

#include <cstddef>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "daemon/job.h"

namespace ch {

class FairQueue {
  public:
    struct Entry {
        std::shared_ptr<Job> job;
        std::vector<std::string> tried;  // providers it already failed on
    };

    void push_back(Entry entry);
    // Back at the head of its client's line: a job moved to another provider keeps its place.
    void push_front(Entry entry);

    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    std::size_t size(const std::string& client) const;

    enum class Verdict { Skip, Take, Drop };
    // Visits the entries in service order (clients in turn, the one served longest ago first;
    // each client's jobs in order) until `judge` says Take: that entry is removed and returned
    // and its client goes to the back of the turn. Entries judged Drop are removed into
    // `dropped`. Returns an entry with a null job when none was taken.
    template <typename Judge>
    Entry take(Judge judge, std::vector<Entry>& dropped);

    bool remove(const std::shared_ptr<Job>& job);
    // Removes the entries `pred` selects.
    template <typename Pred>
    std::vector<Entry> remove_if(Pred pred);
    std::vector<Entry> clear();
    std::vector<std::shared_ptr<Job>> jobs() const;  // in service order

  private:
    void forget_if_empty(std::list<std::string>::iterator client);

    std::map<std::string, std::deque<Entry>> lines_;
    std::list<std::string> turn_;  // clients with waiting jobs, the next to serve first
    std::size_t size_ = 0;
};

template <typename Judge>
FairQueue::Entry FairQueue::take(Judge judge, std::vector<Entry>& dropped) {
    for (auto client = turn_.begin(); client != turn_.end();) {
        auto& line = lines_[*client];
        for (auto it = line.begin(); it != line.end();) {
            const Verdict verdict = judge(*it);
            if (verdict == Verdict::Skip) {
                ++it;
                continue;
            }
            Entry entry = std::move(*it);
            it = line.erase(it);
            --size_;
            if (verdict == Verdict::Drop) {
                dropped.push_back(std::move(entry));
                continue;
            }
            const std::string name = *client;
            turn_.erase(client);
            if (!line.empty())
                turn_.push_back(name);
            else
                lines_.erase(name);
            return entry;
        }
        const auto next = std::next(client);
        forget_if_empty(client);
        client = next;
    }
    return {};
}

template <typename Pred>
std::vector<FairQueue::Entry> FairQueue::remove_if(Pred pred) {
    std::vector<Entry> out;
    for (auto client = turn_.begin(); client != turn_.end();) {
        auto& line = lines_[*client];
        for (auto it = line.begin(); it != line.end();) {
            if (pred(*it)) {
                out.push_back(std::move(*it));
                it = line.erase(it);
                --size_;
            } else {
                ++it;
            }
        }
        const auto next = std::next(client);
        forget_if_empty(client);
        client = next;
    }
    return out;
}

}  // namespace ch
