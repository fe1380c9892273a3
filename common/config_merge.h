// Internal to the configuration loader: folding a config.d fragment into the main document.
// Tables merge key by key and the later value wins; [[providers]] and [[models]] entries
// replace the earlier entry with the same name or id and are appended otherwise. Nodes keep
// their source, so problems are still reported in the file they came from.
#pragma once

#include <toml++/toml.h>

namespace ch::detail {

// Nodes are moved, not copied: toml++ drops the source position of a copied node.
void merge_config(toml::table& into, toml::table&& fragment);

}  // namespace ch::detail
