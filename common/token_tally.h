// Requests and tokens summed over many requests: the usage ledger's rows, the usage report's
// groups and the dashboard's history all count the same six numbers.
#pragma once

#include <cstdint>

#include "common/chat.h"

namespace ch {

struct TokenTally {
    std::uint64_t requests = 0;
    std::uint64_t failed = 0;
    std::uint64_t input_tokens = 0;
    std::uint64_t output_tokens = 0;
    std::uint64_t cache_read_tokens = 0;
    std::uint64_t cache_creation_tokens = 0;

    void add(const TokenTally& other);
    // One finished request; a failed one counts no tokens.
    static TokenTally of_request(bool ok, const Usage& usage);
};

}  // namespace ch
