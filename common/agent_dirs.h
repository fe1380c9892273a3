// Directories an agent-mode job may work in: a requested path is canonicalised (symlinks and
// ".." resolved by the kernel) before it is compared with the allowed roots, so no spelling
// of a path can lead outside them.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ch {

// The canonical form of an existing directory; nullopt with *error saying why otherwise.
std::optional<std::string> canonical_directory(const std::string& path, std::string* error);

// True when `canonical` is one of `roots` or lies beneath one (both canonical).
bool within_roots(const std::string& canonical, const std::vector<std::string>& roots);

// `requested` canonicalised and checked against `roots`; nullopt with a message that names the
// path (and what it resolved to) otherwise. `what` names it in the message ("cwd").
std::optional<std::string> resolve_in_roots(const std::string& requested,
                                            const std::vector<std::string>& roots,
                                            const std::string& what, std::string* error);

}  // namespace ch
