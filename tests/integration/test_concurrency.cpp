// Bounded concurrency and the FIFO queue, observed through the CLI processes themselves.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <optional>
#include <thread>

#include "daemon_fixture.h"
#include "http_helpers.h"

using namespace it;

BOOST_AUTO_TEST_SUITE(concurrency)

BOOST_AUTO_TEST_CASE(at_most_max_concurrent_jobs_run_at_once) {
    Daemon d({.limits = {"max_concurrent_jobs = 2"}});
    std::atomic<bool> stop{false};
    std::atomic<std::size_t> most{0};
    std::thread sampler([&] {
        while (!stop) {
            const std::size_t n = d.alive_pids().size();
            if (n > most) most = n;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    });
    std::vector<std::optional<httplib::Result>> results(4);
    std::vector<std::thread> clients;
    for (std::size_t i = 0; i < results.size(); ++i)
        clients.emplace_back(
            [&, i] { results[i].emplace(post_chat(d.port(), chat_body("FAKE[delay_ms=300]"))); });
    for (auto& c : clients)
        c.join();
    stop = true;
    sampler.join();

    for (const auto& r : results) {
        BOOST_REQUIRE(r.has_value());
        BOOST_TEST(completion_text(*r) == "Hello from the fake.");
    }
    BOOST_TEST(d.recorded_pids().size() == 4u);
    BOOST_TEST(most.load() <= 2u, most.load() << " CLI processes ran at once");
    BOOST_TEST(most.load() == 2u, "both slots were used");
}

BOOST_AUTO_TEST_CASE(queued_requests_start_in_arrival_order) {
    Daemon d({.limits = {"max_concurrent_jobs = 1"}});
    auto blocker = std::make_unique<RawConnection>(d.port());
    blocker->send_chat(chat_body("FAKE[hang] blocker"));
    BOOST_REQUIRE(d.wait_pids(1, 10s));

    auto queued = [&] {
        auto res = make_client(d.port()).Get("/health");
        return res && res->status == 200 ? json::parse(res->body)["queued_jobs"].get<int>() : -1;
    };
    const std::vector<std::string> names{"A", "B", "C"};
    std::vector<std::optional<httplib::Result>> results(names.size());
    std::vector<std::thread> clients;
    for (std::size_t i = 0; i < names.size(); ++i) {
        clients.emplace_back([&, i] {
            results[i].emplace(post_chat(d.port(), chat_body("FAKE[echo] request " + names[i])));
        });
        // The next one is sent only once this one waits in the queue.
        const bool in_queue = wait_until([&] { return queued() == static_cast<int>(i + 1); }, 10s);
        BOOST_TEST(in_queue, names[i] << " was not queued");
    }
    blocker->close();  // the blocker's CLI is cancelled; the queue drains
    for (auto& c : clients)
        c.join();

    std::vector<std::size_t> started;
    const auto lines = d.log_lines();
    for (std::size_t i = 0; i < names.size(); ++i) {
        BOOST_REQUIRE(results[i].has_value());
        BOOST_TEST(completion_text(*results[i]) == "FAKE[echo] request " + names[i]);
        const std::string id = json::parse((*results[i])->body)["id"].get<std::string>().substr(9);
        std::size_t at = lines.size();
        for (std::size_t l = 0; l < lines.size(); ++l)
            if (lines[l].find("job " + id + ": started") != std::string::npos) at = l;
        BOOST_TEST(at < lines.size(), "no start logged for job " << id);
        started.push_back(at);
    }
    BOOST_TEST(started[0] < started[1], "A started before B");
    BOOST_TEST(started[1] < started[2], "B started before C");
}

BOOST_AUTO_TEST_SUITE_END()
