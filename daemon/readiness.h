// Whether the daemon can take jobs now, and if not why: one answer for GET /ready, the bus's
// Ready and NotReadyReason properties, and `claude-harnessctl status`.
#pragma once

#include <string>
#include <vector>

#include "daemon/provider_health.h"

namespace ch {

struct HttpContext;

struct Readiness {
    bool ready = false;
    std::string reason;  // "" when ready
    std::vector<ProviderStatus> providers;
};

Readiness readiness(HttpContext& ctx);

// Each provider's health with the pool's scheduling state (state, running, cool-down).
std::vector<ProviderStatus> provider_statuses(HttpContext& ctx);

}  // namespace ch
