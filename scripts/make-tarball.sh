#!/usr/bin/env bash
# Writes build/packages/claude-harness-VERSION.tar.gz from the files git tracks, as they are in
# the working tree (uncommitted edits included), under the top directory
# claude-harness-VERSION/, the layout `git archive --prefix=claude-harness-VERSION/ HEAD`
# makes for a clean checkout. Prints the tarball's path. VERSION is CMake's project version.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/^project(claude-harness VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
[[ -n $version ]] || { echo "no project version in CMakeLists.txt" >&2; exit 1; }
out=build/packages
tarball=$out/claude-harness-$version.tar.gz
mkdir -p "$out"

# A tracked file deleted in the working tree is left out, as a commit would leave it out.
git ls-files -z | while IFS= read -r -d '' f; do
  [[ -e $f || -L $f ]] && printf '%s\0' "$f"
done | tar --null -T - --sort=name --owner=0 --group=0 --numeric-owner \
  --mtime="@$(git log -1 --format=%ct)" --transform="s,^,claude-harness-$version/,S" \
  -cf - | gzip -n >"$tarball"
echo "$tarball"
