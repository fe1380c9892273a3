#include "daemon/bus_service.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "common/bus_names.h"
#include "daemon/job.h"
#include "daemon/readiness.h"

namespace ch {
namespace {

constexpr int kReconnectMs = 5000;
constexpr int kReadinessCheckMs = 10000;  // how often Ready is re-evaluated for signals

std::uint64_t monotonic_us() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000u +
           static_cast<std::uint64_t>(ts.tv_nsec) / 1000u;
}

}  // namespace

std::optional<BusKind> parse_bus_kind(const std::string& name) {
    if (name == "system") return BusKind::System;
    if (name == "session") return BusKind::Session;
    if (name == "none") return BusKind::None;
    return std::nullopt;
}

BusService::BusService(BusKind kind, BusSources sources)
    : kind_(kind), sources_(std::move(sources)) {
    wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) throw std::runtime_error("eventfd failed");
}

BusService::~BusService() {
    stop();
    close(wake_fd_);
}

void BusService::start() {
    if (kind_ == BusKind::None) return;
    thread_ = std::thread([this] { run(); });
}

void BusService::stop() {
    stopping_ = true;
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = write(wake_fd_, &one, sizeof one);
    if (thread_.joinable()) thread_.join();
}

void BusService::job_started(const Job& job) {
    const auto& spec = job.spec();
    push({false, job.id(), spec.model.id, job.provider_name(), spec.client, "", 0, 0, 0});
}

void BusService::job_finished(const Job& job, const JobOutcome& outcome) {
    Event e;
    e.finished = true;
    e.id = job.id();
    e.outcome = outcome.ok ? "ok" : outcome.code;
    e.duration_us =
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                       std::chrono::steady_clock::now() - job.submitted())
                                       .count());
    if (outcome.ok) {
        e.input_tokens = static_cast<std::uint64_t>(outcome.reply.usage.prompt_total());
        e.output_tokens = static_cast<std::uint64_t>(outcome.reply.usage.output_tokens);
    }
    push(std::move(e));
}

void BusService::push(Event event) {
    if (kind_ == BusKind::None) return;
    {
        std::lock_guard guard(mutex_);
        events_.push_back(std::move(event));
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = write(wake_fd_, &one, sizeof one);
}

bool BusService::wait_for_stop(int timeout_ms) {
    pollfd p{wake_fd_, POLLIN, 0};
    poll(&p, 1, timeout_ms);
    std::uint64_t value;
    [[maybe_unused]] auto n = read(wake_fd_, &value, sizeof value);
    return stopping_;
}

void BusService::run() {
    bool warned = false;
    while (!stopping_) {
        sd_bus* bus = connect();
        if (bus) {
            warned = false;
            serve(bus);
            sd_bus_flush_close_unref(bus);
            if (!stopping_) spdlog::warn("bus: connection lost; reconnecting");
            continue;
        }
        if (!warned)
            spdlog::warn(
                "bus: not connected; `claude-harnessctl` cannot reach the daemon until "
                "it is (retrying every {} s)",
                kReconnectMs / 1000);
        warned = true;
        // Events from the time without a bus are dropped: nobody could have received them.
        {
            std::lock_guard guard(mutex_);
            events_.clear();
        }
        if (wait_for_stop(kReconnectMs)) return;
    }
}

sd_bus* BusService::connect() {
    sd_bus* bus = nullptr;
    int r = kind_ == BusKind::System ? sd_bus_open_system(&bus) : sd_bus_open_user(&bus);
    const char* step = "connecting";
    if (r >= 0) {
        step = "registering objects";
        r = sd_bus_add_object_vtable(bus, nullptr, bus::kObjectPath, bus::kInterface,
                                     harness_vtable(), &sources_);
    }
    if (r >= 0)
        r = sd_bus_add_object_vtable(bus, nullptr, bus::kLogControlPath, bus::kLogControlInterface,
                                     log_control_vtable(), &sources_);
    if (r >= 0) {
        step = "requesting the name";
        r = sd_bus_request_name(bus, bus::kService, 0);
    }
    if (r < 0) {
        spdlog::debug("bus: {} failed: {}", step, std::strerror(-r));
        if (r == -EEXIST)
            spdlog::error(
                "bus: {} is owned by another process (is another claude-harnessd "
                "running?)",
                bus::kService);
        sd_bus_flush_close_unref(bus);
        return nullptr;
    }
    spdlog::info("bus: serving {} on the {} bus", bus::kService,
                 kind_ == BusKind::System ? "system" : "session");
    return bus;
}

void BusService::serve(sd_bus* bus) {
    std::uint64_t next_check = 0;
    while (!stopping_) {
        int r;
        while ((r = sd_bus_process(bus, nullptr)) > 0) {
        }
        if (r < 0) return;
        emit_events(bus);
        if (monotonic_us() >= next_check) {
            emit_readiness(bus);
            next_check = monotonic_us() + kReadinessCheckMs * 1000u;
        }
        if (sd_bus_flush(bus) < 0) return;

        std::uint64_t until = 0;
        int timeout = kReadinessCheckMs;
        if (sd_bus_get_timeout(bus, &until) >= 0 && until != UINT64_MAX) {
            const std::uint64_t now = monotonic_us();
            timeout = until <= now ? 0
                                   : static_cast<int>(std::min<std::uint64_t>(
                                         (until - now + 999) / 1000, kReadinessCheckMs));
        }
        pollfd fds[2] = {{sd_bus_get_fd(bus), static_cast<short>(sd_bus_get_events(bus)), 0},
                         {wake_fd_, POLLIN, 0}};
        if (poll(fds, 2, timeout) < 0 && errno != EINTR) return;
        if (fds[1].revents & POLLIN) {
            std::uint64_t value;
            [[maybe_unused]] auto n = read(wake_fd_, &value, sizeof value);
        }
    }
}

void BusService::emit_events(sd_bus* bus) {
    std::vector<Event> events;
    {
        std::lock_guard guard(mutex_);
        events.swap(events_);
    }
    for (const auto& e : events) {
        const int r =
            e.finished ? sd_bus_emit_signal(bus, bus::kObjectPath, bus::kInterface, "JobFinished",
                                            "ssttt", e.id.c_str(), e.outcome.c_str(), e.duration_us,
                                            e.input_tokens, e.output_tokens)
                       : sd_bus_emit_signal(bus, bus::kObjectPath, bus::kInterface, "JobStarted",
                                            "ssss", e.id.c_str(), e.model.c_str(),
                                            e.provider.c_str(), e.client.c_str());
        if (r < 0) spdlog::debug("bus: emitting a job signal failed: {}", std::strerror(-r));
    }
    if (!events.empty()) emit_readiness(bus);
}

void BusService::emit_readiness(sd_bus* bus) {
    const Readiness now = readiness(*sources_.http);
    if (static_cast<int>(now.ready) == last_ready_ && now.reason == last_reason_) return;
    last_ready_ = now.ready;
    last_reason_ = now.reason;
    sd_bus_emit_properties_changed(bus, bus::kObjectPath, bus::kInterface, "Ready",
                                   "NotReadyReason", nullptr);
}

}  // namespace ch
