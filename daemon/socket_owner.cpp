#include "daemon/socket_owner.h"

#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ch {
namespace {

using Address = std::array<unsigned char, 16>;

// An address as 16 bytes, IPv4 as IPv4-mapped IPv6, so both tables compare alike.
std::optional<Address> parse_address(const std::string& text) {
    Address a{};
    in_addr v4{};
    if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
        a[10] = a[11] = 0xff;
        std::memcpy(a.data() + 12, &v4, 4);
        return a;
    }
    in6_addr v6{};
    if (inet_pton(AF_INET6, text.c_str(), &v6) != 1) return std::nullopt;
    std::memcpy(a.data(), &v6, 16);
    return a;
}

// "0100007F:1F4D" or "0000000000000000FFFF00000100007F:1F4D": each 8 hex digits are one 32-bit
// word as the host stores it.
bool parse_table_endpoint(const std::string& text, Address* address, int* port) {
    const auto colon = text.find(':');
    if (colon == std::string::npos || (colon != 8 && colon != 32)) return false;
    Address a{};
    unsigned char* out = colon == 8 ? a.data() + 12 : a.data();
    if (colon == 8) a[10] = a[11] = 0xff;
    for (std::size_t i = 0; i < colon; i += 8) {
        std::uint32_t word = 0;
        try {
            word = static_cast<std::uint32_t>(std::stoul(text.substr(i, 8), nullptr, 16));
        } catch (...) {
            return false;
        }
        std::memcpy(out + i / 2, &word, 4);
    }
    try {
        *port = std::stoi(text.substr(colon + 1), nullptr, 16);
    } catch (...) {
        return false;
    }
    *address = a;
    return true;
}

}  // namespace

std::optional<uid_t> find_socket_owner(std::string_view table, const TcpEndpoint& peer,
                                       const TcpEndpoint& ours) {
    const auto peer_address = parse_address(peer.address);
    const auto our_address = parse_address(ours.address);
    if (!peer_address || !our_address) return std::nullopt;
    std::istringstream lines{std::string(table)};
    std::string line;
    std::getline(lines, line);  // the header
    while (std::getline(lines, line)) {
        // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid ...
        std::istringstream fields(line);
        std::string sl, local, remote, state, queues, timer, retransmits;
        long uid = -1;
        if (!(fields >> sl >> local >> remote >> state >> queues >> timer >> retransmits >> uid))
            continue;
        Address la, ra;
        int lp = 0, rp = 0;
        if (!parse_table_endpoint(local, &la, &lp) || !parse_table_endpoint(remote, &ra, &rp))
            continue;
        if (la == *peer_address && lp == peer.port && ra == *our_address && rp == ours.port &&
            uid >= 0)
            return static_cast<uid_t>(uid);
    }
    return std::nullopt;
}

std::optional<uid_t> local_peer_uid(const TcpEndpoint& peer, const TcpEndpoint& ours) {
    for (const char* path : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream in(path);
        if (!in) continue;
        std::ostringstream text;
        text << in.rdbuf();
        if (const auto uid = find_socket_owner(text.str(), peer, ours)) return uid;
    }
    return std::nullopt;
}

}  // namespace ch
