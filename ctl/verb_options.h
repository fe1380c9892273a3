// Option parsing shared by every verb: --help/-h (the verb's own usage, exit 0), --json for
// verbs that print data, the verb's own options and its operands. Mistakes are reported on
// stderr with the verb's synopsis and exit status 2.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ch::ctl {

// A bad option value; thrown by a value parser, reported as a usage error.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class VerbOptions {
  public:
    // `usage` is the verb's full --help text; its first line is the synopsis.
    VerbOptions(const char* verb, const char* usage) : verb_(verb), usage_(usage) {}

    VerbOptions& json(bool* enabled) { return flag("json", 0, enabled); }
    // short_name 0 = long option only.
    VerbOptions& flag(const char* long_name, char short_name, bool* set);
    // An option that takes a value; `parse` may throw UsageError.
    VerbOptions& value(const char* long_name, char short_name,
                       std::function<void(const std::string&)> parse);
    // Positional arguments: between min and max of them.
    VerbOptions& operands(std::size_t min, std::size_t max, std::vector<std::string>* out);

    // std::nullopt when the verb should run; otherwise the exit status to return at once
    // (kOk after --help, kUsage after a mistake, both already printed).
    std::optional<int> parse(int argc, char** argv);

  private:
    struct Option {
        std::string long_name;
        char short_name;
        bool* flag;                                   // for flags
        std::function<void(const std::string&)> set;  // for options with a value
    };

    int usage_error(const std::string& message) const;
    std::optional<int> parse_or_throw(int argc, char** argv);

    std::string verb_;
    const char* usage_;
    std::vector<Option> options_;
    std::size_t min_operands_ = 0;
    std::size_t max_operands_ = 0;
    std::vector<std::string>* operands_ = nullptr;
};

}  // namespace ch::ctl
