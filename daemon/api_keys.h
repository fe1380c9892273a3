// Client API keys: one per line in `server.api_keys_file`, '#' comments and blank lines
// ignored. Keys are never logged; a key is named by its line number instead.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ch {

class ApiKeys {
  public:
    // An empty path means no keys (open access, loopback only). Errors as "file:line: message".
    static std::optional<ApiKeys> load(const std::string& path, std::string* error);

    bool enabled() const { return !keys_.empty(); }
    std::size_t size() const { return keys_.size(); }
    // The key's id ("key@3" for line 3) when `presented` is one of the keys.
    std::optional<std::string> match(const std::string& presented) const;
    // The first key, for local tools that may read the file (claude-harnessctl test).
    std::string first() const { return keys_.empty() ? "" : keys_.front().value; }

  private:
    struct Key {
        std::string value;
        int line = 0;
    };
    std::vector<Key> keys_;
};

}  // namespace ch
