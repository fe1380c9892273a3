#!/bin/sh
# Runs a command in a new network namespace whose only interface, lo, also carries a
# non-loopback address (not in 127.0.0.0/8), so a test can reach the daemon through an address
# it treats like any other host's. (A dummy interface would do too, but needs a kernel module
# containers often lack.) Needs root or CAP_SYS_ADMIN; fails loudly without it.
# Usage: in_netns.sh ADDRESS COMMAND [ARG...]; the address is passed on as CH_OFF_LOOPBACK_ADDR.
set -eu
address=$1
shift
exec unshare --net -- sh -eu -c '
ip link set lo up
ip address add "$0/32" dev lo
CH_OFF_LOOPBACK_ADDR=$0 exec "$@"
' "$address" "$@"
