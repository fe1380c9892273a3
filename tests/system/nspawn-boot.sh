#!/usr/bin/env bash
# Runs in a private mount namespace (started by container.sh through unshare), so the tmpfs
# and the overlay below vanish with it however the test ends. Execs systemd-nspawn.
# $1: directory for the container's tmpfs; $2: machine name.
set -euo pipefail
mem=$1
name=$2

# The writable layer lives on a tmpfs: an upper directory on the root filesystem itself would
# make the overlay's layers overlap (the kernel refuses that).
mount -t tmpfs -o mode=0755 claude-harness-system "$mem"
mkdir "$mem/upper" "$mem/work" "$mem/root"
# Only the root filesystem is the lower layer; /proc, /sys, /dev and /run are nspawn's own.
mount -t overlay overlay -o "lowerdir=/,upperdir=$mem/upper,workdir=$mem/work" "$mem/root"
# nspawn keeps per-machine state here; a host without systemd as PID 1 may not have it.
mkdir -p /run/systemd/nspawn
mount -t tmpfs -o mode=0755 nspawn /run/systemd/nspawn

# --register=no: there may be no machined. --keep-unit: without systemd as the host's PID 1
# nspawn cannot have it create a scope for the container, so it stays in our cgroup.
keep_unit=()
[[ -d /run/systemd/system ]] || keep_unit=(--keep-unit)
# --private-network: the container's daemon must not collide with anything on the host's
# 127.0.0.1:8013; the Docker check adds its own veth link.
# systemd.firstboot=off: the first boot would otherwise wait at the firstboot prompt.
exec systemd-nspawn --quiet --directory="$mem/root" --machine="$name" \
    --register=no "${keep_unit[@]}" --private-network --console=read-only \
    --boot systemd.firstboot=off
