// The daemon's side of the usage ledger: the line a finished job makes, appending, the torn
// tail a crash leaves cut off on open, and a new file after the old one was moved away.
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "daemon/job.h"
#include "daemon/usage_journal.h"
#include "temp_dir.h"

namespace {

using ch::test::TempDir;

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void spit(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

ch::JobSpec spec() {
    ch::JobSpec s;
    s.model.id = "claude-sonnet";
    ch::ProviderConfig provider;
    provider.name = "work";
    s.providers = {provider};
    s.client = "key-7";
    return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(usage_journal)

BOOST_AUTO_TEST_CASE(a_finished_job_becomes_one_record) {
    ch::Job job("job-1", spec());
    ch::JobOutcome outcome;
    outcome.ok = true;
    outcome.reply.usage = {12, 300, 40, 7};  // input, cache read, cache creation, output
    outcome.reply.cost_usd = 0.0421;
    const auto finished = std::chrono::system_clock::time_point(std::chrono::seconds(1795255200));
    const auto r =
        ch::usage_record(job, outcome, finished, job.submitted() + std::chrono::milliseconds(2500));
    BOOST_TEST(r.time_us == 1795255200LL * 1000000);
    BOOST_TEST(r.request_id == "job-1");
    BOOST_TEST(r.client == "key-7");
    BOOST_TEST(r.model == "claude-sonnet");
    BOOST_TEST(r.provider == "work");
    BOOST_TEST(r.input_tokens == 12u);
    BOOST_TEST(r.cache_read_tokens == 300u);
    BOOST_TEST(r.cache_creation_tokens == 40u);
    BOOST_TEST(r.output_tokens == 7u);
    BOOST_TEST(r.cost_usd.value_or(0) == 0.0421);
    BOOST_TEST(r.duration_ms == 2500);
    BOOST_TEST(r.outcome == "ok");
    BOOST_TEST(r.status == 200);

    ch::JobOutcome failed;
    failed.ok = false;
    failed.http_status = 504;
    failed.code = "timeout";
    const auto f = ch::usage_record(job, failed, finished, job.submitted());
    BOOST_TEST(f.outcome == "timeout");
    BOOST_TEST(f.status == 504);
    BOOST_TEST(!f.cost_usd.has_value());
}

BOOST_AUTO_TEST_CASE(appends_whole_lines_to_a_0640_file) {
    TempDir dir;
    const std::string path = dir.path + "/usage.jsonl";
    const mode_t old = umask(0);
    {
        ch::UsageJournal journal(path);
        BOOST_TEST(journal.append("{\"n\":1}\n"));
        BOOST_TEST(journal.append("{\"n\":2}\n"));
    }
    umask(old);
    BOOST_TEST(slurp(path) == "{\"n\":1}\n{\"n\":2}\n");
    struct stat st;
    BOOST_REQUIRE(stat(path.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0640u);
    ch::UsageJournal again(path);
    BOOST_TEST(again.append("{\"n\":3}\n"));
    BOOST_TEST(slurp(path) == "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");
}

BOOST_AUTO_TEST_CASE(a_torn_last_line_is_cut_off_on_open) {
    TempDir dir;
    const std::string path = dir.path + "/usage.jsonl";
    spit(path, "{\"n\":1}\n{\"n\":2}\n{\"n\":");
    {
        ch::UsageJournal journal(path);
        BOOST_TEST(slurp(path) == "{\"n\":1}\n{\"n\":2}\n");
        BOOST_TEST(journal.append("{\"n\":3}\n"));
    }
    BOOST_TEST(slurp(path) == "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");

    // Nothing but a torn line; and zeros, as some file systems leave after a power loss.
    spit(path, "{\"n\":");
    { ch::UsageJournal journal(path); }
    BOOST_TEST(slurp(path).empty());
    spit(path, "{\"n\":1}\n" + std::string(100000, '\0'));
    { ch::UsageJournal journal(path); }
    BOOST_TEST(slurp(path) == "{\"n\":1}\n");
}

BOOST_AUTO_TEST_CASE(a_file_moved_away_is_replaced) {
    TempDir dir;
    const std::string path = dir.path + "/usage.jsonl";
    ch::UsageJournal journal(path);
    BOOST_TEST(journal.append("a\n"));
    BOOST_REQUIRE(std::rename(path.c_str(), (path + ".1").c_str()) == 0);
    BOOST_TEST(journal.append("b\n"));
    BOOST_TEST(slurp(path + ".1") == "a\n");
    BOOST_TEST(slurp(path) == "b\n");
}

BOOST_AUTO_TEST_CASE(an_unwritable_place_fails_without_throwing) {
    TempDir dir;
    ch::UsageJournal journal(dir.path + "/missing/usage.jsonl");
    BOOST_TEST(!journal.append("a\n"));
    BOOST_TEST(!journal.append("b\n"));
}

BOOST_AUTO_TEST_SUITE_END()
