#include "daemon/provider_tokens.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ch {

std::string token_file_path(const std::string& token_file) {
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    if (token_file.empty() || token_file.front() == '/' || dir == nullptr || *dir == '\0')
        return token_file;
    return std::string(dir) + "/" + token_file;
}

std::vector<std::string> load_provider_tokens(Config& config) {
    std::vector<std::string> errors;
    for (auto& provider : config.providers) {
        if (provider.token_file.empty()) continue;
        const std::string path = token_file_path(provider.token_file);
        std::ifstream in(path);
        if (!in) {
            errors.push_back("provider '" + provider.name + "': cannot read token_file " + path +
                             ": " + std::strerror(errno));
            continue;
        }
        std::stringstream text;
        text << in.rdbuf();
        std::string token = text.str();
        const auto first = token.find_first_not_of(" \t\r\n");
        token = first == std::string::npos
                    ? std::string()
                    : token.substr(first, token.find_last_not_of(" \t\r\n") - first + 1);
        if (token.empty() || token.find_first_of(" \t\r\n") != std::string::npos) {
            errors.push_back("provider '" + provider.name + "': token_file " + path +
                             " must hold exactly one token (as printed by `claude setup-token`)");
            continue;
        }
        provider.env["CLAUDE_CODE_OAUTH_TOKEN"] = std::move(token);
    }
    return errors;
}

}  // namespace ch
