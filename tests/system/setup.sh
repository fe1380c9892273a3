# Sourced by run.sh: install the package in the container, and set it up with
# `claude-harnessctl install` to run the fake CLI as a test user with a Claude login.

test_user=chtest
fake_path=/usr/local/bin/fake-claude
unit=claude-harness

install_package() {
    local name out rc=0
    name=$(basename "$deb")
    forget_host_installation
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

# The container starts as a copy of this machine: take back what an earlier installation here
# left, so that what the package must do is not already done. And a Docker-built image's
# policy-rc.d (exit 101) would keep the package's scripts from starting and stopping the unit.
forget_host_installation() {
    ct rm -f /usr/sbin/policy-rc.d
    if ct dpkg-query -W claude-harness >/dev/null 2>&1; then
        echo "note: this machine has claude-harness installed; purging it in the container"
        ct --timeout 300 env DEBIAN_FRONTEND=noninteractive apt-get purge -y claude-harness \
            >/dev/null 2>&1 || die "cannot purge this machine's claude-harness in the container"
    fi
    if ct getent passwd claude-harness >/dev/null; then
        ct userdel claude-harness || die "cannot remove this machine's user claude-harness"
    fi
    if ct getent group claude-harness >/dev/null; then
        ct groupdel claude-harness || die "cannot remove this machine's group claude-harness"
    fi
}

# The test user, its login (the fake CLI is ready with any unexpired access token) and the
# fake CLI as the provider's executable, set up by `claude-harnessctl install`.
configure_provider() {
    ct_copy "$fake" "$fake_path" 0755 || die "cannot copy $fake into the container"
    ct useradd --create-home --shell /bin/bash "$test_user" || die "cannot create user $test_user"
    local expires=$((($(date +%s) + 86400) * 1000))
    ct runuser -u "$test_user" -- install -d -m 0700 "/home/$test_user/.claude" ||
        die "cannot create ~$test_user/.claude"
    printf '{"claudeAiOauth":{"accessToken":"x","refreshToken":"y","expiresAt":%s}}\n' \
        "$expires" | ct_write "/home/$test_user/.claude/.credentials.json" 0600
    ct chown "$test_user:" "/home/$test_user/.claude/.credentials.json"
    # Only to keep the stop check short: a hanging job is cancelled after 1 s, not 10.
    ct_write /etc/claude-harness/config.d/40-test.toml <<<$'[limits]\nshutdown_grace = "1s"'

    echo "== claude-harnessctl install --user $test_user --claude $fake_path"
    local out rc=0
    out=$(ct --timeout 120 claude-harnessctl install --user "$test_user" --claude "$fake_path" 2>&1) ||
        rc=$?
    ((rc == 0)) || die "claude-harnessctl install exited $rc" "$out$(unit_log)"
    pass "claude-harnessctl install sets the service up and its test answers"
    check "the drop-in shows the service $test_user's ~/.claude" \
        grep -qx "BindPaths=-/home/$test_user/.claude" "/etc/systemd/system/$unit.service.d/50-install.conf"
    wait_ready "the service is ready with the fake CLI as $test_user"

    local before
    before=$(main_pid)
    out=$(ct --timeout 120 claude-harnessctl install --user "$test_user" --claude "$fake_path" 2>&1)
    rc=$?
    if ((rc != 0)); then
        fail "claude-harnessctl install, run again, exited $rc" "$out"
    elif grep -Eq '^(wrote|created|removed):' <<<"$out" || [[ $(main_pid) != "$before" ]]; then
        fail "claude-harnessctl install, run again, changed something" \
            "main process $before before, $(main_pid) after"$'\n'"$out"
    else
        pass "claude-harnessctl install, run again, changes nothing"
    fi
}

main_pid() { ct systemctl show -p MainPID --value "$unit"; }

# wait_ready DESCRIPTION: waits until `claude-harnessctl status` says ready (exit 0).
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
