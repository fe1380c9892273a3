// The usage ledger on disk: one JSON line per finished job appended to
// <state_dir>/usage.jsonl (common/usage_record.h), durable before the client sees the answer.
//
// The guarantee: once job_finished() has returned, the job's line is complete in the file and
// on stable storage (written with one write() to an O_APPEND descriptor, then fdatasync()), and
// since the outcome is published only after that, every request whose answer a client received
// has its line, after kill -9 or a power loss alike. A crash during the write can leave at
// most the last line incomplete; the next start cuts such a torn tail off (with a warning), so
// the file only ever holds complete lines. The converse does not hold: a request in flight
// at a crash may have its line although its client got no complete response.
//
// The file grows without bound. It may be rotated by moving it away: before each line the
// daemon checks that the path still names the file it has open and otherwise opens a new one.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "common/usage_record.h"
#include "daemon/job_watcher.h"

namespace ch {

// What the ledger records of a finished job: the only place that knows which parts of a Job
// make up its line.
UsageRecord usage_record(const Job& job, const JobOutcome& outcome,
                         std::chrono::system_clock::time_point finished,
                         std::chrono::steady_clock::time_point finished_steady);

class UsageJournal : public JobWatcher {
  public:
    // Opens (creating, mode 0640) and repairs the file; a failure is logged and retried with
    // the next line.
    explicit UsageJournal(std::string path);
    ~UsageJournal() override;
    UsageJournal(const UsageJournal&) = delete;
    UsageJournal& operator=(const UsageJournal&) = delete;

    void job_started(const Job&) override {}
    void job_finished(const Job& job, const JobOutcome& outcome) override;

    // Appends one line (ending in '\n') and waits until it is on stable storage; false (and
    // logged, rate-limited) when it could not be.
    bool append(const std::string& line);

    const std::string& path() const { return path_; }

  private:
    struct File;
    // Opens (or creates) the ledger and cuts off a torn last line; nullptr with *error.
    static std::shared_ptr<File> open_file(const std::string& path, std::string* error);
    std::shared_ptr<File> current();       // mutex_ held: the open file, reopened if moved away
    void report(const std::string& what);  // mutex_ held: logs, at most once a minute

    const std::string path_;
    std::mutex mutex_;
    std::shared_ptr<File> file_;
    std::chrono::steady_clock::time_point last_report_{};
    std::uint64_t unreported_ = 0;
};

}  // namespace ch
