# Sourced by run.sh: boot this machine's own root as a systemd-nspawn container, run commands
# in it, tear it down.
#
# Commands enter the container with `nsenter --target <its PID 1> --all`: without machined
# (no systemd on the host) there is no registration, so `machinectl shell` and
# `systemd-run --machine` cannot reach it; nsenter needs only the PID. The entered process
# stays in the host's cgroup (invisible inside), which is fine for short commands.

ct_dir=""     # host directory: boot log, tmpfs mount point (mounted only inside nspawn's namespace)
ct_nspawn=""  # PID of systemd-nspawn (a child of this shell)
ct_pid=""     # host PID of the container's PID 1
ct_name="chsys-$$"
ct_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# ct [--timeout S] CMD...: runs CMD as root in the container with a clean environment;
# killed after S seconds (default 60) so that no check can hang the test. Never run it in the
# background: the container's shutdown stops every process with SIGSTOP first, nsenter then
# stops itself too and never reaps its child, and the shutdown waits for that child forever.
# Start lasting work as a transient unit (ct systemd-run ...) instead.
ct() {
    local limit=60
    if [[ $1 == --timeout ]]; then limit=$2; shift 2; fi
    nsenter --target "$ct_pid" --all -- \
        env -i PATH="$ct_path" HOME=/root LANG=C.UTF-8 TERM=dumb \
        timeout -k 5 "$limit" "$@"
}

# ct_boot: boots the container and waits until its systemd reports running or degraded;
# dies with the boot log when it cannot.
ct_boot() {
    ct_dir=$(mktemp -d /var/tmp/claude-harness-system.XXXXXX)
    mkdir "$ct_dir/mem"
    echo "== booting this machine's root in systemd-nspawn as $ct_name"
    # pdeathsig: if this script is killed outright, nspawn gets SIGTERM and halts the container.
    setpriv --pdeathsig TERM unshare --mount --propagation private -- \
        "$here/nspawn-boot.sh" "$ct_dir/mem" "$ct_name" </dev/null >"$ct_dir/boot.log" 2>&1 &
    ct_nspawn=$!

    local deadline=$((SECONDS + 120)) state=""
    while [[ -z $ct_pid ]]; do
        ct_alive || boot_failed "systemd-nspawn exited"
        ((SECONDS < deadline)) || boot_failed "no container init after 120 s"
        ct_pid=$(ct_find_init) || sleep 0.1
    done
    while :; do
        ct_alive || boot_failed "systemd-nspawn exited"
        # "offline" until the container's systemd accepts connections.
        state=$(ct --timeout 10 systemctl is-system-running 2>/dev/null) || true
        case $state in
            running) break ;;
            degraded)
                echo "note: the container booted degraded; failed units:"
                ct systemctl --failed --no-legend --plain --no-pager || true
                break ;;
            maintenance | stopping) boot_failed "the container's systemd is '$state'" ;;
        esac
        ((SECONDS < deadline)) || boot_failed "systemd not up after 120 s (state '$state')"
        sleep 0.2
    done
    echo "== container up: PID 1 is host PID $ct_pid, state $state"
}

ct_alive() { kill -0 "$ct_nspawn" 2>/dev/null; }

# The child of nspawn whose PID in its own namespace is 1.
ct_find_init() {
    local p
    for p in $(pgrep -P "$ct_nspawn"); do
        if [[ $(awk '/^NSpid:/ {print $NF}' "/proc/$p/status" 2>/dev/null) == 1 ]]; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

boot_failed() {
    echo "FAIL the container cannot boot: $1" >&2
    echo "     last lines of its console:" >&2
    tail -n 40 "$ct_dir/boot.log" >&2 || true
    exit 1
}

# ct_copy SRC DEST [MODE]: copies a host file into the container's file system.
ct_copy() { install -D -m "${3:-0644}" "$1" "/proc/$ct_pid/root$2"; }

# ct_write PATH [MODE] < CONTENT: writes a root-owned file in the container.
ct_write() { install -D -m "${2:-0644}" /dev/stdin "/proc/$ct_pid/root$1"; }

# ct_teardown: asks the container's systemd to halt, then kills its PID 1 (which ends every
# process in the container) if it has not halted in time. Killing nspawn alone would not do:
# the container outlives it. The overlay and the tmpfs exist only in nspawn's private mount
# namespace and disappear with it.
ct_teardown() {
    [[ -n $ct_nspawn ]] || return 0
    [[ -n $ct_pid ]] || ct_pid=$(ct_find_init) || ct_pid=""
    if [[ -n $ct_pid ]]; then
        # SIGRTMIN+3 is systemd's halt request; a systemd too early in its boot to have a
        # handler ignores it, so it is repeated each second until a deadline.
        local tries=0
        while kill -s RTMIN+3 "$ct_pid" 2>/dev/null &&
            ! timeout 1 tail --pid="$ct_pid" -f /dev/null; do
            if ((++tries == 20)); then
                echo "warning: the container did not halt within 20 s; killing it" >&2
                kill -KILL "$ct_pid" 2>/dev/null || true
                break
            fi
        done
    fi
    if ! timeout 10 tail --pid="$ct_nspawn" -f /dev/null; then
        kill -KILL "$ct_nspawn" 2>/dev/null || true
    fi
    wait "$ct_nspawn" 2>/dev/null || true
    # A mount would only be visible here if nspawn's namespace leaked; never delete through one.
    if mountpoint -q "$ct_dir/mem"; then
        echo "warning: $ct_dir/mem is still mounted; leaving $ct_dir" >&2
    else
        rm -rf "$ct_dir"
    fi
}
