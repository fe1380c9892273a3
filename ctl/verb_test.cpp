// test: one real chat completion through the daemon's HTTP API, end to end.
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "common/config.h"
#include "ctl/bus_client.h"
#include "ctl/exit_codes.h"
#include "ctl/output.h"
#include "ctl/test_diagnosis.h"
#include "ctl/verb_options.h"
#include "ctl/verbs.h"
#include "daemon/api_keys.h"

namespace ch::ctl {
namespace {

using nlohmann::json;

constexpr const char* kUsageText =
    "Usage: claude-harnessctl test [--model M] [--prompt P] [--api-key K] [--timeout SECONDS]\n"
    "                              [--json]\n"
    "\n"
    "Sends a chat completion through claude-harnessd's HTTP API, at the first address it\n"
    "listens on, and prints the reply, the latency and the tokens. On failure it says what is\n"
    "wrong and what to do.\n"
    "\n"
    "Options:\n"
    "  --model M          model id or alias (default: the first configured model)\n"
    "  --prompt P         what to send (default: \"Reply with the single word: ok\")\n"
    "  --api-key K        API key; else $CLAUDE_HARNESS_API_KEY, else the first key of the\n"
    "                     daemon's api_keys_file when readable\n"
    "  --timeout SECONDS  how long to wait for the reply (default 300)\n"
    "  --json             print {\"ok\", \"model\", \"url\", \"latency_ms\", \"reply\", "
    "\"usage\",\n"
    "                     \"status\", \"error\", \"advice\"} instead\n"
    "  -h, --help         show this help\n"
    "\n"
    "Exit status: 0 answered, 1 failure, 2 usage error, 3 not running, 4 not ready.\n";

// "0.0.0.0:8013" is not an address to connect to; the loopback of the same family is.
std::string connect_address(const std::string& listen) {
    if (listen.rfind("0.0.0.0:", 0) == 0) return "127.0.0.1" + listen.substr(7);
    if (listen.rfind("[::]:", 0) == 0) return "[::1]" + listen.substr(4);
    return listen;
}

std::string api_key(const std::string& given, const std::string& config_path) {
    if (!given.empty()) return given;
    if (const char* env = std::getenv("CLAUDE_HARNESS_API_KEY"); env && *env) return env;
    const ConfigLoad load = load_config_file(config_path);
    std::string error;
    const auto keys = ApiKeys::load(load.config.server.api_keys_file, &error);
    return keys ? keys->first() : "";
}

struct Options {
    std::string model, prompt = "Reply with the single word: ok", key;
    int timeout = 300;
    bool json = false;
};

int report(const Options& o, const TestResult& r) {
    if (o.json) {
        print_json({{"ok", r.ok},
                    {"model", r.model},
                    {"url", r.url},
                    {"latency_ms", r.latency_ms},
                    {"reply", r.reply},
                    {"usage", r.usage},
                    {"status", r.status},
                    {"error", r.error},
                    {"advice", r.advice}});
    } else if (r.ok) {
        std::printf("%s\n\nModel: %s via %s\nLatency: %lld ms\nTokens: %lld in, %lld out\n",
                    printable(r.reply, true).c_str(), printable(r.model).c_str(), r.url.c_str(),
                    r.latency_ms, r.usage.value("prompt_tokens", 0LL),
                    r.usage.value("completion_tokens", 0LL));
    } else {
        std::fprintf(stderr, "claude-harnessctl: test failed: %s\n%s\n", printable(r.error).c_str(),
                     printable(r.advice).c_str());
    }
    return r.ok ? kOk : kFailure;
}

}  // namespace

int verb_test(int argc, char** argv) {
    Options o;
    VerbOptions options("test", kUsageText);
    options.json(&o.json)
        .value("model", 0, [&](const std::string& v) { o.model = v; })
        .value("prompt", 0, [&](const std::string& v) { o.prompt = v; })
        .value("api-key", 0, [&](const std::string& v) { o.key = v; })
        .value("timeout", 0, [&](const std::string& v) {
            o.timeout = std::atoi(v.c_str());
            if (o.timeout <= 0) throw UsageError("--timeout must be a positive number of seconds");
        });
    if (const auto exit = options.parse(argc, argv)) return *exit;

    return with_daemon([&]() -> int {
        BusClient client;
        const DaemonState state = client.state();
        if (!state.ready) {
            std::fprintf(stderr, "claude-harnessctl: the daemon is not ready: %s\n%s\n",
                         printable(state.not_ready_reason).c_str(),
                         "Run `claude-harnessctl doctor` to see what is wrong.");
            return kNotReady;
        }
        if (state.listen.empty()) throw BusError(kFailure, "the daemon listens nowhere");
        if (o.model.empty()) {
            const auto models = client.models();
            if (models.empty()) throw BusError(kFailure, "the daemon has no models configured");
            o.model = models.front().id;
        }
        TestRequest request{connect_address(state.listen.front()), o.model, o.prompt,
                            api_key(o.key, state.config_path), o.timeout};
        return report(o, run_test_request(request));
    });
}

}  // namespace ch::ctl
