// fake-claude: protocol.  Builds and writes the stream-json lines of a turn
// (system/init, stream_event, assistant, user, result, api_retry) with the
// field order and usage figures of the real CLI.
#include "fake.hpp"

#include <poll.h>

#include <cctype>
#include <cstdlib>
#include <utility>

namespace fake {

ojson Fake::base_usage(int output) const {
    return {{"input_tokens", kInputTokens},
            {"output_tokens", output},
            {"cache_creation_input_tokens", kCacheCreation},
            {"cache_read_input_tokens", kCacheRead}};
}

ojson Fake::full_usage(int input, int cc, int cr, int output) {
    return {
        {"input_tokens", input},
        {"cache_creation_input_tokens", cc},
        {"cache_read_input_tokens", cr},
        {"output_tokens", output},
        {"server_tool_use", {{"web_search_requests", 0}, {"web_fetch_requests", 0}}},
        {"service_tier", "standard"},
        {"cache_creation", {{"ephemeral_1h_input_tokens", 0}, {"ephemeral_5m_input_tokens", 0}}},
        {"inference_geo", ""},
        {"iterations", ojson::array()},
        {"speed", "standard"}};
}

ojson Fake::init_line() const {
    const std::string cwd = getcwd_str();
    std::string slug = cwd;
    for (char& c : slug)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '-';
    const std::string home = env_or("HOME", "/root");
    const bool api_key = std::getenv("ANTHROPIC_API_KEY") != nullptr;
    return {
        {"type", "system"},
        {"subtype", "init"},
        {"cwd", cwd},
        {"session_id", session_id_},
        {"tools", ojson::array()},
        {"mcp_servers", ojson::array()},
        {"model", init_model_},
        {"permissionMode", "default"},
        {"slash_commands", {"clear", "compact", "config", "context", "init", "review", "usage"}},
        {"apiKeySource", api_key ? "ANTHROPIC_API_KEY" : "none"},
        {"claude_code_version", "2.1.197"},
        {"output_style", "default"},
        {"agents", {"claude", "Explore", "general-purpose", "Plan", "statusline-setup"}},
        {"skills", ojson::array()},
        {"plugins", ojson::array()},
        {"analytics_disabled", true},
        {"product_feedback_disabled", true},
        {"uuid", uuid4()},
        {"memory_paths", {{"auto", home + "/.claude/projects/" + slug + "/memory/"}}},
        {"fast_mode_state", "off"}};
}

void Fake::emit_status() {
    if (!partial_) return;
    emit({{"type", "system"},
          {"subtype", "status"},
          {"status", "requesting"},
          {"uuid", uuid4()},
          {"session_id", session_id_}});
}

ojson Fake::stream_event(ojson event) const {
    return {{"type", "stream_event"},
            {"event", std::move(event)},
            {"session_id", session_id_},
            {"parent_tool_use_id", nullptr},
            {"uuid", uuid4()}};
}

ojson Fake::message_start(const std::string& id) const {
    return stream_event({{"type", "message_start"},
                         {"message",
                          {{"id", id},
                           {"type", "message"},
                           {"role", "assistant"},
                           {"model", api_model_},
                           {"content", ojson::array()},
                           {"stop_reason", nullptr},
                           {"stop_sequence", nullptr},
                           {"usage", base_usage(1)}}}});
}

void Fake::emit_event(ojson event) {
    if (!partial_) return;
    emit(stream_event(std::move(event)));
}

void Fake::emit_event_line_split(ojson event, std::string_view split_before) {
    if (!partial_) return;
    std::string line = dump(stream_event(std::move(event)));
    line.push_back('\n');
    std::size_t at = line.find(split_before);
    if (at == std::string::npos) {
        write_stdout_raw(line);
        return;
    }
    at += 1;  // inside the first multi-byte character of split_before
    write_stdout_raw(std::string_view(line).substr(0, at));
    plain_pause_ms(50);
    write_stdout_raw(std::string_view(line).substr(at));
}

// A pause that does not abort the half-written line; a SIGINT is kept
// pending (g_sigint stays set) and handled at the next check.
void Fake::plain_pause_ms(long long ms) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(ms);
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return;
        pollfd p{g_sig_pipe[0], POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left)) > 0) drain_sig_pipe();
    }
}

ojson Fake::assistant_line(const std::string& id, ojson content, ojson usage) const {
    return {{"type", "assistant"},
            {"message",
             {{"id", id},
              {"type", "message"},
              {"role", "assistant"},
              {"model", api_model_},
              {"content", std::move(content)},
              {"stop_reason", nullptr},
              {"stop_sequence", nullptr},
              {"usage", std::move(usage)},
              {"context_management", nullptr}}},
            {"parent_tool_use_id", nullptr},
            {"session_id", session_id_},
            {"uuid", uuid4()},
            {"request_id", "req_fake_" + std::to_string(request_counter_)}};
}

ojson Fake::model_usage() const {
    ojson mu = ojson::object();
    for (const auto& [model, u] : model_usage_) {
        mu[model] = {{"inputTokens", u.input},
                     {"outputTokens", u.output},
                     {"cacheReadInputTokens", u.cache_read},
                     {"cacheCreationInputTokens", u.cache_creation},
                     {"webSearchRequests", 0},
                     {"costUSD", u.cost},
                     {"contextWindow", model.find("[1m]") != std::string::npos ? 1000000 : 200000},
                     {"maxOutputTokens", 64000}};
    }
    return mu;
}

void Fake::account_usage() {
    // $3 / $15 per MTok, cache read 0.1x, cache write 1.25x.
    const double cost =
        (kInputTokens * 3.0 + kOutputTokens * 15.0 + kCacheRead * 0.3 + kCacheCreation * 3.75) /
        1e6;
    auto& u = model_usage_[init_model_];
    u.input += kInputTokens;
    u.output += kOutputTokens;
    u.cache_read += kCacheRead;
    u.cache_creation += kCacheCreation;
    u.cost += cost;
    total_cost_ += cost;
    api_ms_ += ms_since(turn_start_);
}

void Fake::emit_success_result(const std::string& text, const std::string& stop_reason,
                               bool zero_usage) {
    const long long dur = ms_since(turn_start_);
    account_usage();
    const ojson usage = zero_usage
                            ? full_usage(0, 0, 0, 0)
                            : full_usage(kInputTokens, kCacheCreation, kCacheRead, kOutputTokens);
    emit({{"type", "result"},
          {"subtype", "success"},
          {"is_error", false},
          {"api_error_status", nullptr},
          {"duration_ms", dur},
          {"duration_api_ms", api_ms_},
          {"ttft_ms", ttft_ms_},
          {"ttft_stream_ms", ttft_ms_},
          {"time_to_request_ms", 1},
          {"num_turns", 1},
          {"result", text},
          {"stop_reason", stop_reason},
          {"session_id", session_id_},
          {"total_cost_usd", total_cost_},
          {"usage", usage},
          {"modelUsage", model_usage()},
          {"permission_denials", ojson::array()},
          {"terminal_reason", "completed"},
          {"fast_mode_state", "off"},
          {"uuid", uuid4()}});
    last_result_api_error_ = false;
    record_turn(text);
}

void Fake::emit_interrupted(bool streaming, const std::string& partial_text) {
    if (streaming) {
        ojson content = ojson::array();
        content.push_back({{"type", "text"}, {"text", partial_text}});
        emit(assistant_line(message_id_, content, base_usage(1)));
    }
    emit({{"type", "user"},
          {"message",
           {{"role", "user"},
            {"content",
             ojson::array({{{"type", "text"}, {"text", "[Request interrupted by user]"}}})}}},
          {"parent_tool_use_id", nullptr},
          {"session_id", session_id_},
          {"uuid", uuid4()},
          {"timestamp", iso_now()}});
    emit(
        {{"type", "result"},
         {"subtype", "error_during_execution"},
         {"duration_ms", ms_since(turn_start_)},
         {"duration_api_ms", 0},
         {"is_error", true},
         {"num_turns", 2},
         {"stop_reason", nullptr},
         {"session_id", session_id_},
         {"total_cost_usd", total_cost_},
         {"usage", full_usage(0, 0, 0, 0)},
         {"modelUsage", ojson::object()},
         {"permission_denials", ojson::array()},
         {"terminal_reason", "aborted_streaming"},
         {"fast_mode_state", "off"},
         {"uuid", uuid4()},
         {"errors", {"[ede_diagnostic] result_type=user last_content_type=n/a stop_reason=null"}}});
    last_result_api_error_ = false;
}

void Fake::emit_api_error(const ErrorSpec& e) {
    if (e.retried) {
        for (int attempt = 1; attempt <= 2; ++attempt) {
            emit({{"type", "system"},
                  {"subtype", "api_retry"},
                  {"attempt", attempt},
                  {"max_retries", 2},
                  {"retry_delay_ms", 0.5 * attempt},
                  {"error_status", e.status},
                  {"error", e.status == 529 ? "overloaded" : e.kind},
                  {"session_id", session_id_},
                  {"uuid", uuid4()}});
        }
    }
    ojson usage = {
        {"input_tokens", 0},
        {"output_tokens", 0},
        {"cache_creation_input_tokens", 0},
        {"cache_read_input_tokens", 0},
        {"server_tool_use", {{"web_search_requests", 0}, {"web_fetch_requests", 0}}},
        {"service_tier", nullptr},
        {"cache_creation", {{"ephemeral_1h_input_tokens", 0}, {"ephemeral_5m_input_tokens", 0}}},
        {"inference_geo", nullptr},
        {"iterations", nullptr},
        {"speed", nullptr}};
    emit({{"type", "assistant"},
          {"message",
           {{"id", uuid4()},
            {"container", nullptr},
            {"model", "<synthetic>"},
            {"role", "assistant"},
            {"stop_details", nullptr},
            {"stop_reason", "stop_sequence"},
            {"stop_sequence", ""},
            {"type", "message"},
            {"usage", usage},
            {"content", ojson::array({{{"type", "text"}, {"text", e.text}}})},
            {"context_management", nullptr}}},
          {"parent_tool_use_id", nullptr},
          {"session_id", session_id_},
          {"uuid", uuid4()},
          {"error", e.kind},
          {"request_id", "req_fake_" + std::to_string(request_counter_)}});
    emit({{"type", "result"},
          {"subtype", "success"},
          {"is_error", true},
          {"api_error_status", e.status},
          {"duration_ms", ms_since(turn_start_)},
          {"duration_api_ms", 0},
          {"num_turns", 1},
          {"result", e.text},
          {"stop_reason", "stop_sequence"},
          {"session_id", session_id_},
          {"total_cost_usd", total_cost_},
          {"usage", full_usage(0, 0, 0, 0)},
          {"modelUsage", ojson::object()},
          {"permission_denials", ojson::array()},
          {"terminal_reason", e.terminal_reason},
          {"fast_mode_state", "off"},
          {"uuid", uuid4()}});
    last_result_api_error_ = true;
}

}  // namespace fake
