// What an agent-mode job did, read from the CLI's stream-json lines: each tool use (name, and
// whether its result was an error), the number of turns, the cost and the permission denials.
// Clients get it as a separate "agent" member, never inside the answer text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace ch {

class AgentActivity {
  public:
    // True when the line carried a tool's result (the model speaks anew after it).
    bool on_line(std::string_view line);

    // {"directory", "tool_uses": [{"name", "is_error"}], "turns", "cost_usd",
    //  "permission_denials"}; turns and cost are null until the result line.
    nlohmann::ordered_json summary(const std::string& directory) const;

  private:
    struct ToolUse {
        std::string id;
        std::string name;
        bool is_error = false;
    };
    std::vector<ToolUse> uses_;
    std::optional<std::int64_t> turns_;
    std::optional<double> cost_usd_;
    std::size_t denials_ = 0;
};

}  // namespace ch
