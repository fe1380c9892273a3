#include "common/config_merge.h"

#include <string>
#include <string_view>
#include <utility>

namespace ch::detail {
namespace {

// The key that identifies an entry of an array of tables, "" for arrays merged as a whole.
std::string_view identity_key(std::string_view array) {
    if (array == "providers") return "name";
    if (array == "models") return "id";
    return "";
}

std::string identity(const toml::node& entry, std::string_view key) {
    const toml::table* table = entry.as_table();
    if (!table) return "";
    const auto* value = table->get_as<std::string>(key);
    return value ? value->get() : "";
}

void merge_entries(toml::array& into, toml::array& from, std::string_view key) {
    for (toml::node& entry : from) {
        const std::string id = identity(entry, key);
        auto same = into.cend();
        for (auto it = into.cbegin(); !id.empty() && it != into.cend(); ++it)
            if (identity(*it, key) == id) same = it;
        if (same != into.cend())
            into.replace(same, std::move(entry));
        else
            into.push_back(std::move(entry));
    }
}

void merge_tables(toml::table& into, toml::table& from, bool top_level) {
    for (auto&& [key, node] : from) {
        toml::node* existing = into.get(key);
        if (existing && existing->is_table() && node.is_table()) {
            merge_tables(*existing->as_table(), *node.as_table(), false);
            continue;
        }
        const std::string_view id = top_level ? identity_key(key.str()) : "";
        if (existing && !id.empty() && existing->is_array() && node.is_array()) {
            merge_entries(*existing->as_array(), *node.as_array(), id);
            continue;
        }
        into.insert_or_assign(key, std::move(node));
    }
}

}  // namespace

void merge_config(toml::table& into, toml::table&& fragment) {
    merge_tables(into, fragment, true);
}

}  // namespace ch::detail
