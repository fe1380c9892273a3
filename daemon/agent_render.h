// Puts an agent-mode job's activity summary (agent_activity.h) into an answer as a top-level
// "agent" member, beside the text rather than in it. Other jobs' answers pass unchanged.
#pragma once

#include <string>

#include "daemon/job.h"

namespace ch {

// A JSON object (a completion, a message, a job) with "agent" added.
std::string with_agent_summary(const std::string& json_text, const Job& job);

// One Server-Sent Event ("[event: NAME\n]data: {...}\n\n") whose data gets "agent".
std::string sse_with_agent_summary(const std::string& event, const Job& job);

}  // namespace ch
