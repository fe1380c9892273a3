#!/usr/bin/env bash
# Builds claude-harnessd and runs it in the foreground with the default configuration
# (etc/config.toml: 127.0.0.1:8013, the `claude` on PATH and its login). Extra arguments go
# to the daemon, e.g. --config my.toml or --log-level debug. Run as root on Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCH_BUILD_TESTS=OFF >/dev/null
ninja -C build/release claude-harnessd
exec build/release/daemon/claude-harnessd --config etc/config.toml "$@"
