#!/usr/bin/env bash
# Builds and lints both packages from the working tree's tracked files: the .deb with
# lintian (scripts/build-deb.sh) and the RPM with rpmlint (scripts/build-rpm.sh), into
# build/packages/. Exits non-zero if either fails. Run as root on Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== Debian package"
scripts/build-deb.sh
echo "== RPM package"
scripts/build-rpm.sh
