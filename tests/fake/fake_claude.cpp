// fake-claude: a deterministic test double of the Claude Code CLI 2.1.197 in
// headless stream-json mode, i.e. what claude-harnessd runs as
//
//   claude -p --input-format stream-json --output-format stream-json --verbose
//          --include-partial-messages --tools "" ... (prompt on stdin)
//
// The line shapes, their order, the signal behaviour and the error texts
// follow the real CLI's observed output (the transcripts in tests/data/cli/).
//
// Protocol
//   * `--version` (or -v) prints "2.1.197 (Claude Code)\n" and exits 0.
//   * Nothing is printed until the first {"type":"user"} line arrives.
//   * control_request lines are answered with a success control_response;
//     `initialize` stores request.systemPrompt (string, or array of strings
//     joined with "\n\n"); `set_model` changes the model (first writing the
//     isReplay user line "<local-command-stdout>Set model to ..."); `interrupt` aborts the
//     running turn (partial assistant, "[Request interrupted by user]", result
//     error_during_execution) and the process stays usable.
//   * A line that is not JSON: stderr "Error parsing streaming input line: ...",
//     exit 1.  A user line whose role is not "user": stderr
//     "Error: Expected message role 'user', got '<role>'", exit 1.  Valid JSON
//     that is not an object, unknown types and blank lines are ignored.
//   * Every user line runs one turn (system/init ... result).  User lines that
//     arrive during a turn are queued.  On stdin EOF the process exits: rc 1 if
//     the last result was an API error (is_error with api_error_status), else 0.
//   * stream_event and system/status lines are only written with
//     --include-partial-messages (like the real CLI).
//
// Sessions: --session-id <uuid> starts one (refused if its transcript exists), --resume <id>
// continues one (stderr "No conversation found with session ID: <id>", exit 1, when there is
// no transcript for this working directory), --no-session-persistence writes nothing.
//
// Default turn: message id msg_fake_<n> (msg_fake_1 for the first message of
// the process), usage input 11 / cache_creation 17 / cache_read 13 / output 1
// in message_start and assistant, output 5 in message_delta and result.  Text
// "Hello from the fake." as deltas "Hello", " from", " the", " fake.".
//
// Scenario markers: FAKE[opt,opt=value,...] anywhere in the user content
// (string content, or the text of any text block of array content).  Several
// markers are merged.
//   Markers in $FAKE_CLAUDE_MARKERS (e.g. "usage_limit, error=401", without FAKE[])
//   apply to every turn, before the prompt's own.
//   echo               reply = the content as received (string: the string;
//                      array: the compact JSON dump of the array)
//   echo_system        reply = the system prompt (initialize.systemPrompt, else
//                      --system-prompt, else "<none>")
//   echo_model         reply = the model of the turn (as in its system/init)
//   echo_history       reply = JSON array of the messages the turn would send upstream:
//                      the session's stored turns ({role, content}) and this user message
//   echo_env=NAME      reply = getenv(NAME) or "<unset>"
//   echo_identity      reply = JSON {uid,gid,groups,cwd,pgid,pid,ppid,sid,fds,
//                      argv,env}
//   delay_ms=N         N ms after each text delta except the last
//   slow_start_ms=N    N ms before system/init
//   hang               after init (and status) write nothing more, wait for a
//                      signal (a control interrupt also ends the turn)
//   hang_before_init   write nothing at all, wait for a signal
//   ignore_signals     SIGINT/SIGTERM ignored, control interrupts ignored
//   grandchild         fork a child (same process group, keeps stdout/stderr
//                      open, sleeps 300 s) before answering
//   grandchild_setsid  the same, but the child calls setsid() first
//   tool_use[=NAME]    before the reply, an API message saying "Running it." that asks for
//                      tool NAME (default Bash), then that tool's result as a `user` line
//   tool_error         with tool_use: the tool's result is an error
//   crash_after=K      after K text deltas: stderr
//                      "fake-claude: simulated crash\n", _exit(1), no result
//   exit_silently      after init: exit 0, no result
//   usage_limit        synthetic assistant (error rate_limit) + result
//                      is_error, api_error_status 429,
//                      "You've hit your session limit · resets 4pm (UTC)"
//   usage_limit=TIME   the same, resetting at TIME instead ("5pm", "4:30pm")
//   usage_limit_noreset  the same with "You've hit your weekly limit"
//   error=STATUS       synthetic assistant + result is_error with the CLI's
//                      text for STATUS (400 401 403 404 413 429 500 529 ...)
//   utf8_split         reply "héllo 世界 🎉 ok"; the delta lines holding "世界"
//                      and "🎉" are written in two write() calls 50 ms apart,
//                      split inside a multi-byte character
//   big=N              reply of exactly N ASCII bytes (the 45-byte pattern
//                      "The quick brown fox jumps over the lazy dog. "
//                      repeated and cut), deltas of 16 KiB
//   resend             message_start msg_fake_1, delta "Hello ", then an
//                      assistant line with id msg_fake_2 and the full text,
//                      then result (usage zero, like samples/55)
//   max_tokens         stop_reason "max_tokens" in message_delta and result
//   garbage            {"type":"bogus_future_event"} before init, an unknown
//                      system subtype and a rate_limit_event after it
//   stderr_flood       2 MiB to stderr before answering
//   thinking           a thinking block (thinking_delta, signature_delta)
//                      before the text block
//   tool_call=NAME:{json}  with --mcp-config: after the text, a tool_use block calling
//                      mcp__<server>__NAME with that input (three input_json_delta
//                      fragments), stop_reason tool_use, then wait for a signal; first
//                      the server is started and must list NAME, else an error result
//                      (see tools.cpp). Ignored when a role="tool_result" turn follows it.
//
// Signals (like the real CLI): SIGTERM -> _exit(143) at once, no result;
// SIGHUP -> _exit(129); SIGINT while streaming -> partial assistant, user
// "[Request interrupted by user]", result error_during_execution, exit 0;
// SIGINT before the first stream event or while idle -> exit 0, nothing more.
// SIGINT is delivered through a self-pipe; every wait is a poll() on it.
//
// FAKE_CLAUDE_PID_DIR: when set, <dir>/<pid> is created at start and for each
// grandchild; the files are never removed.

#include "fake.hpp"

#include <unistd.h>

#include <cstring>

namespace fake {

Fake::Fake(int argc, char** argv) : t_start_(Clock::now()) {
    for (int i = 0; i < argc; ++i)
        argv_.emplace_back(argv[i]);
    for (std::size_t i = 1; i < argv_.size(); ++i) {
        const std::string& a = argv_[i];
        auto take = [&](const char* name, std::string& dst) {
            const std::string n = name;
            if (a == n && i + 1 < argv_.size()) {
                dst = argv_[++i];
                return true;
            }
            if (a.rfind(n + "=", 0) == 0) {
                dst = a.substr(n.size() + 1);
                return true;
            }
            return false;
        };
        std::string v;
        if (take("--model", v)) {
            model_arg_ = v;
            continue;
        }
        if (take("--system-prompt", v)) {
            argv_system_prompt_ = v;
            continue;
        }
        if (take("--output-format", v)) {
            output_format_ = v;
            continue;
        }
        if (take("--input-format", v)) {
            input_format_ = v;
            continue;
        }
        if (take("--mcp-config", v)) {
            mcp_config_ = v;
            continue;
        }
        if (take("--resume", v)) {
            resume_id_ = v;
            continue;
        }
        if (take("--session-id", v)) {
            new_session_id_ = v;
            continue;
        }
        if (a == "--no-session-persistence") no_persistence_ = true;
        if (a == "--verbose") verbose_ = true;
        if (a == "--include-partial-messages") partial_ = true;
    }
    set_model(model_arg_);
    session_id_ = uuid4();
}

int Fake::run() {
    if (input_format_ == "stream-json" && output_format_ != "stream-json") {
        write_stderr("Error: --input-format=stream-json requires output-format=stream-json.\n");
        return 1;
    }
    if (output_format_ == "stream-json" && !verbose_) {
        write_stderr("Error: When using --print, --output-format=stream-json requires --verbose\n");
        return 1;
    }
    if (partial_ && output_format_ != "stream-json") {
        write_stderr(
            "Error: --include-partial-messages requires --print and "
            "--output-format=stream-json.\n");
        return 1;
    }
    if (input_format_ != "stream-json" || output_format_ != "stream-json") {
        write_stderr(
            "fake-claude: only --input-format stream-json --output-format stream-json is "
            "supported\n");
        return 2;
    }

    if (const int rc = open_session()) return rc;
    for (;;) {
        std::optional<ojson> msg = next_user_message();
        if (!msg) return last_result_api_error_ ? 1 : 0;
        run_turn(*msg);
    }
}

void Fake::set_model(const std::string& m) {
    if (m.empty() || m == "default") {
        init_model_ = "claude-opus-4-8[1m]";
    } else if (m == "sonnet" || m == "opusplan") {
        init_model_ = "claude-sonnet-5";
    } else if (m == "opus" || m == "best") {
        init_model_ = "claude-opus-4-8";
    } else if (m == "haiku") {
        init_model_ = "claude-haiku-4-5-20251001";
    } else if (m == "fable") {
        init_model_ = "claude-fable-5";
    } else {
        init_model_ = m;
    }
    api_model_ = init_model_;
    const auto p = api_model_.find("[1m]");
    if (p != std::string::npos) api_model_.erase(p, 4);
}

}  // namespace fake

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--version") == 0 || std::strcmp(argv[i], "-v") == 0) {
            fake::write_stdout_raw("2.1.197 (Claude Code)\n");
            return 0;
        }
    }
    fake::setup_signals();
    fake::record_pid(getpid());
    fake::Fake fake(argc, argv);
    return fake.run();
}
