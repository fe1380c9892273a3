#!/usr/bin/env bash
# The man pages format without a single mandoc warning or error (style notes aside).
# Usage: man_lint.sh MAN_DIR
set -euo pipefail
dir=$1

command -v mandoc >/dev/null || {
  echo "FAIL: mandoc is not installed (scripts/install-deps.sh installs it)" >&2
  exit 1
}
shopt -s nullglob
pages=("$dir"/*.[1-8])
((${#pages[@]} == 4)) || {
  echo "FAIL: expected 4 man pages in $dir, found ${#pages[@]}: ${pages[*]}" >&2
  exit 1
}

status=0
for page in "${pages[@]}"; do
  # -Tlint exits 0 only when nothing at or above the -W level was found.
  if out=$(mandoc -Tlint -W warning "$page" 2>&1) && [[ -z $out ]]; then
    echo "ok: $page"
  else
    echo "FAIL: $page"$'\n'"$out" >&2
    status=1
  fi
done
exit $status
