#include "common/usage_report.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>

#include "common/since.h"
#include "common/usage_record.h"

namespace ch {
namespace {

constexpr const char* kGroupingNames[] = {"model", "provider", "key", "day"};

std::string group_of(const UsageRecord& r, UsageGrouping by) {
    switch (by) {
        case UsageGrouping::Model:
            return r.model;
        case UsageGrouping::Provider:
            return r.provider;
        case UsageGrouping::Key:
            return r.client;
        case UsageGrouping::Day:
            return format_rfc3339_ms(r.time_us).substr(0, 10);
    }
    return {};
}

}  // namespace

void count_record(UsageTotals& t, const UsageRecord& r) {
    ++t.requests;
    if (r.outcome != "ok") ++t.failed;
    t.input_tokens += r.input_tokens;
    t.output_tokens += r.output_tokens;
    t.cache_read_tokens += r.cache_read_tokens;
    t.cache_creation_tokens += r.cache_creation_tokens;
    t.cost_usd += r.cost_usd.value_or(0);
}

void add_totals(UsageTotals& t, const UsageTotals& other) {
    t.add(other);
    t.cost_usd += other.cost_usd;
}

std::optional<UsageGrouping> parse_usage_grouping(std::string_view text) {
    for (int i = 0; i < 4; ++i)
        if (text == kGroupingNames[i]) return static_cast<UsageGrouping>(i);
    return std::nullopt;
}

const char* usage_grouping_name(UsageGrouping by) {
    return kGroupingNames[static_cast<int>(by)];
}

UsageReport read_usage_report(std::istream& in, std::int64_t since_us, UsageGrouping by) {
    UsageReport report;
    std::map<std::string, UsageTotals> groups;
    std::string line;
    std::uint64_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (in.eof()) {  // no newline after it
            report.incomplete_tail = true;
            break;
        }
        std::string why;
        const auto record = parse_usage_line(line, &why);
        if (!record) {
            if (report.skipped_lines++ == 0)
                report.first_skipped = "line " + std::to_string(number) + ": " + why;
            continue;
        }
        if (record->time_us < since_us) continue;
        const std::string group = group_of(*record, by);
        UsageTotals& t = groups[group];
        t.group = group;
        count_record(t, *record);
        count_record(report.total, *record);
    }
    for (auto& [key, totals] : groups)
        report.groups.push_back(std::move(totals));
    return report;
}

std::optional<UsageReport> read_usage_file(const std::string& path, std::int64_t since_us,
                                           UsageGrouping by, std::string* error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        *error = path + ": " + std::strerror(errno);
        return std::nullopt;
    }
    auto report = read_usage_report(in, since_us, by);
    if (in.bad()) {
        *error = path + ": read error";
        return std::nullopt;
    }
    return report;
}

}  // namespace ch
