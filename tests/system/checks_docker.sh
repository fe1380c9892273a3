# Sourced by run.sh: the daemon on the Docker bridge address with API keys, called from
# another network namespace as a container would.

api_key=chsys-0123456789abcdef

check_docker() {
    echo "== Docker bridge 172.17.0.1:8013 with an API key, from the router namespace"
    printf '%s\n' "$api_key" | ct_write /etc/claude-harness/api-keys 0600
    ct_write /etc/claude-harness/config.d/70-docker.toml <<'EOT'
[server]
listen = ["127.0.0.1:8013", "172.17.0.1:8013"]
api_keys_file = "/etc/claude-harness/api-keys"
EOT
    # Listen addresses need a restart.
    restart_and_wait_ready "ready listening on 172.17.0.1:8013"
    local url=http://172.17.0.1:8013/v1/chat/completions
    local body='{"model": "sonnet", "messages": [{"role": "user", "content": "Hello"}]}'
    expect_status "POST $url with the key" 200 -H "Authorization: Bearer $api_key" -d "$body" "$url"
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
