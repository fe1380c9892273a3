#include "common/usage_record.h"

#include <stdexcept>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "common/since.h"

namespace ch {
namespace {

using nlohmann::json;

// The member `name`, which must have exactly the type T (no negative token counts, no
// strings for numbers).
template <typename T>
T field(const json& doc, const char* name) {
    const auto it = doc.find(name);
    if (it == doc.end()) throw std::runtime_error(std::string("no \"") + name + "\"");
    bool fits = false;
    if constexpr (std::is_same_v<T, std::string>)
        fits = it->is_string();
    else if constexpr (std::is_unsigned_v<T>)
        fits = it->is_number_unsigned();
    else
        fits = it->is_number_integer();
    if (!fits) throw std::runtime_error(std::string("\"") + name + "\" has the wrong type");
    return it->get<T>();
}

}  // namespace

std::string usage_line(const UsageRecord& r) {
    // An ordered object, so that lines read well in a pager and with grep.
    nlohmann::ordered_json doc{
        {"time", format_rfc3339_ms(r.time_us)},
        {"request_id", r.request_id},
        {"client", r.client},
        {"model", r.model},
        {"provider", r.provider},
        {"input_tokens", r.input_tokens},
        {"output_tokens", r.output_tokens},
        {"cache_read_tokens", r.cache_read_tokens},
        {"cache_creation_tokens", r.cache_creation_tokens},
        {"cost_usd", r.cost_usd ? nlohmann::ordered_json(*r.cost_usd) : nullptr},
        {"duration_ms", r.duration_ms},
        {"outcome", r.outcome},
        {"status", r.status},
    };
    return doc.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::optional<UsageRecord> parse_usage_line(std::string_view line, std::string* error) {
    const json doc = json::parse(line, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        *error = "not a JSON object";
        return std::nullopt;
    }
    try {
        UsageRecord r;
        const auto time = parse_rfc3339(field<std::string>(doc, "time"));
        if (!time) throw std::runtime_error("\"time\" is not an RFC 3339 time");
        r.time_us = *time;
        r.request_id = field<std::string>(doc, "request_id");
        r.client = field<std::string>(doc, "client");
        r.model = field<std::string>(doc, "model");
        r.provider = field<std::string>(doc, "provider");
        r.input_tokens = field<std::uint64_t>(doc, "input_tokens");
        r.output_tokens = field<std::uint64_t>(doc, "output_tokens");
        r.cache_read_tokens = field<std::uint64_t>(doc, "cache_read_tokens");
        r.cache_creation_tokens = field<std::uint64_t>(doc, "cache_creation_tokens");
        const auto cost = doc.find("cost_usd");
        if (cost != doc.end() && !cost->is_null()) {
            if (!cost->is_number()) throw std::runtime_error("\"cost_usd\" is not a number");
            r.cost_usd = cost->get<double>();
        }
        r.duration_ms = field<std::int64_t>(doc, "duration_ms");
        r.outcome = field<std::string>(doc, "outcome");
        r.status = field<int>(doc, "status");
        return r;
    } catch (const std::exception& e) {
        *error = e.what();
        return std::nullopt;
    }
}

}  // namespace ch
