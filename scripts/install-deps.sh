#!/usr/bin/env bash
# Installs what building and testing claude-harness needs on Debian 12 (run as root).
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ pkgconf
  libsystemd-dev libcpp-httplib-dev nlohmann-json3-dev libtomlplusplus-dev libspdlog-dev
  libfmt-dev libboost-test-dev
  # packages (scripts/build-packages.sh)
  build-essential debhelper dpkg-dev fakeroot lintian rpm rpmlint
  # tests
  clang-format curl dbus mandoc nodejs npm procps systemd systemd-journal-remote util-linux
  # the dashboard's charts (served from the package's files) and its browser tests
  libjs-chart.js chromium
  # promtool checks GET /metrics (tests/integration/test_metrics.cpp)
  prometheus
  # the system test (tests/system): boots this machine's root with systemd-nspawn
  iproute2 jq systemd-container
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node may come from elsewhere than Debian's package; any node >= 18 with npm will do.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}")
  missing=("${missing[@]/npm}")
fi
read -r -a missing <<<"${missing[*]}"
if ((${#missing[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
