#include "ctl/verbs.h"

namespace ch::ctl {

namespace {

constexpr Verb kVerbs[] = {
    {"check-config", "[PATH]", "Validate a configuration file", verb_check_config},
    {"doctor", "[--config PATH]", "Check the installation without the daemon", verb_doctor},
    {"logs", "[-f] [-n N] [--since T] [-p P]", "Show the daemon's journal entries", verb_logs},
};

}  // namespace

std::span<const Verb> all_verbs() {
    return kVerbs;
}

}  // namespace ch::ctl
