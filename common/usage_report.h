// Totals from the usage ledger: its lines read back, filtered by time and grouped by model,
// provider, client key or UTC day. Shared by `claude-harnessctl usage` and the bus.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/token_tally.h"

namespace ch {

enum class UsageGrouping { Model, Provider, Key, Day };

// "model", "provider", "key", "day"; std::nullopt for anything else.
std::optional<UsageGrouping> parse_usage_grouping(std::string_view text);
const char* usage_grouping_name(UsageGrouping by);

struct UsageTotals : TokenTally {
    std::string group;  // the model, provider, client or "YYYY-MM-DD" (UTC)
    double cost_usd = 0;
};

struct UsageRecord;

// One ledger record counted into `t`: a request, its tokens and its cost.
void count_record(UsageTotals& t, const UsageRecord& r);
// `other`'s requests, tokens and cost added to `t`.
void add_totals(UsageTotals& t, const UsageTotals& other);

struct UsageReport {
    std::vector<UsageTotals> groups;  // sorted by group
    UsageTotals total;                // group ""
    // Complete lines that are not usage records, and where the first of them is.
    std::uint64_t skipped_lines = 0;
    std::string first_skipped;  // "line 12: not a JSON object"
    // The ledger ends in a line without its newline: one being written right now, or the torn
    // tail of a crash the daemon repairs when it next starts. It is not counted.
    bool incomplete_tail = false;
};

// Reads ledger lines from `in`; records that finished before since_us are left out.
UsageReport read_usage_report(std::istream& in, std::int64_t since_us, UsageGrouping by);

// The same from a file; std::nullopt with *error ("path: reason") when it cannot be read.
std::optional<UsageReport> read_usage_file(const std::string& path, std::int64_t since_us,
                                           UsageGrouping by, std::string* error);

}  // namespace ch
