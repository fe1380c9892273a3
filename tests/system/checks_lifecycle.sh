# Sourced by run.sh: crash and restart, stop, purge — each must leave no process behind.

# A CLI job that never answers, and a grandchild of it in its own session (out of the job's
# process group, still in the unit's cgroup), started as a transient unit of the container.
start_hanging_job() {
    ct systemctl reset-failed chsys-hang.service >/dev/null 2>&1
    ct systemd-run --quiet --unit=chsys-hang --collect -- \
        curl -s -o /dev/null --max-time 120 http://127.0.0.1:8013/v1/chat/completions \
        -d '{"model": "sonnet", "messages": [{"role": "user", "content": "FAKE[grandchild_setsid,hang]"}]}' ||
        return 1
    # The job's CLI, its grandchild (a fork, same command line) and the pre-started CLI that
    # replaces the one the job took (warm_pool = 1 by default).
    poll 20 fake_cli_count_is_at_least 3
}

# alive PID...: prints those of the container's PIDs that still run; fails if none does.
alive() { (($#)) && ct ps -o pid=,args= -p "$(IFS=,; echo "$*")"; }

# The brackets keep the pattern from matching the command line of pgrep's timeout wrapper.
fake_cli_pids() { ct pgrep -f '[f]ake-claude.*stream-json'; }
fake_cli_count_is_at_least() { (($(fake_cli_pids | wc -l) >= $1)); }

# The processes in the unit's cgroup, as the container's systemd tracks them (cgroup v1
# name=systemd on a hybrid host, the unified tree otherwise).
unit_procs() {
    ct sh -c "cat /sys/fs/cgroup/systemd/system.slice/$unit.service/cgroup.procs \
                  /sys/fs/cgroup/system.slice/$unit.service/cgroup.procs 2>/dev/null" || true
}

# kill -9 of the daemon while a job runs: systemd kills what is left in the cgroup and
# restarts the service (Restart=on-failure).
check_crash_restart() {
    echo "== kill -9 of the daemon during a job"
    start_hanging_job || { fail "the hanging job did not start" "$(fake_cli_pids)$(unit_log)"; return; }
    local old new="" cli
    old=$(main_pid)
    mapfile -t cli < <(fake_cli_pids)
    ct kill -9 "$old" || { fail "cannot kill -9 the main process $old"; return; }
    if poll 30 restarted_from "$old"; then
        new=$(main_pid)
        pass "restarted after kill -9 (main process $old, now $new)"
    else
        fail "no restart within 30 s after kill -9 of $old" \
            "$(ct systemctl status "$unit" --no-pager 2>&1)$(unit_log)"
    fi
    check_output "one automatic restart counted" '^1$' systemctl show -p NRestarts --value "$unit"
    local left
    if ! left=$(alive "${cli[@]}"); then
        pass "no CLI process of the killed daemon survives (${cli[*]})"
    else
        fail "CLI processes survived the killed daemon" "$left"
    fi
    wait_ready "ready again after the restart"
}

restarted_from() {
    local pid state
    pid=$(main_pid)
    state=$(ct systemctl is-active "$unit")
    [[ $state == active && $pid != 0 && $pid != "$1" ]]
}

# stop with a job running: the job is cancelled and nothing of the unit is left.
check_stop() {
    echo "== systemctl stop during a job"
    start_hanging_job || fail "the hanging job did not start" "$(fake_cli_pids)$(unit_log)"
    local t0=$SECONDS
    check "systemctl stop" systemctl stop "$unit"
    echo "     (stop took $((SECONDS - t0)) s)"
    check_output "the unit is inactive" '^inactive$' sh -c "systemctl is-active $unit || true"
    local procs
    mapfile -t procs < <(unit_procs)
    if ((${#procs[@]} == 0)); then
        pass "the unit's cgroup is empty"
    else
        fail "processes left in the unit's cgroup after stop" "$(alive "${procs[@]}")"
    fi
    local left
    if ! left=$(ct pgrep -a -f '[c]laude-harnessd|[f]ake-claude'); then
        pass "no daemon or CLI process is left"
    else
        fail "processes left after stop" "$left"
    fi
    check "systemctl start again" systemctl start "$unit"
    wait_ready "ready again after start"
}

install_files=(/etc/claude-harness/config.d/50-install.toml /etc/claude-harness/api-keys
    "/etc/systemd/system/$unit.service.d/50-install.conf")

check_uninstall() {
    echo "== claude-harnessctl uninstall"
    check "claude-harnessctl uninstall" claude-harnessctl uninstall
    local f
    for f in "${install_files[@]}"; do
        check "uninstall removed $f" test ! -e "$f"
    done
    check_output "the unit is stopped" '^inactive$' sh -c "systemctl is-active $unit || true"
    check_output "the unit is disabled" '^disabled$' sh -c "systemctl is-enabled $unit || true"
}

# Purge with install's files in place: they go too, as does everything else of the package.
check_purge() {
    echo "== apt-get purge after install --docker"
    check "claude-harnessctl install --docker again" --timeout 120 \
        claude-harnessctl install --user "$test_user" --claude "$fake_path" --docker
    ct rm -f /etc/claude-harness/config.d/40-test.toml /etc/claude-harness/config.d/60-reload.toml
    local out rc=0
    out=$(ct --timeout 300 env DEBIAN_FRONTEND=noninteractive apt-get purge -y claude-harness 2>&1) ||
        rc=$?
    if ((rc == 0)); then pass "apt-get purge"; else fail "apt-get purge exited $rc" "$out"; fi
    local path
    for path in /var/lib/claude-harness /etc/claude-harness "/etc/systemd/system/$unit.service.d" \
        "/lib/systemd/system/$unit.service"; do
        check "purge removed $path" test ! -e "$path"
    done
    check_output "systemd no longer knows the unit" '^not-found$' \
        systemctl show -p LoadState --value "$unit"
    local left
    if ! left=$(ct pgrep -a -f '[c]laude-harnessd|[f]ake-claude'); then
        pass "no daemon or CLI process is left after purge"
    else
        fail "processes left after purge" "$left"
    fi
}
