#!/usr/bin/env bash
# Builds claude-harness and runs the whole test suite: formatting, unit and integration tests,
# the official OpenAI client and the real Claude Code CLI, in a normal build and again under
# AddressSanitizer + UndefinedBehaviorSanitizer; then builds and lints the .deb and .rpm and
# tests the .deb in a systemd booted with systemd-nspawn. Run as root on Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
jobs=$(nproc)

scripts/install-deps.sh

echo "== npm packages for the end-to-end tests (pinned in tests/e2e/package-lock.json)"
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)

echo "== clang-format"
mapfile -t sources < <(git ls-files '*.cpp' '*.h' '*.hpp' '*.h.in' 2>/dev/null || find common daemon ctl tests bench -name '*.cpp' -o -name '*.h')
clang-format --dry-run --Werror "${sources[@]}"

run_suite() {
  local dir=$1; shift
  echo "== build $dir ($*)"
  cmake -S "$top" -B "$dir" -G Ninja "$@" >/dev/null
  ninja -C "$dir" -j"$jobs"
  echo "== test $dir"
  ctest --test-dir "$dir" --output-on-failure --timeout 900
}

run_suite build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
  run_suite build/sanitize -DCMAKE_BUILD_TYPE=Debug -DCH_SANITIZE=ON

echo "== packages (.deb with lintian, .rpm with rpmlint)"
scripts/build-packages.sh

echo "== system test: the .deb under a real systemd booted with systemd-nspawn"
debs=(build/packages/claude-harness_*_amd64.deb)
tests/system/run.sh "${debs[0]}" build/release/tests/fake-claude
