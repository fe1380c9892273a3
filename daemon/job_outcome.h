// What a finished CLI run means for the client: success, or an HTTP status with a message
// the client can act on (never a stack of internals).
#pragma once

#include <chrono>
#include <string>

#include "common/config.h"
#include "common/reply_assembler.h"
#include "daemon/job.h"

namespace ch {

// The CLI produced a result line.
JobOutcome outcome_from_reply(const ReplyOutcome& reply, const LimitsConfig& limits,
                              std::chrono::system_clock::time_point now);

// The job did not produce an answer for a reason of the daemon's own.
JobOutcome failed_outcome(int http_status, std::string code, std::string message,
                          std::optional<long> retry_after = std::nullopt);

}  // namespace ch
