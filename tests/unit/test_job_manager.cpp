// ch::JobManager driven directly (no HTTP) with the fake CLI: answers, delta order, cancel,
// queue limits and shutdown.
#include <boost/test/unit_test.hpp>

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <sstream>
#include <thread>

#include "daemon/child_reaper.h"
#include "daemon/job_manager.h"
#include "daemon/usage_ledger.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// ChildReaper needs SIGCHLD blocked in every thread: block it before any thread exists.
struct BlockDaemonSignals {
    BlockDaemonSignals() { ch::block_daemon_signals(); }
};

std::string fake_claude() {
#ifdef CH_FAKE_CLAUDE
    return CH_FAKE_CLAUDE;
#else
    const char* path = std::getenv("CH_FAKE_CLAUDE");
    BOOST_REQUIRE_MESSAGE(path && *path,
                          "CH_FAKE_CLAUDE is not defined: add CH_FAKE_CLAUDE=\"$<TARGET_FILE:"
                          "fake-claude>\" to unit_tests' compile definitions");
    return path;
#endif
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!condition()) {
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

bool pid_alive(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    std::getline(in, stat);
    const auto paren = stat.rfind(')');
    return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z' &&
           stat[paren + 2] != 'X';
}

// The final outcome, waiting for it up to `timeout`.
std::optional<ch::JobOutcome> wait_outcome(ch::Job& job, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!job.outcome() && Clock::now() < deadline)
        job.wait(std::numeric_limits<std::size_t>::max(), deadline);
    return job.outcome();
}

// A jobs directory, a pid directory for the fake, a reaper and a manager.
class Manager {
  public:
    explicit Manager(ch::LimitsConfig limits = {}) {
        char templ[] = "/tmp/ch-jm-XXXXXX";
        BOOST_REQUIRE(mkdtemp(templ));
        dir_ = templ;
        mkdir((dir_ + "/jobs").c_str(), 0700);
        mkdir((dir_ + "/pids").c_str(), 0700);
        manager_ = std::make_unique<ch::JobManager>(limits, dir_ + "/jobs", reaper_);
    }
    ~Manager() {
        manager_.reset();
        for (pid_t pid : pids()) {
            BOOST_CHECK_MESSAGE(!pid_alive(pid), "fake-claude " << pid << " outlived the manager");
            if (pid_alive(pid)) kill(pid, SIGKILL);
        }
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    ch::JobManager& operator*() { return *manager_; }
    ch::JobManager* operator->() { return manager_.get(); }

    ch::JobSpec spec(const std::string& text) const {
        ch::JobSpec spec;
        spec.request.model = "claude-sonnet";
        spec.request.messages = {
            {"user", {ch::ContentPart{ch::ContentPart::Kind::Text, text, "", ""}}}};
        spec.model.id = "claude-sonnet";
        spec.model.cli_model = "sonnet";
        spec.model.providers = {"default"};
        ch::ProviderConfig provider;
        provider.name = "default";
        provider.claude = fake_claude();
        provider.env = {{"ANTHROPIC_API_KEY", "sk-test-dummy"},
                        {"FAKE_CLAUDE_PID_DIR", dir_ + "/pids"}};
        spec.providers = {provider};
        spec.client = "unit-test";
        return spec;
    }

    std::vector<pid_t> pids() const {
        std::vector<pid_t> out;
        if (DIR* d = opendir((dir_ + "/pids").c_str())) {
            while (const dirent* e = readdir(d))
                if (e->d_name[0] != '.') out.push_back(std::atoi(e->d_name));
            closedir(d);
        }
        return out;
    }

    // Waits until the job runs and its CLI recorded its pid; that pid.
    pid_t wait_running(const std::shared_ptr<ch::Job>& job, std::size_t nth_cli = 1) {
        BOOST_REQUIRE_MESSAGE(
            wait_until(
                [&] { return job->state() == ch::JobState::Running && pids().size() >= nth_cli; },
                10s),
            "the job's CLI did not start");
        return pids().back();
    }

  private:
    std::string dir_;
    ch::ChildReaper reaper_;
    std::unique_ptr<ch::JobManager> manager_;
};

ch::LimitsConfig one_slot(int queued, ch::Duration queue_timeout = 60s) {
    ch::LimitsConfig limits;
    limits.max_concurrent_jobs = 1;
    limits.max_queued_jobs = queued;
    limits.queue_timeout = queue_timeout;
    return limits;
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(BlockDaemonSignals);

BOOST_AUTO_TEST_SUITE(job_manager)

BOOST_AUTO_TEST_CASE(job_completes_with_reply_and_usage) {
    Manager m;
    auto job = m->submit(m.spec("hello"));
    const auto outcome = wait_outcome(*job, 10s);
    BOOST_REQUIRE(outcome.has_value());
    BOOST_TEST(outcome->ok, outcome->message);
    BOOST_TEST(outcome->reply.text == "Hello from the fake.");
    BOOST_TEST(outcome->reply.stop_reason == "end_turn");
    BOOST_TEST(outcome->reply.usage.input_tokens == 11);
    BOOST_TEST(outcome->reply.usage.cache_creation_input_tokens == 17);
    BOOST_TEST(outcome->reply.usage.cache_read_input_tokens == 13);
    BOOST_TEST(outcome->reply.usage.output_tokens == 5);
    BOOST_TEST((job->state() == ch::JobState::Finished));
    BOOST_TEST(wait_until([&] { return m->counts().finished == 1u; }, 5s));
    BOOST_TEST(m->counts().failed == 0u);
}

BOOST_AUTO_TEST_CASE(deltas_arrive_in_order) {
    Manager m;
    auto job = m->submit(m.spec("FAKE[delay_ms=50]"));
    std::vector<std::string> texts;
    std::size_t seen = 0;
    const auto deadline = Clock::now() + 10s;
    for (;;) {
        const auto view = job->wait(seen, deadline);
        for (const auto& delta : view.deltas) {
            if (delta.kind == ch::ReplyDelta::Kind::Usage) continue;  // message_start's
            BOOST_TEST((delta.kind == ch::ReplyDelta::Kind::Text));
            texts.push_back(delta.text);
        }
        seen += view.deltas.size();
        if (view.outcome && view.deltas.empty()) break;
        BOOST_REQUIRE_MESSAGE(Clock::now() < deadline, "the job did not finish");
    }
    const std::vector<std::string> expected{"Hello", " from", " the", " fake."};
    BOOST_TEST(texts == expected, boost::test_tools::per_element());
    // A late reader sees the same deltas from the start.
    const auto late = job->wait(0, Clock::now());
    BOOST_REQUIRE(late.deltas.size() == 5u);
    BOOST_TEST((late.deltas[0].kind == ch::ReplyDelta::Kind::Usage));
    BOOST_TEST(late.deltas[4].text == " fake.");
    BOOST_TEST(late.outcome->ok);
}

BOOST_AUTO_TEST_CASE(cancel_stops_a_running_job) {
    Manager m;
    auto job = m->submit(m.spec("FAKE[hang]"));
    const pid_t pid = m.wait_running(job);
    BOOST_TEST(pid_alive(pid));
    const auto start = Clock::now();
    m->cancel(job, "the client disconnected", 499, "client_disconnected");
    const auto outcome = wait_outcome(*job, 5s);
    BOOST_REQUIRE(outcome.has_value());
    BOOST_TEST(!outcome->ok);
    BOOST_TEST(outcome->http_status == 499);
    BOOST_TEST(outcome->code == "client_disconnected");
    BOOST_TEST(outcome->message == "the client disconnected");
    BOOST_TEST(wait_until([&] { return !pid_alive(pid); }, 3s), "the CLI survived the cancel");
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count() <
               2000);
}

BOOST_AUTO_TEST_CASE(cancel_of_a_queued_job_never_starts_it) {
    Manager m(one_slot(4));
    auto first = m->submit(m.spec("FAKE[hang]"));
    m.wait_running(first);
    auto second = m->submit(m.spec("hello"));
    BOOST_TEST((second->state() == ch::JobState::Queued));
    m->cancel(second, "gone", 499, "client_disconnected");
    const auto outcome = second->outcome();
    BOOST_REQUIRE(outcome.has_value());
    BOOST_TEST(outcome->http_status == 499);
    BOOST_TEST(m->counts().queued == 0u);
    m->cancel(first, "done", 499, "client_disconnected");
    BOOST_REQUIRE(wait_outcome(*first, 5s).has_value());
    BOOST_TEST(m.pids().size() == 1u, "the cancelled queued job never ran a CLI");
}

BOOST_AUTO_TEST_CASE(queue_full_is_refused_at_once) {
    Manager m(one_slot(0));
    auto first = m->submit(m.spec("FAKE[hang]"));
    // "0 = none may wait": a job that finds the slot free still runs.
    const auto refused = first->outcome();
    BOOST_REQUIRE_MESSAGE(!refused, "max_queued_jobs = 0 refused a job while the slot was free: "
                                        << refused->http_status << " " << refused->message);
    m.wait_running(first);
    auto second = m->submit(m.spec("hello"));
    const auto outcome = second->outcome();
    BOOST_REQUIRE_MESSAGE(outcome.has_value(), "a full queue refuses at submit");
    BOOST_TEST(outcome->http_status == 429);
    BOOST_TEST(outcome->code == "queue_full");
    BOOST_TEST(outcome->retry_after.has_value());
    m->cancel(first, "done", 499, "client_disconnected");
    BOOST_REQUIRE(wait_outcome(*first, 5s).has_value());
}

BOOST_AUTO_TEST_CASE(queue_full_with_one_waiting_is_refused_at_once) {
    Manager m(one_slot(1));
    auto first = m->submit(m.spec("FAKE[hang]"));
    m.wait_running(first);
    auto second = m->submit(m.spec("hello"));
    BOOST_TEST(!second->outcome().has_value(), "one job may wait");
    auto third = m->submit(m.spec("hello"));
    const auto outcome = third->outcome();
    BOOST_REQUIRE_MESSAGE(outcome.has_value(), "a full queue refuses at submit");
    BOOST_TEST(outcome->http_status == 429);
    BOOST_TEST(outcome->code == "queue_full");
    BOOST_TEST(outcome->retry_after.has_value());
    m->cancel(first, "done", 499, "client_disconnected");
    const auto served = wait_outcome(*second, 10s);
    BOOST_REQUIRE(served.has_value());
    BOOST_TEST(served->ok, "the waiting job runs once the slot is free");
}

BOOST_AUTO_TEST_CASE(queue_timeout_fails_a_waiting_job) {
    Manager m(one_slot(4, 300ms));
    auto first = m->submit(m.spec("FAKE[hang]"));
    m.wait_running(first);
    const auto start = Clock::now();
    auto second = m->submit(m.spec("hello"));
    const auto outcome = wait_outcome(*second, 5s);
    const auto waited =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
    BOOST_REQUIRE(outcome.has_value());
    BOOST_TEST(outcome->http_status == 429);
    BOOST_TEST(outcome->code == "queue_timeout");
    BOOST_TEST(waited >= 250);
    BOOST_TEST(waited < 3000);
    BOOST_TEST((first->state() == ch::JobState::Running), "the running job is not affected");
    m->cancel(first, "done", 499, "client_disconnected");
    BOOST_REQUIRE(wait_outcome(*first, 5s).has_value());
}

BOOST_AUTO_TEST_CASE(shutdown_fails_queued_jobs_with_503) {
    Manager m(one_slot(4));
    auto running = m->submit(m.spec("FAKE[hang]"));
    const pid_t pid = m.wait_running(running);
    auto queued = m->submit(m.spec("hello"));
    BOOST_TEST((queued->state() == ch::JobState::Queued));

    m->shutdown(ch::Duration{0});  // returns once every CLI is gone

    const auto q = queued->outcome();
    BOOST_REQUIRE(q.has_value());
    BOOST_TEST(q->http_status == 503);
    BOOST_TEST(q->code == "shutting_down");
    const auto r = running->outcome();
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(r->http_status == 503);
    BOOST_TEST(r->code == "shutting_down");
    BOOST_TEST(wait_until([&] { return !pid_alive(pid); }, 2s));
    BOOST_TEST(m.pids().size() == 1u, "the queued job never ran");

    auto late = m->submit(m.spec("hello"));
    const auto l = late->outcome();
    BOOST_REQUIRE(l.has_value());
    BOOST_TEST(l->http_status == 503);
}

BOOST_AUTO_TEST_CASE(watchers_hear_every_start_and_every_end_once) {
    struct Recorder : ch::JobWatcher {
        void job_started(const ch::Job& job) override { events.push_back("start " + job.id()); }
        void job_finished(const ch::Job& job, const ch::JobOutcome&) override {
            events.push_back("end " + job.id());
        }
        std::vector<std::string> events;
    } recorder;
    ch::UsageLedger usage;
    Manager m(one_slot(0));
    m->add_watcher(recorder);
    m->add_watcher(usage);
    auto ok = m->submit(m.spec("hello"));
    BOOST_REQUIRE(wait_outcome(*ok, 10s).has_value());
    BOOST_REQUIRE(wait_until([&] { return m->counts().running == 0; }, 10s));
    auto hang = m->submit(m.spec("FAKE[hang]"));
    BOOST_REQUIRE(wait_until([&] { return hang->pid() > 0; }, 10s));
    auto refused = m->submit(m.spec("no room"));  // one slot, no queue: 429 at once
    m->cancel(hang, "stop", 499, "client_disconnected");
    BOOST_REQUIRE(wait_outcome(*hang, 10s).has_value());
    m->shutdown(ch::Duration{0});

    BOOST_TEST(recorder.events == (std::vector<std::string>{
                                      "start " + ok->id(), "end " + ok->id(), "start " + hang->id(),
                                      "end " + refused->id(), "end " + hang->id()}),
               boost::test_tools::per_element());
    const auto rows = usage.rows();
    BOOST_REQUIRE(rows.size() == 1u);
    BOOST_TEST(rows[0].model == "claude-sonnet");
    BOOST_TEST(rows[0].requests == 3u);
    BOOST_TEST(rows[0].failed == 2u);
    BOOST_TEST(rows[0].output_tokens > 0u);
    BOOST_TEST(usage.last_failure().job_id == hang->id());
    BOOST_TEST(usage.last_failure().text == "client_disconnected: stop");
    BOOST_TEST(usage.last_failure("default").job_id == hang->id());
    BOOST_TEST(usage.last_failure("other").at_us == 0);
}

BOOST_AUTO_TEST_CASE(new_limits_apply_to_new_jobs_only) {
    Manager m(one_slot(0));
    auto first = m->submit(m.spec("FAKE[hang]"));
    m.wait_running(first);
    // Raising the limit starts a second CLI next to the first.
    ch::LimitsConfig two = one_slot(0);
    two.max_concurrent_jobs = 2;
    two.job_timeout = 300ms;
    m->set_limits(two);
    auto second = m->submit(m.spec("FAKE[hang]"));
    BOOST_REQUIRE(wait_until([&] { return second->pid() > 0; }, 10s));
    BOOST_TEST(first->spec().limits.job_timeout == ch::LimitsConfig{}.job_timeout);
    BOOST_TEST(second->spec().limits.job_timeout == 300ms);
    const auto timed_out = wait_outcome(*second, 10s);
    BOOST_REQUIRE(timed_out.has_value());
    BOOST_TEST(timed_out->code == "timeout");
    BOOST_TEST((first->state() == ch::JobState::Running), "the first job keeps its own limits");
    m->cancel(first, "done", 499, "client_disconnected");
    BOOST_REQUIRE(wait_outcome(*first, 5s).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
