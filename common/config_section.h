// Internal to the configuration loader: typed, position-reporting access to one TOML table.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "common/config_validate.h"
#include "common/duration.h"

namespace ch::detail {

using Errors = std::vector<ConfigError>;

inline void report(Errors& errors, const toml::source_region& where, std::string message) {
    errors.push_back(
        {where.path ? *where.path : "", where.begin.line, where.begin.column, std::move(message)});
}

// "a string", "an integer", ...: for "must be X, not Y" messages.
inline std::string a_type(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a floating-point number";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::table:
            return "a table";
        case toml::node_type::date:
            return "a date";
        case toml::node_type::time:
            return "a time";
        case toml::node_type::date_time:
            return "a date-time";
        case toml::node_type::none:
            break;
    }
    return "nothing";
}

// The largest value of Int that a TOML integer can hold.
template <typename Int>
constexpr std::int64_t largest() {
    constexpr auto max = std::numeric_limits<Int>::max();
    return std::in_range<std::int64_t>(max) ? static_cast<std::int64_t>(max)
                                            : std::numeric_limits<std::int64_t>::max();
}

// One TOML table of the schema; `where` places it in messages, e.g. "in [server]".
class Section {
  public:
    Section(const toml::table& table, std::string where, Errors& errors)
        : table_(table), where_(std::move(where)), errors_(errors) {}

    const toml::node* get(std::string_view key) const { return table_.get(key); }
    void error(const toml::source_region& where, std::string message) const {
        report(errors_, where, std::move(message));
    }
    void error(const toml::node& node, std::string message) const {
        report(errors_, node.source(), std::move(message));
    }
    std::string key(std::string_view name) const { return "'" + std::string(name) + "' " + where_; }

    // Typos must not pass silently, so every key the schema does not know is an error.
    void check_keys(std::initializer_list<std::string_view> known) const {
        for (auto&& [key, node] : table_) {
            if (std::find(known.begin(), known.end(), key.str()) == known.end()) {
                report(errors_, key.source(),
                       "unknown key '" + std::string(key.str()) + "' " + where_);
            }
        }
    }

    void missing(std::string_view name, std::string_view why = {}) const {
        report(errors_, table_.source(),
               "missing required key '" + std::string(name) + "' " + where_ + std::string(why));
    }

    // The string node at key, or nullptr when absent (silently) or of another type (reported).
    const toml::value<std::string>* string_node(std::string_view name, bool required) const {
        const toml::node* node = get(name);
        if (node == nullptr) {
            if (required) missing(name);
            return nullptr;
        }
        const auto* value = node->as_string();
        if (value == nullptr) error(*node, key(name) + " must be a string, not " + a_type(*node));
        return value;
    }

    // Leaves out unchanged unless key holds a string (non-empty if so required).
    void read_string(std::string_view name, std::string& out, bool required, bool non_empty) const {
        const auto* value = string_node(name, required);
        if (value == nullptr) return;
        if (non_empty && value->get().empty()) {
            error(*value, key(name) + " must not be empty");
            return;
        }
        out = value->get();
    }

    // Leaves out unchanged unless key holds a boolean.
    void read_bool(std::string_view name, bool& out) const {
        const toml::node* node = get(name);
        if (node == nullptr) return;
        const auto* value = node->as_boolean();
        if (value == nullptr) {
            error(*node, key(name) + " must be true or false, not " + a_type(*node));
            return;
        }
        out = value->get();
    }

    // Integers are range-checked here so that the narrowing to Int below is exact.
    template <typename Int>
    void read_int(std::string_view name, std::int64_t min, Int& out) const {
        read_int(name, min, largest<Int>(), out);
    }

    template <typename Int>
    void read_int(std::string_view name, std::int64_t min, std::int64_t max, Int& out) const {
        const toml::node* node = get(name);
        if (node == nullptr) return;
        const auto* value = node->as_integer();
        if (value == nullptr) {
            error(*node, key(name) + " must be an integer, not " + a_type(*node));
            return;
        }
        const std::int64_t n = value->get();
        if (n < min || n > max) {
            const std::string range = max == largest<Int>() ? "at least " + std::to_string(min)
                                                            : "between " + std::to_string(min) +
                                                                  " and " + std::to_string(max);
            error(*node, key(name) + " must be " + range + ", not " + std::to_string(n));
            return;
        }
        out = static_cast<Int>(n);
    }

    // A zero timeout or interval would make no sense (busy loops, instant failures), so only
    // the callers that accept 0 say so.
    void read_duration(std::string_view name, Duration& out, bool allow_zero) const {
        const std::string example = "\"" + format_duration(out) + "\"";
        const toml::node* node = get(name);
        if (node == nullptr) return;
        const auto* value = node->as_string();
        if (value == nullptr) {
            error(*node, key(name) + " must be a duration string such as " + example + ", not " +
                             a_type(*node));
            return;
        }
        const std::optional<Duration> d = parse_duration(value->get());
        if (!d) {
            error(*node, "invalid duration \"" + value->get() + "\" for " + key(name) +
                             " (expected an integer and a unit: ms, s, m, h or d, as in " +
                             example + ")");
            return;
        }
        if (!allow_zero && d->count() == 0) {
            error(*node, key(name) + " must be greater than 0");
            return;
        }
        out = *d;
    }

    // The string elements of an array at key; other elements and types are reported.
    std::vector<const toml::value<std::string>*> string_array(std::string_view name) const {
        std::vector<const toml::value<std::string>*> strings;
        const toml::node* node = get(name);
        if (node == nullptr) return strings;
        const toml::array* array = node->as_array();
        if (array == nullptr) {
            error(*node, key(name) + " must be an array of strings, not " + a_type(*node));
            return strings;
        }
        for (const toml::node& element : *array) {
            if (const auto* value = element.as_string()) {
                strings.push_back(value);
            } else {
                error(element, key(name) + " must contain only strings, not " + a_type(element));
            }
        }
        return strings;
    }

  private:
    const toml::table& table_;
    std::string where_;
    Errors& errors_;
};

}  // namespace ch::detail
