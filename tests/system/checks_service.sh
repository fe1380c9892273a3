# Sourced by run.sh: the running service as systemd and its users see it.

check_service() {
    echo "== the running service"
    check_output "systemctl is-active" '^active$' systemctl is-active "$unit"
    check_output "claude-harnessctl status exits 0 and says ready" 'ready' claude-harnessctl status
    check_output "claude-harnessctl test answers" . claude-harnessctl test
}

# A reload (SIGHUP) picks up a new model from a new fragment, in the same process.
check_reload() {
    echo "== reload"
    local before after
    before=$(main_pid)
    ct_write /etc/claude-harness/config.d/60-reload.toml <<'EOT'
[[models]]
id = "claude-systest"
aliases = ["systest"]
cli_model = "sonnet"
provider = "default"
EOT
    check "systemctl reload" systemctl reload "$unit"
    # ExecReload only sends SIGHUP: wait for the daemon to serve the new model.
    if poll 15 models_list_has claude-systest; then
        pass "the reloaded configuration's model is served"
    else
        fail "after reload, /v1/models lacks claude-systest" \
            "$(ct curl -sS http://127.0.0.1:8013/v1/models 2>&1)$(unit_log)"
    fi
    check_output "the service is still active after reload" '^active$' systemctl is-active "$unit"
    after=$(main_pid)
    if [[ $after == "$before" && $before != 0 ]]; then
        pass "reload kept the main process ($before)"
    else
        fail "reload changed the main process: $before before, $after after"
    fi
}

models_list_has() { ct curl -sSf http://127.0.0.1:8013/v1/models | grep -q "\"$1\""; }

# The bus policy lets anyone read; the daemon refuses changes to callers that are neither root
# nor in the admin group.
check_bus_policy() {
    echo "== D-Bus access"
    check_output "nobody may run claude-harnessctl status" 'ready' \
        runuser -u nobody -- claude-harnessctl status
    check_fails "nobody may not cancel a job" 'allowed only to root|access ?denied' \
        runuser -u nobody -- claude-harnessctl cancel X
    check_fails "nobody may not reload" 'allowed only to root|access ?denied' \
        runuser -u nobody -- claude-harnessctl reload
    check_fails "the run-as user may not cancel a job" 'allowed only to root|not allowed|access ?denied' \
        runuser -u "$test_user" -- claude-harnessctl cancel X
}

check_log_level() {
    echo "== log level over org.freedesktop.LogControl1"
    check "systemctl service-log-level debug" systemctl service-log-level "$unit" debug
    check_output "the log level reads back as debug" '^debug$' \
        systemctl service-log-level "$unit"
    check "systemctl service-log-level info" systemctl service-log-level "$unit" info
}
