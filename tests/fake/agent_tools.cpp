// fake-claude: the CLI's own tools (agent mode). The tool_use marker: one API message that
// says "Running it." and asks for a tool, the tool's result as the CLI's `user` line, before
// the turn's normal reply (a second API message), as the real CLI shows a tool-using turn
// (samples/09-tool-bash-default-perm.stdout).
#include "fake.hpp"

namespace fake {

void Fake::emit_tool_use(const std::string& tool, bool failed) {
    const std::string id = "msg_fake_" + std::to_string(++message_counter_);
    const std::string tool_id = "toolu_fake_" + std::to_string(message_counter_);
    const std::string said = "Running it.";
    emit_status();
    if (partial_) emit(message_start(id));
    emit_event({{"type", "content_block_start"},
                {"index", 0},
                {"content_block", {{"type", "text"}, {"text", ""}}}});
    emit_event({{"type", "content_block_delta"},
                {"index", 0},
                {"delta", {{"type", "text_delta"}, {"text", said}}}});
    emit(assistant_line(id, ojson::array({{{"type", "text"}, {"text", said}}}), base_usage(1)));
    emit_event({{"type", "content_block_stop"}, {"index", 0}});
    const ojson input = {{"command", "echo tool-ran"}, {"description", "echo"}};
    emit_event(
        {{"type", "content_block_start"},
         {"index", 1},
         {"content_block",
          {{"type", "tool_use"}, {"id", tool_id}, {"name", tool}, {"input", ojson::object()}}}});
    emit_event({{"type", "content_block_delta"},
                {"index", 1},
                {"delta", {{"type", "input_json_delta"}, {"partial_json", dump(input)}}}});
    emit(assistant_line(
        id,
        ojson::array({{{"type", "tool_use"}, {"id", tool_id}, {"name", tool}, {"input", input}}}),
        base_usage(1)));
    emit_event({{"type", "content_block_stop"}, {"index", 1}});
    emit_event({{"type", "message_delta"},
                {"delta", {{"stop_reason", "tool_use"}, {"stop_sequence", nullptr}}},
                {"usage", {{"output_tokens", kOutputTokens}}}});
    emit_event({{"type", "message_stop"}});
    const std::string output = failed ? "tool-failed" : "tool-ran";
    emit({{"type", "user"},
          {"message",
           {{"role", "user"},
            {"content", ojson::array({{{"tool_use_id", tool_id},
                                       {"type", "tool_result"},
                                       {"content", output},
                                       {"is_error", failed}}})}}},
          {"parent_tool_use_id", nullptr},
          {"session_id", session_id_},
          {"uuid", uuid4()},
          {"timestamp", iso_now()},
          {"tool_use_result",
           {{"stdout", output},
            {"stderr", ""},
            {"interrupted", false},
            {"isImage", false},
            {"noOutputExpected", false}}}});
}

}  // namespace fake
