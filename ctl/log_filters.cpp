#include "ctl/log_filters.h"

namespace ch::ctl {
namespace {

constexpr const char* kPriorityNames[] = {"emerg",   "alert",  "crit", "err",
                                          "warning", "notice", "info", "debug"};

}  // namespace

std::optional<int> parse_priority(std::string_view text) {
    if (text.size() == 1 && text[0] >= '0' && text[0] <= '7') return text[0] - '0';
    for (int i = 0; i < 8; ++i)
        if (text == kPriorityNames[i]) return i;
    // The other spellings syslog and journalctl accept.
    if (text == "panic") return 0;
    if (text == "error") return 3;
    if (text == "warn") return 4;
    return std::nullopt;
}

const char* priority_name(int priority) {
    return priority >= 0 && priority < 8 ? kPriorityNames[priority] : "unknown";
}

}  // namespace ch::ctl
