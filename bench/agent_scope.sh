#!/usr/bin/env bash
# What an agent-mode job's systemd scope costs under the packaged unit. Boots this machine's
# root in systemd-nspawn and installs the .deb with the fake CLI (tests/system), then sends N
# rounds of two non-streaming requests: one to an agent model (the CLI forked and held until
# StartTransientUnit has moved it into its scope, KillUnit at the end) and one to a plain model
# (the CLI vforked, no scope); neither takes a pre-started process (warm_pool = 0). Prints the
# p50 and p90 of curl's time_total for each and their ratio. Run as root:
#   bench/agent_scope.sh PATH/TO/claude-harness_*.deb PATH/TO/fake-claude [ROUNDS]
set -uo pipefail
if (($# < 2)); then
    echo "usage: $0 DEB FAKE_CLAUDE [ROUNDS]" >&2
    exit 2
fi
deb=$(realpath -e "$1") || exit 2
fake=$(realpath -e "$2") || exit 2
rounds=${3:-30}
here=$(dirname "$(realpath "$0")")/../tests/system
for part in lib container setup checks_agent; do
    source "$here/$part.sh"
done
trap ct_teardown EXIT

ct_boot
install_package
configure_provider
ct_write /etc/claude-harness/config.d/55-bench.toml <<TOML
[[providers]]
name = "default"
user = "$test_user"
claude = "$fake_path"
warm_pool = 0
TOML
configure_agent

# time_total of one request to MODEL, in milliseconds; fails unless it answered 200.
request_ms() {
    local out
    out=$(ct curl -s -o /dev/null -w '%{http_code} %{time_total}' \
        http://127.0.0.1:8013/v1/chat/completions \
        -d "{\"model\": \"$1\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}") ||
        return 1
    [[ $out == 200\ * ]] || return 1
    awk '{printf "%.1f\n", $2 * 1000}' <<<"$out"
}

# percentile P of the numbers on stdin
percentile() { sort -n | awk -v p="$1" '{v[NR] = $1} END {i = int((NR - 1) * p / 100) + 1; print v[i]}'; }

agent=() plain=() failed=0
for ((i = 0; i < rounds + 3; i++)); do
    a=$(request_ms agent) || { ((failed++)); continue; }
    p=$(request_ms claude-sonnet) || { ((failed++)); continue; }
    ((i < 3)) && continue  # warm-up
    agent+=("$a") plain+=("$p")
done
left=$(job_scopes)
a50=$(printf '%s\n' "${agent[@]}" | percentile 50) a90=$(printf '%s\n' "${agent[@]}" | percentile 90)
p50=$(printf '%s\n' "${plain[@]}" | percentile 50) p90=$(printf '%s\n' "${plain[@]}" | percentile 90)
echo "== ${#agent[@]} rounds (after 3 warm-up rounds), $failed failed request(s)"
echo "agent model, own scope:  p50 $a50 ms, p90 $a90 ms"
echo "plain model, no scope:   p50 $p50 ms, p90 $p90 ms"
awk -v a="$a50" -v p="$p50" 'BEGIN {printf "ratio at p50: %.2fx (+%.1f ms)\n", a / p, a - p}'
echo "job scopes left: ${left:-none}"
((failed == 0)) && [[ -z $left ]]
