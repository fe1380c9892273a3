#include "ctl/verb_options.h"

#include <getopt.h>

#include <cstdio>
#include <cstring>

#include "ctl/exit_codes.h"

namespace ch::ctl {
namespace {

constexpr int kHelp = 'h';
constexpr int kLongOnly = 0x100;  // getopt_long values of long-only options: kLongOnly + index

}  // namespace

VerbOptions& VerbOptions::flag(const char* long_name, char short_name, bool* set) {
    options_.push_back({long_name, short_name, set, {}});
    return *this;
}

VerbOptions& VerbOptions::value(const char* long_name, char short_name,
                                std::function<void(const std::string&)> parse) {
    options_.push_back({long_name, short_name, nullptr, std::move(parse)});
    return *this;
}

VerbOptions& VerbOptions::operands(std::size_t min, std::size_t max,
                                   std::vector<std::string>* out) {
    min_operands_ = min;
    max_operands_ = max;
    operands_ = out;
    return *this;
}

int VerbOptions::usage_error(const std::string& message) const {
    const char* synopsis = usage_;
    const char* end = std::strchr(synopsis, '\n');
    const int length =
        end ? static_cast<int>(end - synopsis) : static_cast<int>(std::strlen(synopsis));
    std::fprintf(stderr, "claude-harnessctl %s: %s\n%.*s\nTry 'claude-harnessctl %s --help'.\n",
                 verb_.c_str(), message.c_str(), length, synopsis, verb_.c_str());
    return kUsage;
}

std::optional<int> VerbOptions::parse(int argc, char** argv) {
    try {
        return parse_or_throw(argc, argv);
    } catch (const UsageError& e) {
        return usage_error(e.what());
    }
}

std::optional<int> VerbOptions::parse_or_throw(int argc, char** argv) {
    // ':' first: a missing value is reported as ':' rather than printed by getopt itself.
    std::string shorts = ":h";
    std::vector<option> longs{{"help", no_argument, nullptr, kHelp}};
    for (std::size_t i = 0; i < options_.size(); ++i) {
        const Option& o = options_[i];
        const int has_arg = o.flag ? no_argument : required_argument;
        const int val = o.short_name ? o.short_name : kLongOnly + static_cast<int>(i);
        longs.push_back({o.long_name.c_str(), has_arg, nullptr, val});
        if (o.short_name) shorts += std::string(1, o.short_name) + (o.flag ? "" : ":");
    }
    longs.push_back({nullptr, 0, nullptr, 0});

    opterr = 0;
    optind = 0;  // 0 makes glibc start over, also after an earlier parse in the same process
    for (;;) {
        const int c = getopt_long(argc, argv, shorts.c_str(), longs.data(), nullptr);
        if (c == -1) break;
        if (c == kHelp) {
            std::fputs(usage_, stdout);
            return kOk;
        }
        if (c == '?' || c == ':') {
            // A short option's letter when getopt knows it; otherwise the word as typed.
            const std::string name = c == '?' && optopt > 0 && optopt < kLongOnly
                                         ? std::string("-") + static_cast<char>(optopt)
                                         : std::string(argv[optind - 1]);
            return usage_error((c == '?' ? "unknown option " : "missing value for ") + name);
        }
        for (std::size_t i = 0; i < options_.size(); ++i) {
            const Option& o = options_[i];
            if (c != (o.short_name ? o.short_name : kLongOnly + static_cast<int>(i))) continue;
            if (o.flag)
                *o.flag = true;
            else
                o.set(optarg);
        }
    }
    const auto count = static_cast<std::size_t>(argc - optind);
    if (count < min_operands_) return usage_error("missing argument");
    if (count > max_operands_)
        return usage_error(std::string("unexpected argument '") + argv[optind + max_operands_] +
                           "'");
    if (operands_)
        for (int i = optind; i < argc; ++i)
            operands_->emplace_back(argv[i]);
    return std::nullopt;
}

}  // namespace ch::ctl
