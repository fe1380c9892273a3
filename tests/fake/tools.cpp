// fake-claude: client tools offered through --mcp-config. The marker
// FAKE[tool_call=NAME:{json}] makes the model call mcp__<server>__NAME with that input,
// unless a rendered tool result (role="tool_result") follows the marker: then the tool
// has been answered and the turn is a plain reply. Before calling, the fake starts the
// configured server like the CLI does (initialize, notifications/initialized, tools/list)
// and checks that it lists NAME.
#include "fake.hpp"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

namespace fake {

namespace {

// The JSON object starting at text[at] ('{'), by brace matching outside strings.
std::string json_object_at(const std::string& text, std::size_t at) {
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = at; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        if (c == '{') ++depth;
        if (c == '}' && --depth == 0) return text.substr(at, i - at + 1);
    }
    return "";
}

// One line from fd within timeout_ms, or "" on EOF or timeout.
std::string read_line(int fd, std::string& buffer, int timeout_ms) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        if (const auto nl = buffer.find('\n'); nl != std::string::npos) {
            std::string line = buffer.substr(0, nl);
            buffer.erase(0, nl + 1);
            return line;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return "";
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
        char buf[4096];
        const ssize_t got = read(fd, buf, sizeof buf);
        if (got <= 0) return "";
        buffer.append(buf, static_cast<std::size_t>(got));
    }
}

}  // namespace

std::optional<ToolCallSpec> find_tool_call(const std::string& text) {
    const std::string marker = "FAKE[tool_call=";
    const auto at = text.rfind(marker);
    if (at == std::string::npos) return std::nullopt;
    if (text.find("role=\"tool_result\"", at) != std::string::npos) return std::nullopt;
    const auto colon = text.find(':', at);
    const auto brace = text.find('{', at);
    if (colon == std::string::npos || brace != colon + 1) return std::nullopt;
    const std::string input = json_object_at(text, brace);
    if (input.empty()) return std::nullopt;
    ToolCallSpec spec;
    spec.name = text.substr(at + marker.size(), colon - at - marker.size());
    spec.input = ojson::parse(input, nullptr, false);
    if (spec.input.is_discarded()) return std::nullopt;
    return spec;
}

// Starts the configured MCP server and checks that it lists `name`; on success the server
// keeps running (the CLI keeps it until it exits) and `server` is its configured name.
std::string Fake::check_tool_server(const std::string& name, std::string& server) {
    const ojson config = ojson::parse(mcp_config_, nullptr, false);
    if (config.is_discarded() || !config.contains("mcpServers") ||
        !config["mcpServers"].is_object() || config["mcpServers"].empty())
        return "--mcp-config is not a JSON object with mcpServers";
    const auto first = config["mcpServers"].begin();
    server = first.key();
    const ojson& spec = first.value();
    std::vector<std::string> args{spec.value("command", "")};
    for (const auto& a : spec.value("args", ojson::array()))
        args.push_back(a.get<std::string>());
    int to_child[2], from_child[2];
    if (pipe(to_child) != 0 || pipe(from_child) != 0) return "pipe failed";
    const pid_t pid = fork();
    if (pid < 0) return "fork failed";
    if (pid == 0) {
        dup2(to_child[0], 0);
        dup2(from_child[1], 1);
        close(to_child[1]);
        close(from_child[0]);
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    tool_server_in_ = to_child[1];
    const auto send = [&](const ojson& j) {
        const std::string line = dump(j) + "\n";
        return write_all(tool_server_in_, line.data(), line.size());
    };
    std::string buffer;
    send({{"jsonrpc", "2.0"},
          {"id", 0},
          {"method", "initialize"},
          {"params", {{"protocolVersion", "2025-11-25"}, {"capabilities", ojson::object()}}}});
    const ojson init = ojson::parse(read_line(from_child[0], buffer, 5000), nullptr, false);
    if (init.is_discarded() || init["result"]["protocolVersion"] != "2025-11-25")
        return "the tool server did not answer initialize";
    send({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
    send({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/list"}});
    const ojson list = ojson::parse(read_line(from_child[0], buffer, 5000), nullptr, false);
    close(from_child[0]);
    if (list.is_discarded() || !list["result"]["tools"].is_array())
        return "the tool server did not answer tools/list";
    for (const auto& tool : list["result"]["tools"])
        if (tool.value("name", "") == name) return "";
    return "the tool server does not list the tool " + name;
}

// The tool_use block after the text block at index `index`, the end of the message, and
// then waiting like the CLI does while the tool runs (until a signal ends the process).
void Fake::emit_tool_call(const ToolCallSpec& call, const std::string& server, int index) {
    const std::string id = "toolu_fake_" + std::to_string(message_counter_);
    const std::string name = "mcp__" + server + "__" + call.name;
    emit_event({{"type", "content_block_start"},
                {"index", index},
                {"content_block",
                 {{"type", "tool_use"}, {"id", id}, {"name", name}, {"input", ojson::object()}}}});
    const std::string json = dump(call.input);
    const std::size_t third = json.size() / 3;
    for (const auto& piece :
         {json.substr(0, third), json.substr(third, third), json.substr(2 * third)}) {
        if (piece.empty()) continue;
        emit_event({{"type", "content_block_delta"},
                    {"index", index},
                    {"delta", {{"type", "input_json_delta"}, {"partial_json", piece}}}});
    }
    emit(assistant_line(
        message_id_,
        ojson::array({{{"type", "tool_use"}, {"id", id}, {"name", name}, {"input", call.input}}}),
        base_usage(1)));
    emit_event({{"type", "content_block_stop"}, {"index", index}});
    emit_event({{"type", "message_delta"},
                {"delta", {{"stop_reason", "tool_use"}, {"stop_sequence", nullptr}}},
                {"usage", {{"output_tokens", kOutputTokens}}}});
    emit_event({{"type", "message_stop"}});
    for (;;) {
        if (pause(-1) != Abort::None) std::exit(0);
    }
}

}  // namespace fake
