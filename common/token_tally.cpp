#include "common/token_tally.h"

namespace ch {

void TokenTally::add(const TokenTally& o) {
    requests += o.requests;
    failed += o.failed;
    input_tokens += o.input_tokens;
    output_tokens += o.output_tokens;
    cache_read_tokens += o.cache_read_tokens;
    cache_creation_tokens += o.cache_creation_tokens;
}

TokenTally TokenTally::of_request(bool ok, const Usage& u) {
    TokenTally t;
    t.requests = 1;
    if (!ok) {
        t.failed = 1;
        return t;
    }
    t.input_tokens = static_cast<std::uint64_t>(u.input_tokens);
    t.output_tokens = static_cast<std::uint64_t>(u.output_tokens);
    t.cache_read_tokens = static_cast<std::uint64_t>(u.cache_read_input_tokens);
    t.cache_creation_tokens = static_cast<std::uint64_t>(u.cache_creation_input_tokens);
    return t;
}

}  // namespace ch
