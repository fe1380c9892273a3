#include "daemon/readiness.h"

#include "daemon/http_context.h"
#include "daemon/provider_pool.h"

namespace ch {

std::vector<ProviderStatus> provider_statuses(HttpContext& ctx) {
    return ctx.pool ? ctx.pool->statuses() : ctx.health->current();
}

Readiness readiness(HttpContext& ctx) {
    Readiness out;
    out.providers = provider_statuses(ctx);
    std::string reasons;
    for (const auto& s : out.providers) {
        // A provider cooling down after a usage limit still counts: clients get 429 with the
        // time to retry, which is the answer they need, not "not ready".
        const bool usable = s.ready && s.state != "suspended";
        out.ready = out.ready || usable;
        if (!usable) reasons += (reasons.empty() ? "" : "; ") + s.name + ": " + s.reason;
    }
    if (ctx.shutting_down) {
        out.ready = false;
        out.reason = "the harness is shutting down";
    } else if (!out.ready) {
        out.reason = "no provider can run jobs: " + reasons;
    }
    return out;
}

}  // namespace ch
