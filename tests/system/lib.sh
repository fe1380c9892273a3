# Sourced by run.sh: assertions. Every failed check prints one FAIL line with its context and
# is counted; run.sh exits non-zero when any failed.

failures=0

pass() { echo "ok   $*"; }

fail() {
    echo "FAIL $1" >&2
    if [[ -n ${2-} ]]; then sed 's/^/     | /' <<<"$2" >&2; fi  # the context, indented
    failures=$((failures + 1))
}

# die MESSAGE [CONTEXT]: a failure after which the remaining checks cannot run.
die() {
    fail "$@"
    echo "FAIL aborting: the remaining checks depend on this one" >&2
    exit 1
}

# check DESCRIPTION CMD...: runs CMD in the container; exit 0 passes.
check() {
    local desc=$1 out rc=0
    shift
    out=$(ct "$@" 2>&1) || rc=$?
    if ((rc == 0)); then pass "$desc"; else fail "$desc: \`$*\` exited $rc" "$out"; fi
    return "$rc"
}

# check_output DESCRIPTION REGEX CMD...: CMD must exit 0 and print a line matching REGEX.
check_output() {
    local desc=$1 regex=$2 out rc=0
    shift 2
    out=$(ct "$@" 2>&1) || rc=$?
    if ((rc != 0)); then
        fail "$desc: \`$*\` exited $rc" "$out"
    elif ! grep -Eq -- "$regex" <<<"$out"; then
        fail "$desc: \`$*\` printed nothing matching /$regex/" "$out"
        rc=1
    else
        pass "$desc"
    fi
    return "$rc"
}

# poll SECONDS CMD...: runs CMD (on the host) until it succeeds; fails after SECONDS.
poll() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

# check_fails DESCRIPTION REGEX CMD...: CMD must exit non-zero and print a line matching REGEX.
check_fails() {
    local desc=$1 regex=$2 out rc=0
    shift 2
    out=$(ct "$@" 2>&1) || rc=$?
    if ((rc == 0)); then
        fail "$desc: \`$*\` succeeded" "$out"
        return 1
    elif ! grep -Eiq -- "$regex" <<<"$out"; then
        fail "$desc: \`$*\` exited $rc without /$regex/" "$out"
        return 1
    fi
    pass "$desc"
}
