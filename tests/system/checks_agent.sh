# Sourced by run.sh: an agent-mode job under the packaged unit (ProtectControlGroups=yes) runs
# in a transient systemd scope of its own, with the drop-in claude-harnessd(8) documents; a
# command its CLI detached into a session of its own dies when the job is cancelled, and when
# the daemon is killed, at its restart.

agent_root=/srv/claude-agent
scope_pattern="$unit-*-job-*.scope"

configure_agent() {
    echo "== an agent model, with the drop-in for its directory"
    ct install -d -o "$test_user" -m 0755 "$agent_root" || die "cannot create $agent_root"
    ct_write /etc/claude-harness/config.d/50-agent.toml <<TOML
[[models]]
id = "agent"
cli_model = "sonnet"
provider = "default"
[models.agent]
tools = ["Bash"]
allowed_roots = ["$agent_root"]
default_directory = "$agent_root"
TOML
    ct_write "/etc/systemd/system/$unit.service.d/60-agent.conf" <<INI
[Service]
ReadWritePaths=$agent_root
INI
    ct systemctl daemon-reload && ct systemctl restart "$unit" ||
        die "cannot restart $unit with the agent drop-in" "$(unit_log)"
    wait_ready "ready with an agent model"
}

# start_agent_job: prints the id of a new agent job whose CLI hangs after detaching a child
# into a session of its own.
start_agent_job() {
    ct curl -sf http://127.0.0.1:8013/v1/jobs \
        -d '{"model": "agent", "prompt": "FAKE[grandchild_setsid,hang]"}' | jq -r .id
}

job_status() { ct curl -sf "http://127.0.0.1:8013/v1/jobs/$1" | jq -r .status; }
job_status_is() { [[ $(job_status "$1") == "$2" ]]; }

job_scopes() { ct systemctl list-units --all --plain --no-legend --type=scope "$scope_pattern"; }
no_job_scope() { [[ -z $(job_scopes) ]]; }

# scope_procs SCOPE: the PIDs in the scope's cgroup (unified tree, or v1 name=systemd on a
# hybrid host).
scope_procs() {
    local cg
    cg=$(ct systemctl show -p ControlGroup --value "$1") || return 1
    ct sh -c "cat /sys/fs/cgroup/unified$cg/cgroup.procs 2>/dev/null ||
              cat /sys/fs/cgroup$cg/cgroup.procs"
}
none_alive() { ! alive "$@" >/dev/null; }
scope_holds_two() { (($(scope_procs "$1" | wc -l) >= 2)); }

# wait_agent_job_in_scope: prints "JOB SCOPE PID..." once the job runs and its scope holds the
# CLI and the detached child.
wait_agent_job_in_scope() {
    local job scope
    job=$(start_agent_job) && [[ -n $job && $job != null ]] ||
        { fail "no agent job was started" "$(unit_log)"; return 1; }
    poll 20 job_status_is "$job" running ||
        { fail "agent job $job is not running (status $(job_status "$job"))" "$(unit_log)"; return 1; }
    scope=$(job_scopes | awk '{print $1}')
    if [[ $(wc -w <<<"$scope") != 1 ]]; then
        fail "agent job $job runs in no scope of its own (scopes: '$scope')" "$(unit_log)"
        return 1
    fi
    poll 20 scope_holds_two "$scope" ||
        { fail "$scope does not hold the CLI and its child" "$(scope_procs "$scope")"; return 1; }
    echo "$job $scope $(scope_procs "$scope" | tr '\n' ' ')"
}

check_agent_scope() {
    configure_agent
    echo "== an agent job in a systemd scope, cancelled"
    local job scope pids line
    line=$(wait_agent_job_in_scope) || return
    read -r job scope pids <<<"$line"
    pass "agent job $job runs in $scope with its detached child ($pids)"
    local sessions
    sessions=$(ct ps -o sid= -p "${pids// /,}" | sort -u | wc -l)
    if ((sessions >= 2)); then
        pass "the child is in a session of its own, out of the CLI's process group"
    else
        fail "the scope's processes share one session" "$(ct ps -o pid,sid,args -p "${pids// /,}")"
    fi
    check "the job is cancelled" curl -sf -X DELETE "http://127.0.0.1:8013/v1/jobs/$job"
    poll 20 job_status_is "$job" cancelled || fail "job $job is not cancelled: $(job_status "$job")"
    # Killed before the job was reported cancelled; polled only for the reaping of zombies.
    # shellcheck disable=SC2086
    if poll 10 none_alive $pids; then
        pass "nothing of the cancelled job survives ($pids)"
    else
        fail "processes of the cancelled agent job survive" "$(alive $pids)"
    fi
    if poll 20 no_job_scope; then
        pass "its scope is gone"
    else
        fail "the scope of the cancelled job remains" "$(job_scopes)"
    fi
}

# kill -9 of the daemon during an agent job: the CLI dies with it, the detached child lives on
# in the scope (outside the unit's cgroup) until the restarted daemon kills the scope.
check_agent_crash() {
    echo "== kill -9 of the daemon during an agent job"
    local job scope pids line old
    line=$(wait_agent_job_in_scope) || return
    read -r job scope pids <<<"$line"
    old=$(main_pid)
    ct kill -9 "$old" || { fail "cannot kill -9 the main process $old"; return; }
    poll 30 restarted_from "$old" || { fail "no restart within 30 s after kill -9 of $old" "$(unit_log)"; return; }
    wait_ready "ready again after the crash during an agent job"
    # shellcheck disable=SC2086
    if poll 20 none_alive $pids; then
        pass "nothing of the agent job survives the crash and restart ($pids)"
    else
        fail "processes of the agent job survive the restart" "$(alive $pids)"
    fi
    if poll 20 no_job_scope; then
        pass "the leftover scope is gone"
    else
        fail "the scope of the crashed daemon's job remains" "$(job_scopes)"
    fi
    # Later checks expect the service as the package set it up.
    ct rm -f /etc/claude-harness/config.d/50-agent.toml "/etc/systemd/system/$unit.service.d/60-agent.conf"
    ct systemctl daemon-reload && ct systemctl restart "$unit"
    wait_ready "ready again without the agent model"
}
