// claude-harnessctl: the control client. Global options, then dispatch to one verb.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "common/version.h"
#include "ctl/exit_codes.h"
#include "ctl/verbs.h"

namespace ch::ctl {
namespace {

void print_usage(std::FILE* out) {
    std::fputs(
        "Usage: claude-harnessctl [--help] [--version] VERB [OPTIONS] [ARGS]\n"
        "\n"
        "Verbs:\n",
        out);
    for (const Verb& v : all_verbs()) {
        const std::string synopsis = std::string(v.name) + " " + v.args;
        std::fprintf(out, "  %-40s %s\n", synopsis.c_str(), v.summary);
    }
    std::fputs(
        "\n"
        "Every verb takes --help; verbs that print data take --json.\n"
        "\n"
        "Exit status:\n"
        "  0  ok\n"
        "  1  failure (the reason is on stderr), or a check failed\n"
        "  2  usage error\n"
        "  3  the daemon is not running\n"
        "  4  the daemon is running but not ready\n",
        out);
}

const Verb* find_verb(const char* name) {
    for (const Verb& v : all_verbs())
        if (std::strcmp(v.name, name) == 0) return &v;
    return nullptr;
}

int dispatch(int argc, char** argv) {
    if (argc < 2) {
        print_usage(stderr);
        return kUsage;
    }
    const std::string first = argv[1];
    if (first == "--help" || first == "-h") {
        print_usage(stdout);
        return kOk;
    }
    if (first == "--version") {
        std::printf("claude-harnessctl %s\n", ch::kVersion);
        return kOk;
    }
    const Verb* verb = first.starts_with("-") ? nullptr : find_verb(argv[1]);
    if (!verb) {
        std::fprintf(stderr, "claude-harnessctl: unknown %s '%s'\n\n",
                     first.starts_with("-") ? "option" : "verb", argv[1]);
        print_usage(stderr);
        return kUsage;
    }
    return verb->run(argc - 1, argv + 1);
}

}  // namespace
}  // namespace ch::ctl

int main(int argc, char** argv) {
    try {
        return ch::ctl::dispatch(argc, argv);
    } catch (const std::exception& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "claude-harnessctl: %s\n", e.what());
        return ch::ctl::kFailure;
    }
}
