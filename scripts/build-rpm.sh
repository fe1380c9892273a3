#!/usr/bin/env bash
# Builds the RPM and source RPM from the working tree's tracked files and checks them with
# rpmlint: build/packages/rpm/RPMS/ARCH/claude-harness-VERSION-1.ARCH.rpm and
# build/packages/rpm/SRPMS/. Fails on any rpmlint error or warning but those
# packaging/rpm/claude-harness.rpmlintrc filters. Run as root on Debian 12, where rpmbuild
# needs --nodeps (its database knows no packages) and the spec's macro fallbacks.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

spec=packaging/rpm/claude-harness.spec
tarball=$(scripts/make-tarball.sh)
version=$(basename "$tarball" .tar.gz)
version=${version##*-}
spec_version=$(rpmspec -q --srpm --qf '%{version}\n' "$spec")
if [[ $spec_version != "$version" ]]; then
  echo "$spec is at $spec_version, CMakeLists.txt at $version" >&2
  exit 1
fi

top=$PWD/build/packages/rpm
rm -rf "$top"
mkdir -p "$top/SOURCES"
cp "$tarball" "$top/SOURCES/"
# Debian's brp-compress says #!/bin/sh but needs bash (read -d); under dash it leaves the
# man pages uncompressed.
rpmbuild --define "_topdir $top" --nodeps \
  --define "__brp_compress bash %{_rpmconfigdir}/brp-compress %{?_prefix}" -ba "$spec"

echo "== rpmlint"
rpmlint --strict -r packaging/rpm/claude-harness.rpmlintrc "$spec" "$top"/RPMS/*/*.rpm "$top"/SRPMS/*.rpm
