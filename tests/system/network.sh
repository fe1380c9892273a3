# Sourced by run.sh: a Docker-like network without Docker. In the container (which has its
# own network namespace) a bridge docker0 with 172.17.0.1/16, as Docker's default bridge; a
# veth pair joins it to a new namespace "router" with 172.17.0.2/16, standing in for a
# container that calls the host's daemon.

net_router="chsys-router-$$"
net_ct_end="chsys$$c"  # interface names are limited to 15 bytes
net_router_end="chsys$$r"
net_up=""

net_setup() {
    net_up=1
    ip netns add "$net_router" &&
        ip link add "$net_ct_end" type veth peer name "$net_router_end" &&
        ip link set "$net_ct_end" netns "/proc/$ct_pid/ns/net" &&
        ip link set "$net_router_end" netns "$net_router" &&
        ip -n "$net_router" addr add 172.17.0.2/16 dev "$net_router_end" &&
        ip -n "$net_router" link set lo up &&
        ip -n "$net_router" link set "$net_router_end" up &&
        ct ip link add docker0 type bridge &&
        ct ip addr add 172.17.0.1/16 dev docker0 &&
        ct ip link set "$net_ct_end" master docker0 &&
        ct ip link set "$net_ct_end" up &&
        ct ip link set docker0 up
}

# in_router CMD...: runs CMD in the router namespace.
in_router() { ip netns exec "$net_router" timeout -k 5 60 "$@"; }

# Deleting the namespace deletes the veth pair; the container's docker0 goes with it.
net_teardown() {
    [[ -n $net_up ]] || return 0
    ip netns del "$net_router" 2>/dev/null || true
    ip link del "$net_router_end" 2>/dev/null || true
    ip link del "$net_ct_end" 2>/dev/null || true
}
