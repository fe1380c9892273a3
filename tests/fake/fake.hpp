// Shared declarations of fake-claude, the test double of the Claude Code CLI.
// The protocol and the FAKE[...] markers are documented in fake_claude.cpp.
#pragma once

#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fake {

using ojson = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

constexpr int kInputTokens = 11;
constexpr int kCacheCreation = 17;
constexpr int kCacheRead = 13;
constexpr int kOutputTokens = 5;
constexpr std::size_t kBigChunk = 16 * 1024;

// ----- signals.cpp -----------------------------------------------------------

extern int g_sig_pipe[2];
extern volatile sig_atomic_t g_sigint;

void setup_signals();
void drain_sig_pipe();
void plain_sleep_ms(long long ms);
void record_pid(pid_t pid);

// ----- output.cpp ------------------------------------------------------------

bool write_all(int fd, const char* data, std::size_t len);
void write_stdout_raw(std::string_view s);
void write_stderr(std::string_view s);
std::string dump(const ojson& j);
void emit(const ojson& j);

std::string uuid4();
std::string iso_now();
long long ms_since(Clock::time_point t0);
std::string getcwd_str();
std::string env_or(const char* name, const std::string& dflt);
std::vector<std::string> split_utf8(const std::string& text, std::size_t max_bytes);

// ----- scenarios.cpp ---------------------------------------------------------

struct Options {
    std::map<std::string, std::string> opts;
    bool has(const std::string& k) const { return opts.count(k) != 0; }
    long long num(const std::string& k, long long dflt) const {
        auto it = opts.find(k);
        if (it == opts.end() || it->second.empty()) return dflt;
        try {
            return std::stoll(it->second);
        } catch (...) {
            return dflt;
        }
    }
    std::string str(const std::string& k) const {
        auto it = opts.find(k);
        return it == opts.end() ? std::string() : it->second;
    }
};

// Merges the FAKE[...] markers found in text into o.
void parse_markers(const std::string& text, Options& o);

// ----- tools.cpp -------------------------------------------------------------

struct ToolCallSpec {
    std::string name;  // without the MCP prefix
    ojson input;
};
// The FAKE[tool_call=NAME:{json}] asked for in `text`, if still unanswered.
std::optional<ToolCallSpec> find_tool_call(const std::string& text);

// ----- the fake CLI ------------------------------------------------------------

enum class Abort { None, Sigint, Interrupt };

struct ErrorSpec {
    int status = 0;
    std::string text;
    std::string kind;
    std::string terminal_reason = "completed";
    bool retried = false;
};

class Fake {
  public:
    Fake(int argc, char** argv);  // fake_claude.cpp
    int run();

  private:
    // ----- input.cpp ------------------------------------------------------------
    void process_lines();
    void handle_line(const std::string& raw);
    void handle_control(const ojson& j);
    void read_stdin_once();
    Abort pause(long long timeout_ms, bool until_input = false);
    bool poll_ready();
    std::optional<ojson> next_user_message();

    // ----- fake_claude.cpp: model ----------------------------------------------
    void set_model(const std::string& m);

    // ----- scenarios.cpp -------------------------------------------------------
    std::string effective_system_prompt() const;
    std::string identity_json() const;
    ErrorSpec error_spec(const Options& o) const;
    void choose_reply(const Options& o, const ojson& content, std::string& text,
                      std::vector<std::string>& deltas);

    // ----- protocol.cpp: line builders -----------------------------------------
    ojson base_usage(int output) const;
    static ojson full_usage(int input, int cc, int cr, int output);
    ojson init_line() const;
    void emit_status();
    ojson stream_event(ojson event) const;
    // The message_start event of API message `id`, as its stream_event line.
    ojson message_start(const std::string& id) const;
    void emit_event(ojson event);
    void emit_event_line_split(ojson event, std::string_view split_before);
    void plain_pause_ms(long long ms);
    ojson assistant_line(const std::string& id, ojson content, ojson usage) const;
    ojson model_usage() const;
    void account_usage();
    void emit_success_result(const std::string& text, const std::string& stop_reason,
                             bool zero_usage);
    void emit_interrupted(bool streaming, const std::string& partial_text);
    void emit_api_error(const ErrorSpec& e);

    // ----- tools.cpp -------------------------------------------------------------
    std::string check_tool_server(const std::string& name, std::string& server);
    [[noreturn]] void emit_tool_call(const ToolCallSpec& call, const std::string& server,
                                     int index);

    // ----- signals.cpp -----------------------------------------------------------
    void spawn_grandchild(bool new_session);
    void emit_tool_use(const std::string& tool, bool failed);  // tools.cpp

    // ----- session.cpp -----------------------------------------------------------
    int open_session();  // 0, or the exit status after an error like the CLI's
    ojson upstream_messages(const ojson& content) const;  // what the turn would send upstream
    void record_turn(const std::string& reply);

    // ----- turn.cpp --------------------------------------------------------------
    void abort_before_stream(Abort a);
    void run_turn(const ojson& msg);

    struct ModelUsage {
        long long input = 0, output = 0, cache_read = 0, cache_creation = 0;
        double cost = 0;
    };

    std::vector<std::string> argv_;
    std::string model_arg_;
    std::optional<std::string> argv_system_prompt_;
    std::optional<std::string> system_prompt_;
    std::string output_format_ = "text";
    std::string input_format_ = "text";
    bool verbose_ = false;
    bool partial_ = false;
    std::string init_model_;
    std::string api_model_;
    std::string session_id_;
    std::string mcp_config_;  // --mcp-config: "" = none
    int tool_server_in_ = -1;
    std::string resume_id_;
    std::string new_session_id_;
    bool no_persistence_ = false;
    std::string transcript_;  // "" = not persisted
    ojson history_ = ojson::array();
    ojson turn_content_;

    std::string inbuf_;
    std::size_t scan_pos_ = 0;
    bool stdin_eof_ = false;
    std::deque<ojson> queued_;
    bool interrupt_requested_ = false;
    bool ignore_signals_ = false;

    Clock::time_point t_start_;
    Clock::time_point turn_start_;
    long long ttft_ms_ = 0;
    long long api_ms_ = 0;
    int request_counter_ = 0;
    int message_counter_ = 0;
    std::string message_id_;
    double total_cost_ = 0;
    std::map<std::string, ModelUsage> model_usage_;
    bool last_result_api_error_ = false;
};

}  // namespace fake
