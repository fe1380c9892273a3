// Every verb of claude-harnessctl. A verb is one function in its own verb_<name>.cpp plus one
// entry in the table (verb_table.cpp). argv[0] is the verb's name; each verb parses its own
// options (see verb_options.h) and returns an exit status from exit_codes.h.
#pragma once

#include <span>

namespace ch::ctl {

int verb_cancel(int argc, char** argv);
int verb_check_config(int argc, char** argv);
int verb_doctor(int argc, char** argv);
int verb_install(int argc, char** argv);
int verb_jobs(int argc, char** argv);
int verb_sessions(int argc, char** argv);
int verb_logs(int argc, char** argv);
int verb_reload(int argc, char** argv);
int verb_status(int argc, char** argv);
int verb_test(int argc, char** argv);
int verb_uninstall(int argc, char** argv);
int verb_usage(int argc, char** argv);

struct Verb {
    const char* name;
    const char* args;     // synopsis after the name, for the overview
    const char* summary;  // one line
    int (*run)(int argc, char** argv);
};

// In the order the overview lists them.
std::span<const Verb> all_verbs();

}  // namespace ch::ctl
