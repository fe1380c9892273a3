#include "daemon/job.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <stdexcept>

namespace ch {

Job::Job(std::string id, JobSpec spec)
    : id_(std::move(id)),
      spec_(std::move(spec)),
      created_(std::chrono::system_clock::now()),
      submitted_(std::chrono::steady_clock::now()) {
    cancel_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (cancel_fd_ < 0) throw std::runtime_error("eventfd failed");
    if (!spec_.providers.empty()) provider_ = spec_.providers.front();
}

ProviderConfig Job::provider() const {
    std::lock_guard guard(mutex_);
    return provider_;
}

std::string Job::provider_name() const {
    std::lock_guard guard(mutex_);
    return provider_.name;
}

void Job::assign_provider(ProviderConfig provider) {
    std::lock_guard guard(mutex_);
    provider_ = std::move(provider);
}

void Job::requeue() {
    std::lock_guard guard(mutex_);
    if (state_ == JobState::Running) state_ = JobState::Queued;
    pid_ = 0;
    changed_.notify_all();
}

Job::~Job() {
    close(cancel_fd_);
}

void Job::mark_running(pid_t pid) {
    std::lock_guard guard(mutex_);
    if (state_ == JobState::Queued) state_ = JobState::Running;
    pid_ = pid;
    started_ = std::chrono::system_clock::now();
    changed_.notify_all();
}

std::chrono::system_clock::time_point Job::started() const {
    std::lock_guard guard(mutex_);
    return started_;
}

void Job::push(ReplyDelta delta) {
    std::lock_guard guard(mutex_);
    if (separate_text_ && has_text_ && delta.kind == ReplyDelta::Kind::Text &&
        !delta.text.empty()) {
        // An agent's words after a tool ran start a new paragraph, not the previous sentence.
        delta.text.insert(0, "\n\n");
        separate_text_ = false;
    }
    if (delta.kind != ReplyDelta::Kind::Usage) shown_ = true;
    if (!has_text_ && delta.kind == ReplyDelta::Kind::Text && !delta.text.empty()) {
        has_text_ = true;
        first_text_ = std::chrono::steady_clock::now();
    }
    deltas_.push_back(std::move(delta));
    changed_.notify_all();
}

void Job::finish(JobOutcome outcome) {
    std::lock_guard guard(mutex_);
    if (outcome_) return;
    outcome_ = std::move(outcome);
    state_ = JobState::Finished;
    finished_at_ = std::chrono::system_clock::now();
    changed_.notify_all();
}

Job::View Job::wait(std::size_t from, std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    const JobState seen = state_;
    changed_.wait_until(lock, deadline,
                        [&] { return deltas_.size() > from || state_ != seen || outcome_; });
    View view;
    view.state = state_;
    if (deltas_.size() > from) view.deltas.assign(deltas_.begin() + from, deltas_.end());
    view.outcome = outcome_;
    return view;
}

void Job::push_event(std::string_view line) {
    std::lock_guard guard(mutex_);
    // Whether or not the line is kept.
    if (spec_.agent && agent_activity_.on_line(line)) separate_text_ = true;
    if (events_.size() >= kMaxEvents || event_bytes_ + line.size() > kMaxEventBytes) {
        ++events_dropped_;
        return;
    }
    event_bytes_ += line.size();
    events_.emplace_back(line);
    changed_.notify_all();
}

std::optional<nlohmann::ordered_json> Job::agent_summary() const {
    if (!spec_.agent) return std::nullopt;
    std::lock_guard guard(mutex_);
    return agent_activity_.summary(spec_.agent->cwd);
}

Job::EventView Job::wait_events(std::size_t from, std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    changed_.wait_until(lock, deadline,
                        [&] { return events_.size() > from || outcome_.has_value(); });
    EventView view;
    if (events_.size() > from)
        view.events.assign(events_.begin() + static_cast<std::ptrdiff_t>(from), events_.end());
    view.outcome = outcome_;
    view.total = events_.size();
    view.dropped = events_dropped_;
    return view;
}

std::chrono::system_clock::time_point Job::finished_at() const {
    std::lock_guard guard(mutex_);
    return finished_at_;
}

std::optional<JobOutcome> Job::outcome() const {
    std::lock_guard guard(mutex_);
    return outcome_;
}

bool Job::has_text() const {
    std::lock_guard guard(mutex_);
    return has_text_;
}

bool Job::shown() const {
    std::lock_guard guard(mutex_);
    return shown_;
}

std::chrono::steady_clock::time_point Job::first_text() const {
    std::lock_guard guard(mutex_);
    return first_text_;
}

pid_t Job::pid() const {
    std::lock_guard guard(mutex_);
    return pid_;
}

JobState Job::state() const {
    std::lock_guard guard(mutex_);
    return state_;
}

void Job::cancel(const std::string& reason, int http_status, const std::string& code) {
    {
        std::lock_guard guard(mutex_);
        if (cancelled_.load()) return;
        cancel_outcome_.http_status = http_status;
        cancel_outcome_.code = code;
        cancel_outcome_.message = reason;
        cancelled_.store(true);
    }
    const std::uint64_t one = 1;
    (void)!write(cancel_fd_, &one, sizeof one);
}

JobOutcome Job::cancel_outcome() const {
    std::lock_guard guard(mutex_);
    return cancel_outcome_;
}

std::string new_job_id() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id(24, '0');
    for (auto& c : id)
        c = kHex[rng() & 15];
    return id;
}

}  // namespace ch
