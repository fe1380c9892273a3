#include "daemon/usage_journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include <spdlog/spdlog.h>

#include "daemon/job.h"

namespace ch {
namespace {

std::string errno_text(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
}

std::uint64_t tokens(std::int64_t n) {
    return n > 0 ? static_cast<std::uint64_t>(n) : 0;
}

// Makes a new directory entry durable, so the file itself survives a power loss.
void sync_directory(const std::string& path) {
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
    const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    fsync(fd);
    close(fd);
}

// Where the last complete line ends (0 when there is none): scans back from the end.
std::optional<off_t> end_of_last_line(int fd, off_t size) {
    std::vector<char> buf(64 * 1024);
    off_t end = size;
    while (end > 0) {
        const off_t start = std::max<off_t>(0, end - static_cast<off_t>(buf.size()));
        const auto want = static_cast<std::size_t>(end - start);
        if (pread(fd, buf.data(), want, start) != static_cast<ssize_t>(want)) return std::nullopt;
        for (std::size_t i = want; i > 0; --i)
            if (buf[i - 1] == '\n') return start + static_cast<off_t>(i);
        end = start;
    }
    return 0;
}

}  // namespace

UsageRecord usage_record(const Job& job, const JobOutcome& outcome,
                         std::chrono::system_clock::time_point finished,
                         std::chrono::steady_clock::time_point finished_steady) {
    using std::chrono::duration_cast;
    UsageRecord r;
    r.time_us = duration_cast<std::chrono::microseconds>(finished.time_since_epoch()).count();
    r.request_id = job.id();
    r.client = job.spec().client;
    r.model = job.spec().model.id;
    r.provider = job.provider_name();
    // A failed run may still have used tokens; the reply carries them either way.
    const Usage& u = outcome.reply.usage;
    r.input_tokens = tokens(u.input_tokens);
    r.output_tokens = tokens(u.output_tokens);
    r.cache_read_tokens = tokens(u.cache_read_input_tokens);
    r.cache_creation_tokens = tokens(u.cache_creation_input_tokens);
    r.cost_usd = outcome.reply.cost_usd;
    r.duration_ms =
        duration_cast<std::chrono::milliseconds>(finished_steady - job.submitted()).count();
    r.outcome = outcome.ok ? "ok" : outcome.code.empty() ? "error" : outcome.code;
    r.status = outcome.http_status;
    return r;
}

struct UsageJournal::File {
    int fd = -1;
    dev_t dev = 0;
    ino_t ino = 0;
    ~File() {
        if (fd >= 0) close(fd);
    }
};

UsageJournal::UsageJournal(std::string path) : path_(std::move(path)) {
    std::lock_guard guard(mutex_);
    current();
}

UsageJournal::~UsageJournal() = default;

void UsageJournal::job_finished(const Job& job, const JobOutcome& outcome) {
    append(usage_line(usage_record(job, outcome, std::chrono::system_clock::now(),
                                   std::chrono::steady_clock::now())));
}

bool UsageJournal::append(const std::string& line) {
    std::shared_ptr<File> file;
    {
        // One writer at a time, so that a failed write can be undone exactly.
        std::lock_guard guard(mutex_);
        file = current();
        if (!file) return false;
        ssize_t n;
        do {
            n = write(file->fd, line.data(), line.size());
        } while (n < 0 && errno == EINTR);
        if (n != static_cast<ssize_t>(line.size())) {
            const std::string why = n < 0 ? errno_text("write") : "short write (disk full?)";
            // Take back the part that was written, so the next line starts on a line of its own.
            struct stat st;
            std::string undone;
            if (n > 0 && (fstat(file->fd, &st) != 0 || ftruncate(file->fd, st.st_size - n) != 0))
                undone = "; the partial line stays";
            report(why + undone);
            return false;
        }
    }
    // Outside the lock: concurrent finishers share the flushes instead of queueing for them.
    if (fdatasync(file->fd) != 0) {
        const std::string why = errno_text("fdatasync");
        std::lock_guard guard(mutex_);
        report(why);
        return false;
    }
    return true;
}

std::shared_ptr<UsageJournal::File> UsageJournal::current() {
    struct stat st;
    if (file_ && stat(path_.c_str(), &st) == 0 && st.st_dev == file_->dev &&
        st.st_ino == file_->ino)
        return file_;
    if (file_) spdlog::info("usage ledger {} was moved away; starting a new one", path_);
    std::string error;
    file_ = open_file(path_, &error);
    if (!file_) report(error);
    return file_;
}

void UsageJournal::report(const std::string& what) {
    const auto now = std::chrono::steady_clock::now();
    if (last_report_ != std::chrono::steady_clock::time_point{} &&
        now - last_report_ < std::chrono::minutes(1)) {
        ++unreported_;
        return;
    }
    if (unreported_ > 0)
        spdlog::error("usage ledger {}: {} (and {} more failure(s) in the last minute)", path_,
                      what, unreported_);
    else
        spdlog::error("usage ledger {}: {}; requests go unrecorded", path_, what);
    last_report_ = now;
    unreported_ = 0;
}

std::shared_ptr<UsageJournal::File> UsageJournal::open_file(const std::string& path,
                                                            std::string* error) {
    constexpr int kFlags = O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW;
    bool created = true;
    int fd = open(path.c_str(), kFlags | O_CREAT | O_EXCL, 0640);
    if (fd < 0 && errno == EEXIST) {
        created = false;
        fd = open(path.c_str(), kFlags);
    }
    if (fd < 0) {
        *error = errno_text("open");
        return nullptr;
    }
    auto file = std::make_shared<File>();
    file->fd = fd;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        *error = errno_text("fstat");
        return nullptr;
    }
    file->dev = st.st_dev;
    file->ino = st.st_ino;
    if (created) sync_directory(path);
    if (st.st_size == 0) return file;
    const auto end = end_of_last_line(fd, st.st_size);
    if (!end) {
        *error = errno_text("read");
        return nullptr;
    }
    if (*end < st.st_size) {
        if (ftruncate(fd, *end) != 0 || fdatasync(fd) != 0) {
            *error = errno_text("cutting off a torn last line");
            return nullptr;
        }
        spdlog::warn("usage ledger {}: cut off a torn last line ({} bytes) left by a crash", path,
                     st.st_size - *end);
    }
    return file;
}

}  // namespace ch
