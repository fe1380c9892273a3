// What an agent-mode request asks for: its working directory (header
// X-Claude-Working-Directory, or body member "cwd") and extra directories (body member
// "add_dirs"), checked against the model's allowed roots before the job is submitted.
#pragma once

#include <optional>
#include <string>

#include <httplib.h>

#include "common/config.h"
#include "daemon/job.h"

namespace ch {

constexpr const char* kWorkingDirectoryHeader = "X-Claude-Working-Directory";

struct AgentAdmission {
    std::optional<AgentRun> run;  // set for an agent model when status is 0
    int status = 0;               // 400 when refused
    std::string message;
    std::string param;
};

// For a model without agent mode any directory is refused; for an agent model the directory
// (or the model's default_directory) must resolve within its allowed roots, and sessions are
// refused (a session's transcript lives in its own directory), and so are client-defined
// tools (the CLI's own tools answer in an agent run; a call would never come back).
AgentAdmission admit_agent(const httplib::Request& req, const ModelConfig& model,
                           bool session_requested, bool tools_offered);

}  // namespace ch
