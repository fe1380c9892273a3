// One line of the usage ledger (<state_dir>/usage.jsonl): what a finished request cost. The
// daemon writes these; `claude-harnessctl usage` and the bus's GetUsageReport() read them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ch {

struct UsageRecord {
    std::int64_t time_us = 0;  // when it finished, µs since the epoch
    std::string request_id;    // the job id
    std::string client;        // API key id or source address; never a key
    std::string model;
    std::string provider;
    std::uint64_t input_tokens = 0;
    std::uint64_t output_tokens = 0;
    std::uint64_t cache_read_tokens = 0;
    std::uint64_t cache_creation_tokens = 0;
    std::optional<double> cost_usd;  // as the CLI reported it; none without a result line
    std::int64_t duration_ms = 0;    // from submission to the outcome
    std::string outcome;             // "ok" or the failure code
    int status = 200;                // the HTTP status the client got
};

// One JSON object and the newline that ends it.
std::string usage_line(const UsageRecord& record);

// The record of one line (without its newline); std::nullopt, with *error saying why, for a
// line that is not one.
std::optional<UsageRecord> parse_usage_line(std::string_view line, std::string* error);

}  // namespace ch
