#!/usr/bin/env bash
# Builds the Debian binary package from the working tree's tracked files and checks it with
# lintian: build/packages/claude-harness_VERSION_ARCH.deb (plus its -dbgsym .deb, .buildinfo
# and .changes). Fails on any lintian error or warning. Run as root on Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

tarball=$(scripts/make-tarball.sh)
out=$(dirname "$tarball")
src=$out/$(basename "$tarball" .tar.gz)
version=${src##*-}
changelog_version=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)
if [[ $changelog_version != "$version" ]]; then
  echo "packaging/debian/changelog is at $changelog_version, CMakeLists.txt at $version" >&2
  exit 1
fi

# dpkg-buildpackage writes its results next to the source directory, i.e. into $out.
rm -rf "$src" "$out"/claude-harness*_"${version}"_*
tar -xzf "$tarball" -C "$out"
mv "$src/packaging/debian" "$src/debian"
(cd "$src" && dpkg-checkbuilddeps && dpkg-buildpackage -us -uc -b)

changes=$(ls "$out"/claude-harness_"${version}"_*.changes)
deb=$(ls "$out"/claude-harness_"${version}"_*.deb)
echo "== lintian $changes"
lintian -I --pedantic --fail-on error,warning "$changes"

# bookworm's dh_installsystemd silently skips a unit outside /lib/systemd/system, and then
# the package neither enables nor starts it; make sure the scripts are there.
postinst=$(dpkg-deb -I "$deb" postinst)
for needed in systemd-sysusers deb-systemd-helper 'deb-systemd-invoke $_dh_action'; do
  grep -qF -- "$needed" <<<"$postinst" || { echo "postinst lacks $needed" >&2; exit 1; }
done
echo "$deb"
