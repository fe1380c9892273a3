#include "daemon/fair_queue.h"

#include <algorithm>

namespace ch {

void FairQueue::push_back(Entry entry) {
    const std::string client = entry.job->spec().client;
    auto& line = lines_[client];
    if (line.empty()) turn_.push_back(client);
    line.push_back(std::move(entry));
    ++size_;
}

void FairQueue::push_front(Entry entry) {
    const std::string client = entry.job->spec().client;
    auto& line = lines_[client];
    if (line.empty()) turn_.push_front(client);
    line.push_front(std::move(entry));
    ++size_;
}

std::size_t FairQueue::size(const std::string& client) const {
    const auto it = lines_.find(client);
    return it == lines_.end() ? 0 : it->second.size();
}

void FairQueue::forget_if_empty(std::list<std::string>::iterator client) {
    const auto line = lines_.find(*client);
    if (line != lines_.end() && !line->second.empty()) return;
    if (line != lines_.end()) lines_.erase(line);
    turn_.erase(client);
}

bool FairQueue::remove(const std::shared_ptr<Job>& job) {
    return !remove_if([&](const Entry& e) { return e.job == job; }).empty();
}

std::vector<FairQueue::Entry> FairQueue::clear() {
    return remove_if([](const Entry&) { return true; });
}

std::vector<std::shared_ptr<Job>> FairQueue::jobs() const {
    std::vector<std::shared_ptr<Job>> out;
    for (const auto& client : turn_)
        for (const auto& entry : lines_.at(client))
            out.push_back(entry.job);
    return out;
}

}  // namespace ch
