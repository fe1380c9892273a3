// The HTTP side of `claude-harnessctl test`: one chat completion, and for every way it can
// fail a sentence on what is wrong and what to do.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace ch::ctl {

struct TestRequest {
    std::string address;  // "127.0.0.1:8013" or "[::1]:8013"
    std::string model;
    std::string prompt;
    std::string api_key;  // "" = none
    int timeout_s = 300;
};

struct TestResult {
    bool ok = false;
    std::string url;
    std::string model;
    long long latency_ms = 0;
    std::string reply;
    nlohmann::json usage = nlohmann::json::object();
    int status = 0;  // HTTP status, 0 when there was no answer
    std::string error;
    std::string advice;
};

TestResult run_test_request(const TestRequest& request);

// What to do about an HTTP error answer (status and the OpenAI error's code and message).
std::string advice_for(int status, const std::string& code, const std::string& message,
                       bool sent_key);

}  // namespace ch::ctl
