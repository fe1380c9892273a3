#include <boost/test/unit_test.hpp>

#include "daemon/socket_owner.h"

using ch::find_socket_owner;

namespace {

// Real lines of /proc/net/tcp and /proc/net/tcp6 (little-endian host): a browser of uid 1000
// at 127.0.0.1:51234 connected to the daemon at 127.0.0.1:8013, the daemon's side of it, and
// a connection over IPv6 loopback by uid 0.
constexpr const char* kTcp =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
    "inode\n"
    "   0: 0100007F:1F4D 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 "
    "1001 1 0000000000000000 100 0 0 10 0\n"
    "   1: 0100007F:C822 0100007F:1F4D 01 00000000:00000000 00:00000000 00000000  1000        0 "
    "1002 1 0000000000000000 20 4 30 10 -1\n"
    "   2: 0100007F:1F4D 0100007F:C822 01 00000000:00000000 00:00000000 00000000     0        0 "
    "1003 1 0000000000000000 20 4 30 10 -1\n";
constexpr const char* kTcp6 =
    "  sl  local_address                         remote_address                        st "
    "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 00000000000000000000000001000000:D431 00000000000000000000000001000000:1F4D 01 "
    "00000000:00000000 00:00000000 00000000     0        0 2001 1 0 20 4 30 10 -1\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(socket_owner)

BOOST_AUTO_TEST_CASE(the_owner_of_the_peers_end_is_found) {
    const auto uid = find_socket_owner(kTcp, {"127.0.0.1", 51234}, {"127.0.0.1", 8013});
    BOOST_TEST_REQUIRE(uid.has_value());
    BOOST_TEST(*uid == 1000u);
}

BOOST_AUTO_TEST_CASE(the_daemons_own_end_or_another_port_is_not_the_peer) {
    BOOST_TEST(!find_socket_owner(kTcp, {"127.0.0.1", 51235}, {"127.0.0.1", 8013}));
    BOOST_TEST(!find_socket_owner(kTcp, {"127.0.0.1", 51234}, {"127.0.0.1", 8014}));
    BOOST_TEST(!find_socket_owner(kTcp, {"10.0.0.5", 51234}, {"127.0.0.1", 8013}));
}

BOOST_AUTO_TEST_CASE(ipv6_loopback_is_found_and_garbage_is_not) {
    const auto uid = find_socket_owner(kTcp6, {"::1", 54321}, {"::1", 8013});
    BOOST_TEST_REQUIRE(uid.has_value());
    BOOST_TEST(*uid == 0u);
    BOOST_TEST(!find_socket_owner("header\nnot a line\n1: zz:zz yy:yy 01 x y z 0\n",
                                  {"127.0.0.1", 1}, {"127.0.0.1", 2}));
    BOOST_TEST(!find_socket_owner(kTcp, {"not an address", 1}, {"127.0.0.1", 8013}));
}

BOOST_AUTO_TEST_SUITE_END()
