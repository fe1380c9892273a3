#include "daemon/api_keys.h"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace ch {
namespace {

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    const auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

// Compares without an early exit, so timing does not reveal how much of a key was right.
bool same(const std::string& a, const std::string& b) {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
    return diff == 0;
}

}  // namespace

std::optional<ApiKeys> ApiKeys::load(const std::string& path, std::string* error) {
    ApiKeys keys;
    if (path.empty()) return keys;
    std::ifstream in(path);
    if (!in) {
        *error = path + ": cannot read: " + std::strerror(errno);
        return std::nullopt;
    }
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        const std::string key = trim(line);
        if (key.empty() || key[0] == '#') continue;
        if (key.find_first_of(" \t") != std::string::npos) {
            *error = path + ":" + std::to_string(number) + ": a key must not contain spaces";
            return std::nullopt;
        }
        keys.keys_.push_back({key, number});
    }
    if (keys.keys_.empty()) {
        *error = path + ": no keys in the file (one key per line)";
        return std::nullopt;
    }
    return keys;
}

std::optional<std::string> ApiKeys::match(const std::string& presented) const {
    std::optional<std::string> found;
    for (const auto& key : keys_)
        if (same(key.value, presented) && !found) found = "key@" + std::to_string(key.line);
    return found;
}

}  // namespace ch
