#include "daemon/readiness.h"

#include "daemon/http_context.h"

namespace ch {

Readiness readiness(HttpContext& ctx) {
    Readiness out;
    out.providers = ctx.health->current();
    std::string reasons;
    for (const auto& s : out.providers) {
        out.ready = out.ready || s.ready;
        if (!s.ready) reasons += (reasons.empty() ? "" : "; ") + s.name + ": " + s.reason;
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
