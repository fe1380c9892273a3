// usage: totals from the daemon's usage ledger (<state_dir>/usage.jsonl), read directly so
// that they are there whether the daemon runs or not.
#include <cctype>
#include <cstdio>
#include <string>

#include "common/config.h"
#include "common/since.h"
#include "common/usage_report.h"
#include "ctl/exit_codes.h"
#include "ctl/output.h"
#include "ctl/verb_options.h"
#include "ctl/verbs.h"

namespace ch::ctl {
namespace {

constexpr const char* kUsageText =
    "Usage: claude-harnessctl usage [--since WHEN] [--by model|provider|key|day] [--json]\n"
    "                               [--file PATH | --config PATH]\n"
    "\n"
    "Totals from the usage ledger, which has a line for every request the daemon finished:\n"
    "requests, failed requests, input, output, cache-read and cache-write tokens, and the cost\n"
    "the Claude CLI reported, grouped by model (default), provider, client key id or UTC day.\n"
    "\n"
    "Options:\n"
    "      --since WHEN   only requests finished from WHEN on: 7d, 24h, 30min (ago), today,\n"
    "                     yesterday, YYYY-MM-DD, \"YYYY-MM-DD HH:MM[:SS]\" (local time), or\n"
    "                     RFC 3339 (2026-11-21T10:00:00Z)\n"
    "      --by GROUPING  model, provider, key (the API key id, or the address without keys)\n"
    "                     or day\n"
    "      --file PATH    read this ledger instead of <state_dir>/usage.jsonl\n"
    "      --config PATH  the configuration whose state_dir holds the ledger (default\n"
    "                     /etc/claude-harness/config.toml)\n"
    "      --json         print a JSON object instead\n"
    "  -h, --help         show this help\n"
    "\n"
    "Lines that are not usage records are skipped and counted (a warning on stderr).\n"
    "Exit status: 0 ok, 1 the ledger or configuration cannot be read, 2 usage error.\n";

struct UsageOptions {
    bool json = false;
    std::int64_t since_us = 0;
    bool has_since = false;
    UsageGrouping by = UsageGrouping::Model;
    std::string file;
    std::string config = kDefaultConfigPath;
};

nlohmann::json totals_json(const UsageTotals& t) {
    return {{"requests", t.requests},
            {"failed", t.failed},
            {"input_tokens", t.input_tokens},
            {"output_tokens", t.output_tokens},
            {"cache_read_tokens", t.cache_read_tokens},
            {"cache_creation_tokens", t.cache_creation_tokens},
            {"cost_usd", t.cost_usd}};
}

void print_report_json(const UsageReport& report, const UsageOptions& o, const std::string& path) {
    nlohmann::json groups = nlohmann::json::array();
    for (const auto& g : report.groups) {
        auto row = totals_json(g);
        row[usage_grouping_name(o.by)] = g.group;
        groups.push_back(std::move(row));
    }
    print_json({{"file", path},
                {"since", o.has_since ? nlohmann::json(format_rfc3339_ms(o.since_us)) : nullptr},
                {"by", usage_grouping_name(o.by)},
                {"groups", std::move(groups)},
                {"total", totals_json(report.total)},
                {"skipped_lines", report.skipped_lines},
                {"incomplete_tail", report.incomplete_tail}});
}

void print_row(const char* format, const UsageTotals& t, const std::string& name) {
    char cost[32];
    std::snprintf(cost, sizeof cost, "$%.4f", t.cost_usd);
    std::printf(format, printable(name).c_str(), std::to_string(t.requests).c_str(),
                std::to_string(t.failed).c_str(), std::to_string(t.input_tokens).c_str(),
                std::to_string(t.output_tokens).c_str(),
                std::to_string(t.cache_read_tokens).c_str(),
                std::to_string(t.cache_creation_tokens).c_str(), cost);
}

void print_report_table(const UsageReport& report, const UsageOptions& o) {
    if (report.groups.empty()) {
        std::printf("No requests recorded%s.\n",
                    o.has_since ? (" since " + local_time(o.since_us)).c_str() : "");
        return;
    }
    constexpr const char* kFormat = "%-20s  %8s  %6s  %10s  %10s  %10s  %11s  %9s\n";
    std::string heading = usage_grouping_name(o.by);
    for (auto& c : heading)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::printf(kFormat, heading.c_str(), "REQUESTS", "FAILED", "INPUT", "OUTPUT", "CACHE READ",
                "CACHE WRITE", "COST");
    for (const auto& g : report.groups)
        print_row(kFormat, g, g.group.empty() ? "-" : g.group);
    print_row(kFormat, report.total, "TOTAL");
    if (o.has_since) std::printf("\nSince %s.\n", local_time(o.since_us).c_str());
}

// The ledger named by --file, or the one in the configuration's state_dir.
std::optional<std::string> ledger_path(const UsageOptions& o) {
    if (!o.file.empty()) return o.file;
    const ConfigLoad load = load_config_file(o.config);
    for (const auto& e : load.errors)
        std::fprintf(stderr, "%s\n", printable(e).c_str());
    if (!load.ok()) return std::nullopt;
    return load.config.server.state_dir + "/usage.jsonl";
}

}  // namespace

int verb_usage(int argc, char** argv) {
    UsageOptions o;
    const std::int64_t now = now_us();
    VerbOptions options("usage", kUsageText);
    options.json(&o.json)
        .value("since", 0,
               [&](const std::string& v) {
                   const auto since = parse_since(v, now);
                   if (!since) throw UsageError("--since cannot read '" + v + "'");
                   o.since_us = *since;
                   o.has_since = true;
               })
        .value("by", 0,
               [&](const std::string& v) {
                   const auto by = parse_usage_grouping(v);
                   if (!by)
                       throw UsageError("--by wants model, provider, key or day, not '" + v + "'");
                   o.by = *by;
               })
        .value("file", 0, [&](const std::string& v) { o.file = v; })
        .value("config", 0, [&](const std::string& v) { o.config = v; });
    if (const auto exit = options.parse(argc, argv)) return *exit;

    const auto path = ledger_path(o);
    if (!path) return kFailure;
    std::string error;
    const auto report = read_usage_file(*path, o.since_us, o.by, &error);
    if (!report) {
        std::fprintf(stderr, "claude-harnessctl usage: cannot read %s\n", printable(error).c_str());
        return kFailure;
    }
    if (report->skipped_lines > 0)
        std::fprintf(stderr,
                     "claude-harnessctl usage: %s: skipped %llu line(s) that are not usage "
                     "records (the first: %s)\n",
                     printable(*path).c_str(),
                     static_cast<unsigned long long>(report->skipped_lines),
                     printable(report->first_skipped).c_str());
    if (o.json)
        print_report_json(*report, o, *path);
    else
        print_report_table(*report, o);
    return kOk;
}

}  // namespace ch::ctl
