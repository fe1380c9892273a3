#include "ctl/test_diagnosis.h"

#include <chrono>

#include <httplib.h>

namespace ch::ctl {

using nlohmann::json;

std::string advice_for(int status, const std::string& code, const std::string& message,
                       bool sent_key) {
    if (status == 401)
        return sent_key ? "The API key was refused: pass a key from the daemon's api_keys_file "
                          "with --api-key or CLAUDE_HARNESS_API_KEY."
                        : "The daemon wants an API key: pass one with --api-key or "
                          "CLAUDE_HARNESS_API_KEY, or run this as a user who can read the "
                          "api_keys_file.";
    if (status == 404) return "Pick a configured model: `claude-harnessctl status` lists them.";
    if (code == "usage_limit")
        return "The subscription's usage limit is reached; wait until it resets or add another "
               "provider with its own login.";
    if (status == 429)
        return "The daemon is busy; try again, or raise limits.max_concurrent_jobs or "
               "limits.max_queued_jobs.";
    if (message.find("Not logged in") != std::string::npos ||
        message.find("authentication") != std::string::npos ||
        message.find("OAuth token") != std::string::npos)
        return "The provider's Claude login is not valid: run `claude auth login` as the "
               "provider's user, then `claude-harnessctl doctor`.";
    if (status == 503)
        return "A provider is not ready: `claude-harnessctl doctor` shows why and how to fix "
               "it.";
    if (status == 504)
        return "The Claude CLI took too long; see `claude-harnessctl logs` and the "
               "job_timeout and idle_timeout limits.";
    if (status >= 500)
        return "The Claude CLI failed: `claude-harnessctl logs -p warning` shows the details.";
    return "See `claude-harnessctl logs` for details.";
}

TestResult run_test_request(const TestRequest& request) {
    TestResult r;
    r.url = "http://" + request.address + "/v1/chat/completions";
    r.model = request.model;
    httplib::Client http("http://" + request.address);
    http.set_connection_timeout(5);
    http.set_read_timeout(request.timeout_s);
    httplib::Headers headers;
    if (!request.api_key.empty()) headers.emplace("Authorization", "Bearer " + request.api_key);
    const json body = {
        {"model", request.model},
        {"messages", json::array({{{"role", "user"}, {"content", request.prompt}}})}};
    const auto start = std::chrono::steady_clock::now();
    const auto res = http.Post("/v1/chat/completions", headers, body.dump(), "application/json");
    r.latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - start)
                       .count();
    if (!res) {
        r.error = "no answer from " + r.url + ": " + httplib::to_string(res.error());
        r.advice = res.error() == httplib::Error::Read
                       ? "The reply did not come within the timeout; try --timeout."
                       : "Is the daemon listening there? `claude-harnessctl doctor` checks.";
        return r;
    }
    r.status = res->status;
    const json doc = json::parse(res->body, nullptr, false);
    if (res->status == 200 && doc.is_object() && doc.contains("choices")) {
        r.ok = true;
        r.reply = doc["choices"][0]["message"].value("content", "");
        r.usage = doc.value("usage", json::object());
        r.model = doc.value("model", request.model);
        return r;
    }
    std::string code, message = res->body.substr(0, 500);
    if (doc.is_object() && doc.contains("error") && doc["error"].is_object()) {
        const auto& e = doc["error"];
        if (e.contains("code") && e["code"].is_string()) code = e["code"];
        message = e.value("message", message);
    }
    r.error =
        "HTTP " + std::to_string(res->status) + (code.empty() ? "" : " " + code) + ": " + message;
    r.advice = advice_for(res->status, code, message, !request.api_key.empty());
    return r;
}

}  // namespace ch::ctl
