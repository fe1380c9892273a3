#include "bus_helpers.h"

#include <boost/test/unit_test.hpp>

namespace it {
namespace {

std::vector<std::string> as(const std::string& user, const std::string& groups,
                            std::vector<std::string> argv) {
    if (user.empty()) return argv;
    std::vector<std::string> out{"/usr/bin/setpriv", "--reuid=" + user, "--regid=" + user,
                                 groups.empty() ? "--clear-groups" : "--groups=" + groups};
    if (user == "nobody") out[2] = "--regid=nogroup";
    out.insert(out.end(), argv.begin(), argv.end());
    return out;
}

}  // namespace

BusDaemon::BusDaemon(DaemonOptions options) {
    options.bus = "system";
    options.daemon_env.push_back(bus.env());
    daemon = std::make_unique<Daemon>(std::move(options));
    BOOST_REQUIRE_MESSAGE(daemon->wait_log("bus: serving", 10s),
                          "the daemon did not take its bus name:\n"
                              << daemon->log());
}

CommandResult busctl(const PrivateBus& bus, const std::vector<std::string>& args,
                     const std::string& as_user, const std::string& groups) {
    std::vector<std::string> argv{"/usr/bin/busctl", "--system", "--no-pager"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(as(as_user, groups, argv), {bus.env()});
}

CommandResult dbus_send(const PrivateBus& bus, const std::vector<std::string>& args,
                        const std::string& as_user, const std::string& groups) {
    std::vector<std::string> argv{"/usr/bin/dbus-send", "--system", "--print-reply"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(as(as_user, groups, argv), {bus.env()});
}

std::string get_property(const PrivateBus& bus, const std::string& name) {
    const auto r = busctl(bus, {"get-property", kService, kPath, kInterface, name});
    BOOST_REQUIRE_MESSAGE(r.status == 0, "get-property " << name << ": " << r.err);
    return r.out.substr(0, r.out.find_last_not_of('\n') + 1);
}

std::string wait_line(BackgroundProcess& process, const std::vector<std::string>& needles,
                      std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return "";
        const auto line = process.read_line(left);
        if (!line) return "";
        bool all = true;
        for (const auto& n : needles)
            all = all && line->find(n) != std::string::npos;
        if (all) return *line;
    }
}

}  // namespace it
