#!/usr/bin/env bash
# Builds claude-harnessd and runs it in the foreground with the default configuration
# (etc/config.toml: 127.0.0.1:8013) and one change for a development machine: the CLI runs
# as the invoking user (root, or $SUDO_USER) with that user's login, and state goes to
# build/run/state. Extra arguments go to the daemon, e.g. --log-level debug. Run as root on
# Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCH_BUILD_TESTS=OFF >/dev/null
ninja -C build/release claude-harnessd
run=build/run
mkdir -p "$run/config.d" "$run/state"
cp etc/config.toml "$run/config.toml"
cat >"$run/config.d/50-run.toml" <<EOF
[server]
state_dir = "$PWD/$run/state"

[[providers]]
name = "default"
user = "${SUDO_USER:-}"
EOF
exec build/release/daemon/claude-harnessd --config "$run/config.toml" --bus none "$@"
