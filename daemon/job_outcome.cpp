#include "daemon/job_outcome.h"

#include "common/usage_limit.h"

namespace ch {

JobOutcome failed_outcome(int http_status, std::string code, std::string message,
                          std::optional<long> retry_after) {
    JobOutcome out;
    out.ok = false;
    out.http_status = http_status;
    out.code = std::move(code);
    out.message = std::move(message);
    out.retry_after = retry_after;
    return out;
}

JobOutcome outcome_from_reply(const ReplyOutcome& reply, const LimitsConfig& limits,
                              std::chrono::system_clock::time_point now) {
    if (!reply.is_error) {
        JobOutcome out;
        out.ok = true;
        out.reply = reply;
        return out;
    }
    const std::string text = reply.text.empty() ? "the Claude CLI reported an error" : reply.text;
    const int status = reply.api_error_status.value_or(0);

    // The subscription's 5-hour or weekly limit: not transient, retry when it resets.
    if (is_usage_limit_message(text) || (status == 429 && reply.error_kind == "rate_limit")) {
        const auto retry = seconds_until_reset(text, now);
        const long fallback =
            std::chrono::duration_cast<std::chrono::seconds>(limits.usage_limit_retry_after)
                .count();
        JobOutcome out = failed_outcome(429, "usage_limit", text, retry.value_or(fallback));
        out.reply = reply;
        return out;
    }
    // The provider's login was refused: not the client's fault, and repeating it gets a
    // shared host blocked, so the provider pool counts these.
    if (reply.error_kind == "authentication_failed" ||
        reply.error_kind == "oauth_org_not_allowed" || status == 401 || status == 403 ||
        text.rfind("Not logged in", 0) == 0) {
        JobOutcome out = failed_outcome(503, "auth_failed", "the login was refused: " + text);
        out.reply = reply;
        return out;
    }
    // The request itself was refused upstream (too long, bad image): the client's to fix.
    if (status == 400 || status == 413 || reply.terminal_reason == "prompt_too_long" ||
        reply.error_kind == "invalid_request") {
        JobOutcome out = failed_outcome(400, "invalid_request", text);
        out.reply = reply;
        return out;
    }
    if (reply.error_kind == "max_output_tokens") {
        JobOutcome out = failed_outcome(502, "max_output_tokens", text);
        out.reply = reply;
        return out;
    }
    JobOutcome out = failed_outcome(502, "cli_error", text);
    out.reply = reply;
    return out;
}

}  // namespace ch
