// What the phases with the real Claude Code CLI share: the mock upstream of tests/e2e (run with
// node), and watching the CLI processes a daemon holds.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

#include "bench/daemon.h"
#include "bench/options.h"

namespace bench {

// The reply of tests/e2e/mock_anthropic.mjs.
inline constexpr const char* kMockReply = "Hello from the mock upstream.";

// node tests/e2e/mock_anthropic.mjs --port 0, stopped with its process group.
class MockUpstream {
  public:
    MockUpstream(const std::string& node, const std::string& script);
    ~MockUpstream();
    MockUpstream(const MockUpstream&) = delete;
    MockUpstream& operator=(const MockUpstream&) = delete;
    int port() const { return port_; }

  private:
    pid_t pid_ = -1;
    int port_ = 0;
};

// opt.node, looked up in PATH unless it is a path; dies when there is none.
std::string find_node(const Options& opt);

// The daemon's children that are not zombies: the CLI processes it holds, and anything a job
// left behind (the daemon is their subreaper).
std::vector<pid_t> children_of(pid_t parent);

// Waits until the daemon holds exactly `n` children and they have used no CPU for 200 ms: a
// pre-started CLI has then finished starting and waits for its first line. False after 30 s.
bool wait_quiet(const Daemon& d, std::size_t n);

}  // namespace bench
