#include "daemon/agent_activity.h"

namespace ch {

namespace {

using json = nlohmann::json;

const json* content_of(const json& line) {
    const auto message = line.find("message");
    if (message == line.end() || !message->is_object()) return nullptr;
    const auto content = message->find("content");
    return content != message->end() && content->is_array() ? &*content : nullptr;
}

std::string text_member(const json& object, const char* key) {
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

bool AgentActivity::on_line(std::string_view text) {
    // Cheap test first: most lines are stream events with no tool in them.
    if (text.find("\"tool_use\"") == std::string_view::npos &&
        text.find("\"tool_result\"") == std::string_view::npos &&
        text.find("\"result\"") == std::string_view::npos)
        return false;
    const json line = json::parse(text, nullptr, false);
    if (!line.is_object()) return false;
    bool result_seen = false;
    const std::string type = text_member(line, "type");
    if (type == "assistant") {
        if (const json* content = content_of(line))
            for (const auto& block : *content)
                if (block.is_object() && text_member(block, "type") == "tool_use")
                    uses_.push_back({text_member(block, "id"), text_member(block, "name"), false});
    } else if (type == "user") {
        if (const json* content = content_of(line))
            for (const auto& block : *content) {
                if (!block.is_object() || text_member(block, "type") != "tool_result") continue;
                result_seen = true;
                const std::string id = text_member(block, "tool_use_id");
                const auto error = block.find("is_error");
                for (auto& use : uses_)
                    if (use.id == id)
                        use.is_error =
                            error != block.end() && error->is_boolean() && error->get<bool>();
            }
    } else if (type == "result") {
        if (const auto n = line.find("num_turns"); n != line.end() && n->is_number_integer())
            turns_ = n->get<std::int64_t>();
        if (const auto c = line.find("total_cost_usd"); c != line.end() && c->is_number())
            cost_usd_ = c->get<double>();
        if (const auto d = line.find("permission_denials"); d != line.end() && d->is_array())
            denials_ = d->size();
    }
    return result_seen;
}

nlohmann::ordered_json AgentActivity::summary(const std::string& directory) const {
    nlohmann::ordered_json out;
    out["directory"] = directory;
    out["tool_uses"] = nlohmann::ordered_json::array();
    for (const auto& use : uses_)
        out["tool_uses"].push_back({{"name", use.name}, {"is_error", use.is_error}});
    out["turns"] = turns_ ? nlohmann::ordered_json(*turns_) : nlohmann::ordered_json(nullptr);
    out["cost_usd"] =
        cost_usd_ ? nlohmann::ordered_json(*cost_usd_) : nlohmann::ordered_json(nullptr);
    out["permission_denials"] = denials_;
    return out;
}

}  // namespace ch
