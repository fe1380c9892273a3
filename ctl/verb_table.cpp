#include "ctl/verbs.h"

namespace ch::ctl {

namespace {

constexpr Verb kVerbs[] = {
    {"status", "", "Show the daemon's state, providers, models and counters", verb_status},
    {"jobs", "", "List queued and running jobs", verb_jobs},
    {"sessions", "", "List the conversations kept for X-Claude-Session", verb_sessions},
    {"cancel", "ID", "Cancel a queued or running job", verb_cancel},
    {"reload", "", "Make the daemon re-read its configuration", verb_reload},
    {"test", "[--model M] [--prompt P]", "Send one chat completion through the daemon", verb_test},
    {"install", "[--user USER] [--claude PATH] [--docker] [--port N]",
     "Set the service up for a user's Claude login", verb_install},
    {"uninstall", "", "Undo install", verb_uninstall},
    {"check-config", "[PATH]", "Validate a configuration file", verb_check_config},
    {"doctor", "[--config PATH]", "Check the installation without the daemon", verb_doctor},
    {"logs", "[-f] [-n N] [--since T] [-p P]", "Show the daemon's journal entries", verb_logs},
    {"usage", "[--since T] [--by G] [--file F]", "Show requests, tokens and cost from the ledger",
     verb_usage},
};

}  // namespace

std::span<const Verb> all_verbs() {
    return kVerbs;
}

}  // namespace ch::ctl
