#include "common/config.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "common/config_merge.h"
#include "common/config_validate.h"

namespace ch {

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool iequals(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return (is_alpha(x) ? (x | 0x20) : x) == (is_alpha(y) ? (y | 0x20) : y);
    });
}

// A host name or a dotted IPv4 address; IPv6 must be bracketed, so no ':' here.
bool valid_plain_host(const std::string& host) {
    if (host.empty()) return false;
    const bool numeric =
        std::all_of(host.begin(), host.end(), [](char c) { return is_digit(c) || c == '.'; });
    if (numeric) {
        in_addr v4{};
        return inet_pton(AF_INET, host.c_str(), &v4) == 1;
    }
    if (host.front() == '-' || host.front() == '.') return false;
    return std::all_of(host.begin(), host.end(),
                       [](char c) { return is_alpha(c) || is_digit(c) || c == '-' || c == '.'; });
}

std::optional<int> parse_port(std::string_view text) {
    if (text.empty() || text.size() > 5) return std::nullopt;
    int port = 0;
    for (char c : text) {
        if (!is_digit(c)) return std::nullopt;
        port = port * 10 + (c - '0');
    }
    if (port > 65535) return std::nullopt;
    return port;
}

std::optional<std::string> read_file(const std::string& path, std::string& error) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = std::strerror(errno);
        return std::nullopt;
    }
    std::string text;
    char buffer[16384];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            error = std::strerror(errno);  // e.g. EISDIR: open() accepts a directory
            ::close(fd);
            return std::nullopt;
        }
        text.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return text;
}

}  // namespace

bool ListenAddress::is_loopback() const {
    if (iequals(host, "localhost")) return true;
    in_addr v4{};
    if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
        return reinterpret_cast<const unsigned char*>(&v4.s_addr)[0] == 127;
    }
    in6_addr v6{};
    if (inet_pton(AF_INET6, host.c_str(), &v6) != 1) return false;
    const unsigned char* b = v6.s6_addr;
    const bool zero_prefix = std::all_of(b, b + 10, [](unsigned char x) { return x == 0; });
    if (zero_prefix && b[10] == 0 && b[11] == 0 && b[12] == 0 && b[13] == 0 && b[14] == 0 &&
        b[15] == 1) {
        return true;  // ::1
    }
    return zero_prefix && b[10] == 0xff && b[11] == 0xff && b[12] == 127;  // ::ffff:127.x.x.x
}

const ModelConfig* Config::find_model(const std::string& name) const {
    for (const ModelConfig& model : models) {
        if (model.id == name) return &model;
        if (std::find(model.aliases.begin(), model.aliases.end(), name) != model.aliases.end()) {
            return &model;
        }
    }
    return nullptr;
}

const ProviderConfig* Config::find_provider(const std::string& name) const {
    for (const ProviderConfig& provider : providers) {
        if (provider.name == name) return &provider;
    }
    return nullptr;
}

std::optional<ListenAddress> parse_listen_address(std::string_view text) {
    ListenAddress address;
    address.text = std::string(text);
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        const std::size_t close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            return std::nullopt;
        }
        address.host = std::string(text.substr(1, close - 1));
        in6_addr v6{};
        if (inet_pton(AF_INET6, address.host.c_str(), &v6) != 1) return std::nullopt;
        port = text.substr(close + 2);
    } else {
        const std::size_t colon = text.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        address.host = std::string(text.substr(0, colon));
        if (!valid_plain_host(address.host)) return std::nullopt;
        port = text.substr(colon + 1);
    }
    const std::optional<int> number = parse_port(port);
    if (!number) return std::nullopt;
    address.port = *number;
    return address;
}

std::string default_state_dir() {
    // systemd passes several StateDirectory= entries colon-separated; ours is the first.
    const char* env = std::getenv("STATE_DIRECTORY");
    if (env != nullptr) {
        const std::string_view dirs(env);
        const std::string_view first = dirs.substr(0, dirs.find(':'));
        if (!first.empty()) return std::string(first);
    }
    return "/var/lib/claude-harness";
}

namespace {

std::string position(const std::string& file, std::uint32_t line, std::uint32_t column,
                     std::string_view message) {
    return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
           std::string(message);
}

// Parses one document; a syntax error becomes "file:line:column: message".
std::optional<toml::table> parse_document(const std::string& text, const std::string& name,
                                          std::vector<std::string>& errors) {
    try {
        return toml::parse(text, std::string_view{name});
    } catch (const toml::parse_error& e) {
        errors.push_back(
            position(name, e.source().begin.line, e.source().begin.column, e.description()));
        return std::nullopt;
    }
}

// Validates the merged document; problems in the order of the files, then of their lines.
void read_document(const toml::table& root, const std::vector<std::string>& files,
                   ConfigLoad& load) {
    std::vector<detail::ConfigError> errors;
    detail::read_config(root, load.config, errors);
    const auto rank = [&files](const std::string& file) {
        return std::find(files.begin(), files.end(), file) - files.begin();
    };
    std::stable_sort(errors.begin(), errors.end(), [&](const auto& a, const auto& b) {
        if (a.file != b.file) return rank(a.file) < rank(b.file);
        return a.line != b.line ? a.line < b.line : a.column < b.column;
    });
    for (const detail::ConfigError& error : errors) {
        const std::string& file = error.file.empty() ? files.front() : error.file;
        load.errors.push_back(position(file, error.line, error.column, error.message));
    }
}

}  // namespace

std::vector<std::string> config_fragments(const std::string& path) {
    namespace fs = std::filesystem;
    std::vector<std::string> out;
    std::error_code ec;
    const fs::path dir = fs::path(path).parent_path() / "config.d";
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.path().extension() == ".toml") out.push_back(entry.path().string());
    std::sort(out.begin(), out.end());
    return out;
}

ConfigLoad load_config_string(const std::string& text, const std::string& name) {
    ConfigLoad load;
    load.config.path = name;
    if (auto root = parse_document(text, name, load.errors)) read_document(*root, {name}, load);
    return load;
}

ConfigLoad load_config_file(const std::string& path) {
    ConfigLoad load;
    load.config.path = path;
    std::vector<std::string> files{path};
    for (const auto& fragment : config_fragments(path))
        files.push_back(fragment);
    std::optional<toml::table> root;
    for (const auto& file : files) {
        std::string error;
        const std::optional<std::string> text = read_file(file, error);
        if (!text) {
            load.errors.push_back(file + ": cannot read: " + error);
            continue;
        }
        auto document = parse_document(*text, file, load.errors);
        if (!document) continue;
        if (!root)
            root = std::move(document);
        else
            detail::merge_config(*root, std::move(*document));
    }
    if (!load.errors.empty()) return load;
    load.config.fragments.assign(files.begin() + 1, files.end());
    read_document(*root, files, load);
    return load;
}

}  // namespace ch
