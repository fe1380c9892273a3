# Sourced by run.sh: the daemon on the Docker bridge address with API keys, called from
# another network namespace as a container would.

check_docker() {
    echo "== install --docker: 172.17.0.1:8013 with an API key, from the router namespace"
    local out rc=0 key
    out=$(ct --timeout 120 claude-harnessctl install --user "$test_user" --claude "$fake_path" \
        --docker 2>&1) || rc=$?
    if ((rc == 0)); then
        pass "claude-harnessctl install --docker"
    else
        fail "claude-harnessctl install --docker exited $rc" "$out$(unit_log)"
        return
    fi
    key=$(ct grep -v '^#' /etc/claude-harness/api-keys | head -n 1)
    [[ -n $key ]] || fail "install --docker left no key in /etc/claude-harness/api-keys"
    if grep -Eq "API key: +$key" <<<"$out"; then
        pass "install --docker printed the key for the router"
    else
        fail "install --docker did not print the key from /etc/claude-harness/api-keys" "$out"
    fi
    local url=http://172.17.0.1:8013/v1/chat/completions
    local body='{"model": "sonnet", "messages": [{"role": "user", "content": "Hello"}]}'
    expect_status "POST $url with the key" 200 -H "Authorization: Bearer $key" -d "$body" "$url"
    expect_status "POST $url without a key" 401 -d "$body" "$url"
    expect_status "POST $url with a wrong key" 401 -H "Authorization: Bearer wrong" -d "$body" "$url"
}

# expect_status DESCRIPTION CODE CURL_ARGS...: curl from the router namespace.
expect_status() {
    local desc=$1 want=$2 got
    shift 2
    got=$(in_router curl -sS -o "$ct_dir/response" -w '%{http_code}' "$@" 2>&1)
    if [[ $got == "$want" ]]; then
        pass "$desc: $got"
    else
        fail "$desc: HTTP $got, expected $want" "$(cat "$ct_dir/response" 2>/dev/null)"
    fi
    rm -f "$ct_dir/response"
}
