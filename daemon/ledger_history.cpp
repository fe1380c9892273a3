#include "daemon/ledger_history.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>

#include <spdlog/spdlog.h>

#include "common/usage_record.h"

namespace ch {
namespace {

using SystemClock = std::chrono::system_clock;

// Local midnight of the day `t` is in: "today" is the operator's day.
SystemClock::time_point local_midnight(SystemClock::time_point t) {
    const std::time_t seconds = SystemClock::to_time_t(t);
    std::tm local{};
    localtime_r(&seconds, &local);
    local.tm_hour = local.tm_min = local.tm_sec = 0;
    local.tm_isdst = -1;
    return SystemClock::from_time_t(std::mktime(&local));
}

UsageTotals& group_in(std::map<std::string, UsageTotals>& groups, const std::string& group) {
    UsageTotals& t = groups[group];
    t.group = group;
    return t;
}

std::vector<UsageTotals> sorted(std::map<std::string, UsageTotals>&& groups) {
    std::vector<UsageTotals> out;
    for (auto& [group, totals] : groups)
        out.push_back(std::move(totals));
    return out;
}

}  // namespace

void LedgerHistory::add_lines(std::string_view text) const {
    while (!text.empty()) {
        const auto end = text.find('\n');
        const std::string_view line = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        std::string why;
        const auto record = parse_usage_line(line, &why);
        if (!record) continue;  // `claude-harnessctl usage` reports such lines
        const auto finished = SystemClock::time_point(std::chrono::microseconds(record->time_us));
        Day& day = days_[local_midnight(finished)];
        count_record(group_in(day.by_model, record->model), *record);
        count_record(group_in(day.by_client, record->client), *record);
    }
}

void LedgerHistory::catch_up() const {
    const int fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        spdlog::debug("dashboard: {}: cannot open it (no requests yet?)", path_);
        days_.clear();  // removed: nothing to show until a new one is written
        device_ = inode_ = 0;
        offset_ = 0;
        return;
    }
    struct stat st {};
    if (fstat(fd, &st) == 0) {
        const auto size = static_cast<std::uint64_t>(st.st_size);
        if (st.st_dev != device_ || st.st_ino != inode_ || size < offset_) {
            days_.clear();  // another file, or cut short: read it afresh
            device_ = st.st_dev;
            inode_ = st.st_ino;
            offset_ = 0;
        }
        // In blocks, so a first read of a large ledger takes no more memory than one. A line
        // without its newline is being written: it stays in `pending`, read again next time.
        std::string pending;
        char buf[65536];
        ssize_t n;
        while ((n = pread(fd, buf, sizeof buf, static_cast<off_t>(offset_ + pending.size()))) > 0) {
            pending.append(buf, static_cast<std::size_t>(n));
            const auto complete = pending.rfind('\n');
            if (complete == std::string::npos) continue;
            add_lines(std::string_view(pending).substr(0, complete + 1));
            offset_ += complete + 1;
            pending.erase(0, complete + 1);
        }
    }
    close(fd);
}

UsageSummary LedgerHistory::since(SystemClock::time_point day) const {
    std::lock_guard guard(mutex_);
    catch_up();
    std::map<std::string, UsageTotals> by_model, by_client;
    for (auto it = days_.lower_bound(local_midnight(day)); it != days_.end(); ++it) {
        for (const auto& [model, totals] : it->second.by_model)
            add_totals(group_in(by_model, model), totals);
        for (const auto& [client, totals] : it->second.by_client)
            add_totals(group_in(by_client, client), totals);
    }
    return {sorted(std::move(by_model)), sorted(std::move(by_client))};
}

}  // namespace ch
