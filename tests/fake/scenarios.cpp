// fake-claude: scenarios.  The FAKE[...] markers, the reply each one selects,
// and the API errors the error/usage_limit markers simulate.
#include "fake.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

extern char** environ;

namespace fake {

void parse_markers(const std::string& text, Options& o) {
    std::size_t pos = 0;
    while ((pos = text.find("FAKE[", pos)) != std::string::npos) {
        const std::size_t start = pos + 5;
        const std::size_t end = text.find(']', start);
        if (end == std::string::npos) break;
        const std::string body = text.substr(start, end - start);
        std::size_t p = 0;
        while (p <= body.size()) {
            std::size_t comma = body.find(',', p);
            if (comma == std::string::npos) comma = body.size();
            std::string item = body.substr(p, comma - p);
            // trim
            while (!item.empty() && item.front() == ' ')
                item.erase(item.begin());
            while (!item.empty() && item.back() == ' ')
                item.pop_back();
            if (!item.empty()) {
                const std::size_t eq = item.find('=');
                if (eq == std::string::npos) {
                    o.opts[item] = "";
                } else {
                    o.opts[item.substr(0, eq)] = item.substr(eq + 1);
                }
            }
            p = comma + 1;
        }
        pos = end + 1;
    }
}

std::string Fake::effective_system_prompt() const {
    if (system_prompt_) return *system_prompt_;
    if (argv_system_prompt_) return *argv_system_prompt_;
    return "<none>";
}

std::string Fake::identity_json() const {
    ojson j;
    j["uid"] = getuid();
    j["gid"] = getgid();
    std::vector<gid_t> groups(256);
    const int ng = getgroups(static_cast<int>(groups.size()), groups.data());
    ojson g = ojson::array();
    for (int i = 0; i < ng; ++i)
        g.push_back(groups[static_cast<std::size_t>(i)]);
    j["groups"] = g;
    j["cwd"] = getcwd_str();
    j["pgid"] = getpgrp();
    j["pid"] = getpid();
    j["ppid"] = getppid();
    j["sid"] = getsid(0);
    ojson fds = ojson::array();
    if (DIR* d = opendir("/proc/self/fd")) {
        const int self = dirfd(d);
        std::vector<int> v;
        while (dirent* e = readdir(d)) {
            if (e->d_name[0] == '.') continue;
            const int fd = std::atoi(e->d_name);
            if (fd == self) continue;
            v.push_back(fd);
        }
        closedir(d);
        std::sort(v.begin(), v.end());
        // The fake's own signal self-pipe is not inherited state; leave it out.
        for (int fd : v)
            if (fd != g_sig_pipe[0] && fd != g_sig_pipe[1]) fds.push_back(fd);
    }
    j["fds"] = fds;
    j["argv"] = argv_;
    ojson env = ojson::object();
    for (char** e = environ; e && *e; ++e) {
        const std::string kv = *e;
        const auto eq = kv.find('=');
        if (eq == std::string::npos) {
            env[kv] = "";
        } else {
            env[kv.substr(0, eq)] = kv.substr(eq + 1);
        }
    }
    j["env"] = env;
    return dump(j);
}

// The reply text for the options, and how to cut it into deltas.
void Fake::choose_reply(const Options& o, const ojson& content, std::string& text,
                        std::vector<std::string>& deltas) {
    if (o.has("echo")) {
        text = content.is_string() ? content.get<std::string>() : dump(content);
        deltas = split_utf8(
            text, text.size() > 64 ? kBigChunk : std::max<std::size_t>(1, (text.size() + 1) / 2));
    } else if (o.has("echo_history")) {
        text = dump(upstream_messages(content));
        deltas = split_utf8(text, kBigChunk);
    } else if (o.has("echo_system")) {
        text = effective_system_prompt();
        deltas = split_utf8(text, kBigChunk);
    } else if (o.has("echo_model")) {
        text = init_model_;
        deltas = split_utf8(text, kBigChunk);
    } else if (o.has("echo_env")) {
        text = env_or(o.str("echo_env").c_str(), "<unset>");
        deltas = split_utf8(text, kBigChunk);
    } else if (o.has("echo_identity")) {
        text = identity_json();
        deltas = split_utf8(text, kBigChunk);
    } else if (o.has("big")) {
        const long long n = std::max<long long>(0, o.num("big", 0));
        static const std::string pattern = "The quick brown fox jumps over the lazy dog. ";
        text.reserve(static_cast<std::size_t>(n));
        while (text.size() < static_cast<std::size_t>(n))
            text += pattern;
        text.resize(static_cast<std::size_t>(n));
        deltas = split_utf8(text, kBigChunk);
    } else if (o.has("utf8_split")) {
        deltas = {"h\xC3\xA9llo ", "\xE4\xB8\x96\xE7\x95\x8C ", "\xF0\x9F\x8E\x89 ok"};
        text = deltas[0] + deltas[1] + deltas[2];
    } else {
        deltas = {"Hello", " from", " the", " fake."};
        text = "Hello from the fake.";
    }
    if (deltas.empty()) deltas.push_back("");  // an empty reply still streams one (empty) delta
}

ErrorSpec Fake::error_spec(const Options& o) const {
    ErrorSpec e;
    if (o.has("usage_limit")) {
        e.status = 429;
        e.kind = "rate_limit";
        const std::string at = o.opts.at("usage_limit");
        e.text =
            "You've hit your session limit \xC2\xB7 resets " + (at.empty() ? "4pm" : at) + " (UTC)";
        return e;
    }
    if (o.has("usage_limit_noreset")) {
        e.status = 429;
        e.kind = "rate_limit";
        e.text = "You've hit your weekly limit";
        return e;
    }
    e.status = static_cast<int>(o.num("error", 500));
    std::string gateway = env_or("ANTHROPIC_BASE_URL", "https://api.anthropic.com");
    if (auto p = gateway.find("://"); p != std::string::npos) gateway = gateway.substr(p + 3);
    if (auto p = gateway.find('/'); p != std::string::npos) gateway = gateway.substr(0, p);
    const std::string server_tail =
        ". This is a server-side issue, usually temporary \xE2\x80\x94 try again in a moment. "
        "If it persists, "
        "check your inference gateway (" +
        gateway + ").";
    switch (e.status) {
        case 400:
            e.kind = "unknown";
            e.text = "API Error: 400 bad request";
            break;
        case 401:
            e.kind = "authentication_failed";
            e.text = "Invalid API key \xC2\xB7 Fix external API key";
            e.retried = true;
            break;
        case 403:
            e.kind = "authentication_failed";
            e.text =
                "Failed to authenticate. API Error: 403 Your API key does not have permission "
                "to use the specified "
                "resource.";
            break;
        case 404:
            e.kind = "model_not_found";
            e.text = "There's an issue with the selected model (" + init_model_ +
                     "). It may not exist or you may not have access to it. Run --model to "
                     "pick a different model.";
            break;
        case 413:
            e.kind = "invalid_request";
            e.text = "Request too large (max 32MB). Try with a smaller file.";
            e.terminal_reason = "image_error";
            break;
        case 429:
            e.kind = "rate_limit";
            e.text =
                "API Error: Request rejected (429) \xC2\xB7 Number of request tokens has "
                "exceeded your per-minute rate "
                "limit";
            e.retried = true;
            break;
        case 500:
            e.kind = "server_error";
            e.text = "API Error: 500 Internal server error" + server_tail;
            e.retried = true;
            break;
        case 529:
            e.kind = "server_error";
            e.text = "API Error: 529 Overloaded" + server_tail;
            e.retried = true;
            break;
        default:
            e.kind = e.status >= 500 ? "server_error" : "unknown";
            e.text = "API Error: " + std::to_string(e.status) + " error";
            e.retried = e.status >= 500;
            break;
    }
    return e;
}

}  // namespace fake
