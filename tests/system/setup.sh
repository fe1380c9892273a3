# Sourced by run.sh: install the package in the container and point it at the fake CLI,
# run as a test user with a Claude login in its home.

test_user=chtest
fake_path=/usr/local/bin/fake-claude
unit=claude-harness

install_package() {
    local name out rc=0
    name=$(basename "$deb")
    # A Docker-built image's policy-rc.d (exit 101) would keep the package's scripts from
    # starting and stopping the unit, which is part of what is tested here.
    ct rm -f /usr/sbin/policy-rc.d
    ct_copy "$deb" "/root/$name" || die "cannot copy $deb into the container"
    echo "== apt-get install ./$name"
    out=$(ct --timeout 300 env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "/root/$name" 2>&1) || rc=$?
    ((rc == 0)) || die "apt-get install of the .deb exited $rc" "$out"
    pass "the package installs"
    check "the package created the user claude-harness" getent passwd claude-harness
    check_output "the package enabled the unit" '^enabled$' systemctl is-enabled "$unit"
    check_output "the package started the unit" '^active$' systemctl is-active "$unit"
}

# The test user, its login (the fake CLI is ready with any unexpired access token) and the
# fake CLI as the provider's executable.
configure_provider() {
    ct_copy "$fake" "$fake_path" 0755 || die "cannot copy $fake into the container"
    ct useradd --create-home --shell /bin/bash "$test_user" || die "cannot create user $test_user"
    local expires=$((($(date +%s) + 86400) * 1000))
    ct runuser -u "$test_user" -- install -d -m 0700 "/home/$test_user/.claude" ||
        die "cannot create ~$test_user/.claude"
    printf '{"claudeAiOauth":{"accessToken":"x","refreshToken":"y","expiresAt":%s}}\n' \
        "$expires" | ct_write "/home/$test_user/.claude/.credentials.json" 0600
    ct chown "$test_user:" "/home/$test_user/.claude/.credentials.json"

    # What `claude-harnessctl install --user` will do: the provider, and a drop-in that shows
    # the unit (ProtectHome=yes) exactly this user's Claude files.
    ct_write /etc/claude-harness/config.d/50-test.toml <<EOT
[[providers]]
name = "default"
user = "$test_user"
claude = "$fake_path"

[limits]
shutdown_grace = "1s"
EOT
    ct_write "/etc/systemd/system/$unit.service.d/50-run-as.conf" <<EOT
[Service]
ProtectHome=tmpfs
BindPaths=/home/$test_user/.claude
EOT
    ct systemctl daemon-reload || die "systemctl daemon-reload failed"
    restart_and_wait_ready "the service is ready with the fake CLI as $test_user"
}

# restart_and_wait_ready DESCRIPTION: restarts the unit and waits until
# `claude-harnessctl status` says ready (exit 0).
restart_and_wait_ready() {
    local out rc=0
    out=$(ct systemctl restart "$unit" 2>&1) || rc=$?
    ((rc == 0)) || die "systemctl restart $unit exited $rc" "$out$(unit_log)"
    wait_ready "$1"
}

wait_ready() {
    if poll 30 ct claude-harnessctl status; then
        pass "$1"
    else
        die "$1: not ready within 30 s" "$(ct claude-harnessctl status 2>&1)$(unit_log)"
    fi
}

# The unit's last journal lines, as context for a failure.
unit_log() {
    printf '\n-- journal of %s:\n' "$unit"
    ct journalctl -u "$unit" -n 30 --no-pager -o short-monotonic 2>&1
}
