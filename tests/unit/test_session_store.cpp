// ch::SessionStore and the history hash: claiming by id and by history, one holder at a
// time, ownership by client, metadata read back by a new store, idle expiry with the files.
#include <boost/test/unit_test.hpp>

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "daemon/session_store.h"
#include "temp_dir.h"

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

using Root = ch::test::TempDir;

// A session of `client` answered once on provider "p", its history hashing to `history`.
std::string answered(ch::SessionStore& store, const std::string& client, std::uint64_t history) {
    const auto lease = store.create(client);
    fs::create_directories(store.dir_of("p", lease.info.id));
    store.release(lease.info.id, "p", true, history);
    return lease.info.id;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(session_store)

BOOST_AUTO_TEST_CASE(ids_are_uuids) {
    const std::string id = ch::new_session_id();
    BOOST_TEST(ch::is_session_id(id));
    BOOST_TEST(id[14] == '4');
    BOOST_TEST(id != ch::new_session_id());
    BOOST_TEST(!ch::is_session_id("../../etc/passwd"));
    BOOST_TEST(!ch::is_session_id("11111111-2222-4333-8444-55555555555g"));
}

BOOST_AUTO_TEST_CASE(history_hash_depends_on_every_field_and_its_bounds) {
    const auto start = ch::history_start("client", "system");
    BOOST_TEST(start != ch::history_start("client", "other"));
    BOOST_TEST(start != ch::history_start("clients", "ystem"));
    const auto a = ch::history_mix(start, "user", {"ab", "c"});
    BOOST_TEST(a == ch::history_mix(start, "user", {"ab", "c"}));
    BOOST_TEST(a != ch::history_mix(start, "user", {"a", "bc"}));
    BOOST_TEST(a != ch::history_mix(start, "assistant", {"ab", "c"}));
}

BOOST_AUTO_TEST_CASE(one_holder_at_a_time_and_only_its_client) {
    Root root;
    ch::SessionStore store(root.path, 1h);
    const std::string id = answered(store, "alice", 42);
    ch::SessionLease lease;
    BOOST_TEST((store.claim(id, "bob", lease) == ch::SessionStore::Claim::NotFound));
    BOOST_TEST((store.claim(id, "alice", lease) == ch::SessionStore::Claim::Ok));
    BOOST_TEST(lease.info.started);
    BOOST_TEST(lease.info.provider == "p");
    BOOST_TEST((store.claim(id, "alice", lease) == ch::SessionStore::Claim::Busy));
    BOOST_TEST(!store.claim_by_history("alice", 42));  // busy
    store.release(id, "p", false, 0);                  // failed: kept as it was
    BOOST_TEST(store.claim_by_history("alice", 42).has_value());
    store.release(id, "p", true, 43);
    BOOST_TEST(!store.claim_by_history("alice", 42));
    BOOST_TEST(!store.claim_by_history("bob", 43));
    BOOST_TEST(store.claim_by_history("alice", 43)->info.id == id);
}

BOOST_AUTO_TEST_CASE(failed_first_runs_and_lost_sessions_are_forgotten) {
    Root root;
    ch::SessionStore store(root.path, 1h);
    const auto lease = store.create("alice");
    store.release(lease.info.id, "p", false, 0);
    BOOST_TEST(store.size() == 0u);
    const std::string id = answered(store, "alice", 1);
    ch::SessionLease held;
    BOOST_REQUIRE((store.claim(id, "alice", held) == ch::SessionStore::Claim::Ok));
    store.release(id, "p", false, 0, true);
    BOOST_TEST(store.size() == 0u);
    BOOST_TEST(!fs::exists(store.dir_of("p", id)));
    BOOST_TEST(!fs::exists(root.path + "/p/" + id + ".json"));
}

BOOST_AUTO_TEST_CASE(a_new_store_reads_the_metadata_back) {
    Root root;
    std::string id;
    {
        ch::SessionStore store(root.path, 1h);
        id = answered(store, "alice", 0x8000000000000001ULL);
    }
    std::ofstream(root.path + "/p/broken.json") << "{not json";
    ch::SessionStore again(root.path, 1h);
    BOOST_TEST(again.size() == 1u);
    const auto lease = again.claim_by_history("alice", 0x8000000000000001ULL);
    BOOST_REQUIRE(lease.has_value());
    BOOST_TEST(lease->info.id == id);
    BOOST_TEST(lease->info.provider == "p");
    again.release(id, "p", true, 7);
    ch::SessionLease by_id;
    BOOST_TEST((again.claim(id, "alice", by_id) == ch::SessionStore::Claim::Ok));
}

BOOST_AUTO_TEST_CASE(idle_sessions_expire_but_not_busy_ones) {
    Root root;
    ch::SessionStore store(root.path, 50ms);
    const std::string idle = answered(store, "alice", 1);
    const std::string busy = answered(store, "alice", 2);
    ch::SessionLease lease;
    BOOST_REQUIRE((store.claim(busy, "alice", lease) == ch::SessionStore::Claim::Ok));
    // Nothing to wait on: expiry is the passing of time itself.
    std::this_thread::sleep_for(100ms);
    BOOST_TEST((store.claim(idle, "alice", lease) == ch::SessionStore::Claim::NotFound));
    const auto gone = store.expire();
    BOOST_REQUIRE_EQUAL(gone.size(), 1u);
    BOOST_TEST(gone[0].id == idle);
    BOOST_TEST(!fs::exists(store.dir_of("p", idle)));
    BOOST_TEST(fs::exists(store.dir_of("p", busy)));
    store.set_idle_timeout(1h);
    store.release(busy, "p", true, 3);
    BOOST_TEST(store.expire().empty());
}

BOOST_AUTO_TEST_SUITE_END()
