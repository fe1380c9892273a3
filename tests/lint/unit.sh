#!/usr/bin/env bash
# Checks the systemd unit and its sysusers.d and tmpfiles.d files with systemd's own tools:
# the unit verifies without a single warning, keeps every hardening setting of systemd's own
# services unless a comment says why not, and scores at most 2.6 in systemd-analyze security;
# the user and directories come out as the service expects.
# Usage: unit.sh UNIT DAEMON_BINARY SYSUSERS TMPFILES
set -euo pipefail
unit=$1 daemon=$2 sysusers=$3 tmpfiles=$4
max_exposure=2.6

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# verify needs ExecStart= to exist, so the copy runs the daemon just built.
mkdir "$tmp/unit"
copy=$tmp/unit/$(basename "$unit")
sed -E "s#^(ExecStart(Pre)?=)[^ ]*/claude-harnessd #\\1$daemon #" "$unit" >"$copy"
[[ $(grep -c "^ExecStart\(Pre\)\?=$daemon " "$copy") == 2 ]] ||
  fail "ExecStart= and ExecStartPre= do not both run claude-harnessd"

# verify exits 0 on unknown keys and bad values, so any output at all is a failure.
echo "== systemd-analyze verify"
systemd-analyze verify --man=no "$copy" >"$tmp/verify.out" 2>&1 ||
  fail "systemd-analyze verify: $(cat "$tmp/verify.out")"
[[ ! -s $tmp/verify.out ]] || fail "systemd-analyze verify: $(cat "$tmp/verify.out")"

# What all of systemd's own hardened services set. A setting of theirs that this unit leaves
# out must be named in a "# No Key=" comment.
echo "== hardening settings"
service_value() { sed -n "s/^$1=//p" "$unit"; }
for setting in LockPersonality=yes NoNewPrivileges=yes PrivateDevices=yes PrivateTmp=yes \
  ProtectClock=yes ProtectControlGroups=yes ProtectHome=yes ProtectHostname=yes \
  ProtectKernelLogs=yes ProtectKernelModules=yes ProtectKernelTunables=yes \
  ProtectProc=invisible ProtectSystem=strict RestrictNamespaces=yes RestrictRealtime=yes \
  RestrictSUIDSGID=yes SystemCallArchitectures=native SystemCallErrorNumber=EPERM; do
  [[ $(service_value "${setting%%=*}") == "${setting#*=}" ]] || fail "the unit lacks $setting"
done
[[ $(service_value SystemCallFilter) == @system-service* ]] ||
  fail "SystemCallFilter= does not start from @system-service"
for key in User PrivateNetwork IPAddressDeny PrivateUsers ProcSubset; do
  grep -q "^$key=" "$unit" || grep -q "^# No .*$key=" "$unit" ||
    fail "the unit neither sets $key= nor says why not in a '# No $key=' comment"
done
# A setting weaker than theirs has its reason on the line above.
awk '/^(AmbientCapabilities|BindPaths|CapabilityBoundingSet|DeviceAllow|KillMode|MemoryDenyWriteExecute|ReadWritePaths|RestrictAddressFamilies|StateDirectoryMode|User)=/ || /=(no|false)$/ {
       if (previous !~ /^#/) { print FILENAME ":" NR ": no comment says why: " $0; bad = 1 }
     }
     { previous = $0 }
     END { exit bad }' "$unit" || fail "a relaxation without a reason"

# The threshold is on the 0-100 scale: 26 allows 2.6.
echo "== systemd-analyze security"
threshold=$(awk -v m="$max_exposure" 'BEGIN { printf "%d", m * 10 }')
status=0
systemd-analyze security --offline=true --threshold="$threshold" --no-pager "$copy" \
  >"$tmp/security.out" 2>"$tmp/security.err" || status=$?
[[ ! -s $tmp/security.err ]] || fail "systemd-analyze security: $(cat "$tmp/security.err")"
exposure=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$tmp/security.out")
[[ -n $exposure ]] || fail "no overall exposure level in: $(cat "$tmp/security.out")"
echo "overall exposure level: $exposure (at most $max_exposure)"
awk -v e="$exposure" -v m="$max_exposure" 'BEGIN { exit !(e <= m) }' ||
  fail "exposure $exposure is above $max_exposure; the settings that count:
$(grep '✗' "$tmp/security.out")"
((status == 0)) || fail "systemd-analyze security exited $status"

# sysusers and tmpfiles into an empty root: the runner exists, its home is its own.
echo "== systemd-sysusers and systemd-tmpfiles"
root=$tmp/root
mkdir -p "$root/etc"
systemd-sysusers --root="$root" "$sysusers" 2>"$tmp/sysusers.err" ||
  fail "systemd-sysusers: $(cat "$tmp/sysusers.err")"
grep -v "^Creating \(group\|user\) 'claude-harness'" "$tmp/sysusers.err" &&
  fail "systemd-sysusers said more than it created"
grep -qx 'claude-harness:x:[0-9]*:[0-9]*:[^:]*:/var/lib/claude-harness/home:/usr/sbin/nologin' \
  "$root/etc/passwd" || fail "passwd entry: $(cat "$root/etc/passwd")"
grep -q '^claude-harness:x:' "$root/etc/group" || fail "no group claude-harness"
uid=$(awk -F: '$1 == "claude-harness" { print $3 ":" $4 }' "$root/etc/passwd")

systemd-tmpfiles --root="$root" --create "$tmpfiles" >"$tmp/tmpfiles.out" 2>&1 ||
  fail "systemd-tmpfiles: $(cat "$tmp/tmpfiles.out")"
[[ ! -s $tmp/tmpfiles.out ]] || fail "systemd-tmpfiles: $(cat "$tmp/tmpfiles.out")"
expect_dir() {
  local got
  got=$(stat -c '%a %u:%g' "$root$1") || fail "$1 was not created"
  [[ $got == "$2" ]] || fail "$1 is $got, expected $2"
}
# StateDirectoryMode= must agree, or systemd warns about the mode at every start.
expect_dir /var/lib/claude-harness "$(service_value StateDirectoryMode | sed 's/^0//') 0:0"
expect_dir /var/lib/claude-harness/home "700 $uid"
echo "ok"
