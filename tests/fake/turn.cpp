// fake-claude: one turn, from the user message to the result line, with the
// scenario options applied at each step.
#include "fake.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <utility>

namespace fake {

// Handles an abort while no stream event was written yet.
void Fake::abort_before_stream(Abort a) {
    if (a == Abort::Sigint) std::exit(0);  // SIGINT while waiting for headers: rc 0, no result
    emit_interrupted(false, "");
}

void Fake::run_turn(const ojson& msg) {
    turn_start_ = Clock::now();
    ++request_counter_;
    const ojson content = msg.contains("message") && msg["message"].contains("content")
                              ? msg["message"]["content"]
                              : ojson("");
    turn_content_ = content;

    Options o;
    // Markers from the environment first (a provider's env), then the prompt's.
    if (const char* env = std::getenv("FAKE_CLAUDE_MARKERS"))
        parse_markers("FAKE[" + std::string(env) + "]", o);
    // A resumed session's earlier user turns count too: the real CLI sends them upstream.
    for (const auto& earlier : history_)
        if (earlier["role"] == "user" && earlier["content"].is_string())
            parse_markers(earlier["content"].get<std::string>(), o);
    if (content.is_string()) {
        parse_markers(content.get<std::string>(), o);
    } else if (content.is_array()) {
        for (const auto& block : content)
            if (block.is_object() && block.contains("text") && block["text"].is_string())
                parse_markers(block["text"].get<std::string>(), o);
    }

    if (o.has("ignore_signals")) {
        ignore_signals_ = true;
        signal(SIGINT, SIG_IGN);
        signal(SIGTERM, SIG_IGN);
    }

    if (o.has("hang_before_init")) {
        for (;;) {
            const Abort a = pause(-1);
            if (a == Abort::Sigint) std::exit(0);
            if (a == Abort::Interrupt) {
                abort_before_stream(a);
                return;
            }
        }
    }

    if (o.has("grandchild")) spawn_grandchild(false);
    if (o.has("grandchild_setsid")) spawn_grandchild(true);

    if (o.has("stderr_flood")) {
        const std::string chunk(64 * 1024, 'E');
        std::string line = chunk;
        line.back() = '\n';
        for (int i = 0; i < 32; ++i)
            write_stderr(line);  // 2 MiB
    }

    if (o.has("slow_start_ms")) {
        const Abort a = pause(o.num("slow_start_ms", 0));
        if (a != Abort::None) {
            abort_before_stream(a);
            return;
        }
    }

    if (o.has("garbage")) emit({{"type", "bogus_future_event"}});
    emit(init_line());
    if (o.has("garbage")) {
        emit({{"type", "system"},
              {"subtype", "some_future_subtype"},
              {"detail", {{"x", 1}}},
              {"uuid", uuid4()},
              {"session_id", session_id_}});
        emit({{"type", "rate_limit_event"},
              {"rate_limit_info", {{"status", "allowed"}, {"isUsingOverage", false}}},
              {"uuid", uuid4()},
              {"session_id", session_id_}});
    }

    if (o.has("exit_silently")) std::exit(0);

    emit_status();

    if (o.has("hang")) {
        for (;;) {
            const Abort a = pause(-1);
            if (a != Abort::None) {
                abort_before_stream(a);
                return;
            }
        }
    }

    if (Abort a = pause(0); a != Abort::None) {
        abort_before_stream(a);
        return;
    }

    if (o.has("usage_limit") || o.has("usage_limit_noreset") || o.has("error")) {
        emit_api_error(error_spec(o));
        return;
    }

    if (o.has("tool_use")) {
        emit_tool_use(o.str("tool_use").empty() ? "Bash" : o.str("tool_use"), o.has("tool_error"));
        emit_status();
    }

    std::optional<ToolCallSpec> tool_call;
    std::string tool_server;
    if (!mcp_config_.empty()) {
        std::string all_text = content.is_string() ? content.get<std::string>() : "";
        if (content.is_array())
            for (const auto& block : content)
                if (block.is_object() && block.contains("text") && block["text"].is_string())
                    all_text += block["text"].get<std::string>();
        tool_call = find_tool_call(all_text);
        if (tool_call) {
            if (const std::string bad = check_tool_server(tool_call->name, tool_server);
                !bad.empty()) {
                emit({{"type", "result"},
                      {"subtype", "error_during_execution"},
                      {"is_error", true},
                      {"errors", {"fake-claude: " + bad}},
                      {"session_id", session_id_},
                      {"uuid", uuid4()}});
                return;
            }
        }
    }

    std::string text;
    std::vector<std::string> deltas;
    choose_reply(o, content, text, deltas);
    const long long delay = o.num("delay_ms", 0);
    const long long crash_after = o.has("crash_after") ? o.num("crash_after", 0) : -1;
    const std::string stop_reason = o.has("max_tokens") ? "max_tokens" : "end_turn";

    message_id_ = "msg_fake_" + std::to_string(++message_counter_);
    ttft_ms_ = ms_since(turn_start_);
    if (partial_) {
        ojson ev = message_start(message_id_);
        ev["ttft_ms"] = ttft_ms_;
        emit(ev);
    }

    std::string streamed;
    auto interrupted = [&](Abort a) {
        emit_interrupted(true, streamed);
        if (a == Abort::Sigint) std::exit(0);
    };

    int text_index = 0;
    if (o.has("thinking")) {
        const std::string thought = "Let me think about this carefully.";
        emit_event(
            {{"type", "content_block_start"},
             {"index", 0},
             {"content_block", {{"type", "thinking"}, {"thinking", ""}, {"signature", ""}}}});
        emit({{"type", "system"},
              {"subtype", "thinking_tokens"},
              {"estimated_tokens", 9},
              {"estimated_tokens_delta", 9},
              {"uuid", uuid4()},
              {"session_id", session_id_}});
        emit_event({{"type", "content_block_delta"},
                    {"index", 0},
                    {"delta", {{"type", "thinking_delta"}, {"thinking", thought}}}});
        emit_event({{"type", "content_block_delta"},
                    {"index", 0},
                    {"delta", {{"type", "signature_delta"}, {"signature", "sig_fake"}}}});
        emit(assistant_line(
            message_id_,
            ojson::array(
                {{{"type", "thinking"}, {"thinking", thought}, {"signature", "sig_fake"}}}),
            base_usage(1)));
        emit_event({{"type", "content_block_stop"}, {"index", 0}});
        text_index = 1;
        if (Abort a = pause(0); a != Abort::None) return interrupted(a);
    }

    emit_event({{"type", "content_block_start"},
                {"index", text_index},
                {"content_block", {{"type", "text"}, {"text", ""}}}});
    if (Abort a = pause(0); a != Abort::None) return interrupted(a);

    if (o.has("resend")) {
        emit_event({{"type", "content_block_delta"},
                    {"index", text_index},
                    {"delta", {{"type", "text_delta"}, {"text", "Hello "}}}});
        streamed = "Hello ";
        if (Abort a = pause(delay); a != Abort::None) return interrupted(a);
        const std::string full = "Hello from the fake.";
        message_id_ = "msg_fake_" + std::to_string(++message_counter_);
        ojson m =
            assistant_line(message_id_, ojson::array({{{"type", "text"}, {"text", full}}}),
                           full_usage(kInputTokens, kCacheCreation, kCacheRead, kOutputTokens));
        m["message"]["stop_reason"] = stop_reason;
        emit(m);
        emit_success_result(full, stop_reason, true);
        return;
    }

    for (std::size_t i = 0; i < deltas.size(); ++i) {
        if (crash_after >= 0 && static_cast<long long>(i) == crash_after) {
            write_stderr("fake-claude: simulated crash\n");
            _exit(1);
        }
        ojson ev = {{"type", "content_block_delta"},
                    {"index", text_index},
                    {"delta", {{"type", "text_delta"}, {"text", deltas[i]}}}};
        if (o.has("utf8_split") && deltas[i].find('\xE4') != std::string::npos) {
            emit_event_line_split(std::move(ev), "\xE4\xB8\x96");
        } else if (o.has("utf8_split") && deltas[i].find('\xF0') != std::string::npos) {
            emit_event_line_split(std::move(ev), "\xF0\x9F\x8E\x89");
        } else {
            emit_event(std::move(ev));
        }
        streamed += deltas[i];
        const bool last = i + 1 == deltas.size();
        if (Abort a = pause(last ? 0 : delay); a != Abort::None) return interrupted(a);
    }
    if (crash_after >= 0 && static_cast<long long>(deltas.size()) <= crash_after) {
        write_stderr("fake-claude: simulated crash\n");
        _exit(1);
    }

    emit(assistant_line(message_id_, ojson::array({{{"type", "text"}, {"text", text}}}),
                        base_usage(1)));
    emit_event({{"type", "content_block_stop"}, {"index", text_index}});
    if (tool_call) emit_tool_call(*tool_call, tool_server, text_index + 1);
    emit_event({{"type", "message_delta"},
                {"delta", {{"stop_reason", stop_reason}, {"stop_sequence", nullptr}}},
                {"usage", {{"output_tokens", kOutputTokens}}}});
    emit_event({{"type", "message_stop"}});
    // A SIGINT after the response completed: the real CLI still writes the
    // normal result (samples/71c-sigint-midstream-before-delta.log).
    emit_success_result(text, stop_reason, false);
    if (g_sigint && !ignore_signals_) std::exit(0);
}

}  // namespace fake
