#!/usr/bin/env bash
# System test: boots this machine's own root file system as a systemd-nspawn container (an
# overlay, so the host is untouched), installs the .deb in it and checks the packaged service
# under a real systemd: the package's scripts, `claude-harnessctl install`, readiness, reload,
# the D-Bus policy, the log level, restart after a crash without orphans, agent jobs in systemd
# scopes (cancelled, and across a crash), a clean stop,
# `install --docker` reached from another network namespace, uninstall and purge. Run as root:
#   tests/system/run.sh PATH/TO/claude-harness_*.deb PATH/TO/fake-claude
# Checks go on after a failure (no `set -e`); steps the rest depends on call die.
set -uo pipefail

# Blocked signals are inherited: if the caller left SIGTERM blocked, every process started
# here, inside the container too, would ignore the container's shutdown. Start clean.
if [[ -z ${CH_SYSTEM_SIGMASK_CLEARED-} ]]; then
    export CH_SYSTEM_SIGMASK_CLEARED=1
    exec perl -MPOSIX -e 'sigprocmask(SIG_SETMASK, POSIX::SigSet->new) or die; exec @ARGV or die' \
        -- "$0" "$@"
fi
if (($# != 2)); then
    echo "usage: $0 DEB FAKE_CLAUDE" >&2
    exit 2
fi
deb=$(realpath -e "$1") || exit 2
fake=$(realpath -e "$2") || exit 2
here=$(dirname "$(realpath "$0")")
if ((EUID != 0)); then
    echo "FAIL $0 must run as root (it boots a container)" >&2
    exit 1
fi
for tool in systemd-nspawn nsenter unshare setpriv ip curl; do
    command -v "$tool" >/dev/null || { echo "FAIL $tool is missing (scripts/install-deps.sh)" >&2; exit 1; }
done

source "$here/lib.sh"
source "$here/container.sh"
source "$here/network.sh"
source "$here/setup.sh"
source "$here/checks_service.sh"
source "$here/checks_lifecycle.sh"
source "$here/checks_docker.sh"
source "$here/checks_agent.sh"

started=$SECONDS
cleanup() {
    local rc=$?
    net_teardown
    ct_teardown
    echo "== system test finished in $((SECONDS - started)) s"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ct_boot
# Before the package starts the daemon, so that the Docker bridge address exists when the
# daemon is told to listen on it.
net_setup || die "cannot set up the docker0 bridge and the router namespace"
install_package
configure_provider
check_service
check_reload
check_bus_policy
check_log_level
check_crash_restart
check_agent_scope
check_agent_crash
check_stop
check_docker
check_uninstall
check_purge

if ((failures)); then
    echo "FAIL $failures system check(s) failed" >&2
    exit 1
fi
echo "== all system checks passed"
