#include "daemon/agent_render.h"

namespace ch {

std::string with_agent_summary(const std::string& json_text, const Job& job) {
    auto summary = job.agent_summary();
    if (!summary) return json_text;
    auto object = nlohmann::ordered_json::parse(json_text, nullptr, false);
    if (!object.is_object()) return json_text;
    object["agent"] = std::move(*summary);
    return object.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string sse_with_agent_summary(const std::string& event, const Job& job) {
    if (!job.agent_summary()) return event;
    const auto data = event.find("data: ");
    const auto end = event.find("\n\n", data);
    if (data == std::string::npos || end == std::string::npos) return event;
    const std::size_t from = data + 6;
    return event.substr(0, from) + with_agent_summary(event.substr(from, end - from), job) +
           event.substr(end);
}

}  // namespace ch
