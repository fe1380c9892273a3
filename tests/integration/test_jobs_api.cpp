// Background jobs (/v1/jobs): the lifecycle and status values, the CLI's events numbered so a
// client resuming with Last-Event-ID misses none and sees none twice, replay after the end,
// cancelling with DELETE, independence from connections, retention, listing, ownership by
// API key, and the errors.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <functional>

#include "daemon_fixture.h"
#include "http_helpers.h"

using namespace it;

namespace {

struct JobEvent {
    long id = 0;
    std::string event;  // "" for the CLI's lines, "outcome" for the last
    json data;
};

// Reads GET /v1/jobs/{id}/events (after `last_id` when given) until the server ends it or
// `keep` returns false; returns the events read.
std::vector<JobEvent> read_events(int port, const std::string& job, std::optional<long> last_id,
                                  const std::function<bool(const JobEvent&)>& keep = nullptr) {
    auto client = make_client(port, std::chrono::seconds(30));
    httplib::Headers headers;
    if (last_id) headers.emplace("Last-Event-ID", std::to_string(*last_id));
    std::vector<JobEvent> events;
    std::string buffer;
    bool stopped = false;
    client.Get("/v1/jobs/" + job + "/events", headers, [&](const char* data, std::size_t n) {
        buffer.append(data, n);
        for (auto end = buffer.find("\n\n"); end != std::string::npos; end = buffer.find("\n\n")) {
            const std::string block = buffer.substr(0, end);
            buffer.erase(0, end + 2);
            if (block.rfind(':', 0) == 0) continue;  // keep-alive comment
            JobEvent e;
            std::size_t p = 0;
            while (p < block.size()) {
                auto nl = block.find('\n', p);
                if (nl == std::string::npos) nl = block.size();
                const std::string line = block.substr(p, nl - p);
                p = nl + 1;
                if (line.rfind("id: ", 0) == 0) e.id = std::stol(line.substr(4));
                if (line.rfind("event: ", 0) == 0) e.event = line.substr(7);
                if (line.rfind("data: ", 0) == 0) e.data = json::parse(line.substr(6));
            }
            events.push_back(e);
            if (keep && !keep(e)) {
                stopped = true;
                return false;
            }
        }
        return true;
    });
    BOOST_TEST((stopped || buffer.empty()), "a partial event was left: " << buffer);
    return events;
}

httplib::Result post_job(int port, const std::string& body) {
    return make_client(port).Post("/v1/jobs", body, "application/json");
}

std::string start(int port, const std::string& prompt) {
    const auto res = post_job(port, json{{"model", "claude-sonnet"}, {"prompt", prompt}}.dump());
    BOOST_REQUIRE(res);
    BOOST_REQUIRE_MESSAGE(res->status == 202, res->status << " " << res->body);
    const json j = json::parse(res->body);
    BOOST_TEST(j["object"] == "job");
    const std::string status = j["status"];
    BOOST_TEST((status == "queued" || status == "running"), status);
    return j["id"];
}

json get_job(int port, const std::string& id) {
    const auto res = make_client(port).Get("/v1/jobs/" + id);
    BOOST_REQUIRE(res);
    BOOST_REQUIRE_MESSAGE(res->status == 200, res->status << " " << res->body);
    return json::parse(res->body);
}

json wait_status(int port, const std::string& id, const std::string& status) {
    json j;
    const bool reached = wait_until(
        [&] {
            j = get_job(port, id);
            return j["status"] == status;
        },
        10s);
    BOOST_TEST(reached, "status " << j.dump());
    return j;
}

std::vector<long> ids(const std::vector<JobEvent>& events) {
    std::vector<long> out;
    for (const auto& e : events)
        out.push_back(e.id);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(jobs_api)

BOOST_AUTO_TEST_CASE(lifecycle_events_and_status) {
    Daemon d;
    const std::string id = start(d.port(), "hello");
    const auto events = read_events(d.port(), id, std::nullopt);
    BOOST_REQUIRE(events.size() >= 3u);
    for (std::size_t i = 0; i < events.size(); ++i)
        BOOST_TEST(events[i].id == static_cast<long>(i + 1));
    for (std::size_t i = 0; i + 1 < events.size(); ++i) {
        BOOST_TEST(events[i].event == "");
        BOOST_TEST(events[i].data.contains("type"), events[i].data.dump());
    }
    BOOST_TEST(std::any_of(events.begin(), events.end(),
                           [](const JobEvent& e) { return e.data["type"] == "system"; }));
    const JobEvent& last = events.back();
    BOOST_TEST(last.event == "outcome");
    BOOST_TEST(last.data["status"] == "succeeded");
    BOOST_TEST(events[events.size() - 2].data["type"] == "result");

    const json j = get_job(d.port(), id);
    BOOST_TEST(j["id"] == id);
    BOOST_TEST(j["status"] == "succeeded");
    BOOST_TEST(j["model"] == "claude-sonnet");
    BOOST_TEST(j["result"] == "Hello from the fake.");
    BOOST_TEST(j["usage"]["completion_tokens"] == 5);
    BOOST_TEST(j["error"].is_null());
    BOOST_TEST(j["created_at"].is_number());
    BOOST_TEST(j["started_at"].is_number());
    BOOST_TEST(j["finished_at"].is_number());
    BOOST_TEST(j["finished_at"].get<long>() >= j["created_at"].get<long>());
}

BOOST_AUTO_TEST_CASE(messages_and_system_as_in_chat) {
    Daemon d;
    const auto res = post_job(
        d.port(),
        json{{"model", "claude-sonnet"},
             {"system", "be brief"},
             {"messages", json::array({{{"role", "user"}, {"content", "FAKE[echo_system]"}}})}}
            .dump());
    BOOST_REQUIRE(res);
    BOOST_REQUIRE_MESSAGE(res->status == 202, res->body);
    const std::string id = json::parse(res->body)["id"];
    const json j = wait_status(d.port(), id, "succeeded");
    BOOST_TEST(j["result"].get<std::string>().find("be brief") != std::string::npos, j.dump());
}

BOOST_AUTO_TEST_CASE(reconnect_with_last_event_id_resumes_exactly) {
    Daemon d;
    const std::string id = start(d.port(), "FAKE[delay_ms=150]");
    // Drop the connection after the third event, then resume after it.
    const auto first =
        read_events(d.port(), id, std::nullopt, [](const JobEvent& e) { return e.id < 3; });
    BOOST_REQUIRE(first.size() == 3u);
    BOOST_TEST(first.back().id == 3);
    const auto rest = read_events(d.port(), id, 3L);
    BOOST_REQUIRE(!rest.empty());
    BOOST_TEST(rest.front().id == 4);
    BOOST_TEST(rest.back().event == "outcome");

    // Together they are exactly the whole stream, replayed once the job has finished.
    const auto all = read_events(d.port(), id, std::nullopt);
    auto joined = first;
    joined.insert(joined.end(), rest.begin(), rest.end());
    BOOST_TEST(ids(joined) == ids(all), boost::test_tools::per_element());
    for (std::size_t i = 0; i < all.size() && i < joined.size(); ++i)
        if (all[i].event.empty()) BOOST_TEST(joined[i].data == all[i].data);
}

BOOST_AUTO_TEST_CASE(replay_after_finish_and_after_the_outcome) {
    Daemon d;
    const std::string id = start(d.port(), "hello");
    wait_status(d.port(), id, "succeeded");
    const auto all = read_events(d.port(), id, std::nullopt);
    BOOST_REQUIRE(all.size() >= 3u);
    const auto tail = read_events(d.port(), id, 2L);
    BOOST_TEST(tail.size() == all.size() - 2);
    BOOST_TEST(tail.front().id == 3);
    // A client that already saw the outcome gets an empty stream that ends.
    BOOST_TEST(read_events(d.port(), id, all.back().id).empty());
}

BOOST_AUTO_TEST_CASE(delete_cancels_and_kills_the_cli) {
    Daemon d;
    const std::string id = start(d.port(), "FAKE[hang]");
    BOOST_REQUIRE_MESSAGE(d.wait_pids(1, 10s), "the CLI did not start\n" << d.log());
    BOOST_TEST(get_job(d.port(), id)["status"] == "running");
    const auto res = make_client(d.port()).Delete("/v1/jobs/" + id);
    BOOST_REQUIRE(res);
    BOOST_TEST(res->status == 200);
    const json j = wait_status(d.port(), id, "cancelled");
    BOOST_TEST(j["error"]["code"] == "cancelled");
    BOOST_TEST(wait_until([&] { return d.alive_pids().empty(); }, 5s), "the CLI survived");
    const auto events = read_events(d.port(), id, std::nullopt);
    BOOST_REQUIRE(!events.empty());
    BOOST_TEST(events.back().data["status"] == "cancelled");
}

BOOST_AUTO_TEST_CASE(dropping_the_events_stream_does_not_cancel) {
    Daemon d;
    const std::string id = start(d.port(), "FAKE[hang]");
    BOOST_REQUIRE(d.wait_pids(1, 10s));
    const auto first =
        read_events(d.port(), id, std::nullopt, [](const JobEvent&) { return false; });
    BOOST_TEST(first.size() == 1u);
    // A cancelled CLI is gone within a second; this one must still run after 1.5 s.
    BOOST_TEST(!wait_until([&] { return d.alive_pids().empty(); }, 1500ms));
    BOOST_TEST(get_job(d.port(), id)["status"] == "running");
    BOOST_TEST(make_client(d.port()).Delete("/v1/jobs/" + id)->status == 200);
    wait_status(d.port(), id, "cancelled");
}

BOOST_AUTO_TEST_CASE(retention_by_count_and_time) {
    Daemon d({.limits = {"max_retained_jobs = 1"}});
    const std::string a = start(d.port(), "hello");
    wait_status(d.port(), a, "succeeded");
    const std::string b = start(d.port(), "hello");
    wait_status(d.port(), b, "succeeded");
    check_error(make_client(d.port()).Get("/v1/jobs/" + a), 404, "job_not_found", a);
    BOOST_TEST(get_job(d.port(), b)["status"] == "succeeded");

    Daemon quick({.limits = {"job_retention = \"0\""}});
    const std::string c = start(quick.port(), "hello");
    BOOST_TEST(wait_until(
        [&] { return make_client(quick.port()).Get("/v1/jobs/" + c)->status == 404; }, 10s));
}

BOOST_AUTO_TEST_CASE(listing_newest_first_with_filters) {
    Daemon d;
    const std::string first = start(d.port(), "hello");
    wait_status(d.port(), first, "succeeded");
    const std::string second = start(d.port(), "FAKE[hang]");
    wait_status(d.port(), second, "running");
    auto client = make_client(d.port());

    auto res = client.Get("/v1/jobs");
    BOOST_REQUIRE(res);
    BOOST_REQUIRE_MESSAGE(res->status == 200, res->body);
    json list = json::parse(res->body);
    BOOST_TEST(list["object"] == "list");
    BOOST_TEST(list["has_more"] == false);
    BOOST_REQUIRE(list["data"].size() == 2u);
    BOOST_TEST(list["data"][0]["id"] == second);
    BOOST_TEST(list["data"][0]["status"] == "running");
    BOOST_TEST(list["data"][1]["id"] == first);
    BOOST_TEST(list["data"][1]["result"] == "Hello from the fake.");

    list = json::parse(client.Get("/v1/jobs?status=succeeded")->body);
    BOOST_REQUIRE(list["data"].size() == 1u);
    BOOST_TEST(list["data"][0]["id"] == first);
    list = json::parse(client.Get("/v1/jobs?limit=1")->body);
    BOOST_REQUIRE(list["data"].size() == 1u);
    BOOST_TEST(list["data"][0]["id"] == second);
    BOOST_TEST(list["has_more"] == true);

    check_error(client.Get("/v1/jobs?status=done"), 400, "invalid_request", "status");
    check_error(client.Get("/v1/jobs?limit=0"), 400, "invalid_request", "limit");
    check_error(client.Get("/v1/jobs?limit=ten"), 400, "invalid_request", "limit");
    BOOST_TEST(client.Delete("/v1/jobs/" + second)->status == 200);
}

BOOST_AUTO_TEST_CASE(a_job_is_seen_only_by_the_key_that_started_it) {
    Daemon d({.api_keys = {"sk-owner", "sk-other"}});
    const httplib::Headers owner = {{"Authorization", "Bearer sk-owner"}};
    const httplib::Headers other = {{"Authorization", "Bearer sk-other"}};
    auto client = make_client(d.port());
    const auto created = client.Post(
        "/v1/jobs", owner, json{{"model", "claude-sonnet"}, {"prompt", "FAKE[hang]"}}.dump(),
        "application/json");
    BOOST_REQUIRE(created);
    BOOST_REQUIRE_MESSAGE(created->status == 202, created->body);
    const std::string id = json::parse(created->body)["id"];
    BOOST_REQUIRE(wait_until(
        [&] {
            const auto r = client.Get("/v1/jobs/" + id, owner);
            return r && json::parse(r->body)["status"] == "running";
        },
        10s));

    check_error(client.Get("/v1/jobs/" + id, other), 404, "job_not_found", id);
    check_error(client.Get("/v1/jobs/" + id + "/events", other), 404, "job_not_found");
    check_error(client.Delete("/v1/jobs/" + id, other), 404, "job_not_found");
    BOOST_TEST(json::parse(client.Get("/v1/jobs", other)->body)["data"].empty());
    // The other key's DELETE did not reach it.
    const auto mine = client.Get("/v1/jobs/" + id, owner);
    BOOST_REQUIRE(mine);
    BOOST_TEST(json::parse(mine->body)["status"] == "running");
    const json listed = json::parse(client.Get("/v1/jobs", owner)->body);
    BOOST_REQUIRE(listed["data"].size() == 1u);
    BOOST_TEST(listed["data"][0]["id"] == id);

    BOOST_TEST(client.Delete("/v1/jobs/" + id, owner)->status == 200);
    BOOST_TEST(wait_until([&] { return d.alive_pids().empty(); }, 5s), "the CLI survived");
}

BOOST_AUTO_TEST_CASE(unknown_ids_are_404) {
    Daemon d;
    auto client = make_client(d.port());
    check_error(client.Get("/v1/jobs/nosuchjob"), 404, "job_not_found", "nosuchjob");
    check_error(client.Get("/v1/jobs/nosuchjob/events"), 404, "job_not_found");
    check_error(client.Delete("/v1/jobs/nosuchjob"), 404, "job_not_found");
}

BOOST_AUTO_TEST_CASE(bad_bodies_are_400) {
    Daemon d;
    check_error(post_job(d.port(), "not json"), 400, "invalid_request");
    check_error(post_job(d.port(), json{{"model", "claude-sonnet"}}.dump()), 400, "invalid_request",
                "prompt");
    check_error(
        post_job(
            d.port(),
            json{{"model", "claude-sonnet"}, {"prompt", "x"}, {"messages", json::array()}}.dump()),
        400, "invalid_request");
    check_error(post_job(d.port(), json{{"model", "claude-sonnet"}, {"prompt", 3}}.dump()), 400,
                "invalid_request", "prompt");
    check_error(post_job(d.port(), json{{"prompt", "x"}}.dump()), 400, "invalid_request");
    check_error(post_job(d.port(), json{{"model", "nope"}, {"prompt", "x"}}.dump()), 404,
                "model_not_found");
    const auto bad_id = make_client(d.port()).Get(
        "/v1/jobs/" + start(d.port(), "hello") + "/events", {{"Last-Event-ID", "abc"}});
    check_error(bad_id, 400, "invalid_request");
}

BOOST_AUTO_TEST_SUITE_END()
