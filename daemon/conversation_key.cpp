#include "daemon/conversation_key.h"

#include <cstdint>
#include <cstdio>

namespace ch {
namespace {

// FNV-1a, 64 bits: stable across runs, unlike std::hash.
void mix(std::uint64_t& h, const std::string& text) {
    for (const unsigned char c : text) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    h ^= 0xff;  // separates fields: ("ab", "c") differs from ("a", "bc")
    h *= 0x100000001b3ULL;
}

}  // namespace

std::string conversation_key(const std::string& client, const ChatRequest& request) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    mix(h, client);
    mix(h, request.system.value_or(""));
    for (const auto& message : request.messages) {
        if (message.role != "user") continue;
        for (const auto& part : message.parts)
            mix(h, part.kind == ContentPart::Kind::Text ? part.text : part.data);
        break;
    }
    char out[17];
    std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
    return out;
}

}  // namespace ch
