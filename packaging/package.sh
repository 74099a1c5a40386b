#!/bin/sh
# Build the doorcheck .deb packages: static (CGO_ENABLED=0, -trimpath)
# binaries for each architecture, packed by nfpm (pinned v2.45.2).
#   packaging/package.sh [VERSION] [ARCH...]   (default arches: amd64 arm64 armhf)
# Output: dist/doorcheck_VERSION_ARCH.deb
# The package architecture goes in DEB_ARCH_NAME, never GOARCH: a GOARCH in
# the environment would make Go build nfpm itself for that architecture.
set -eu
cd "$(dirname "$0")/.."
version=${1:-0.0.0-dev}
[ $# -gt 0 ] && shift
arches=${*:-amd64 arm64 armhf}
out=${DOORCHECK_DIST:-dist}
mkdir -p "$out"
if go tool -n nfpm >/dev/null 2>&1; then
	nfpm="go tool nfpm"
elif command -v nfpm >/dev/null 2>&1; then
	nfpm=nfpm
else
	nfpm="go run github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.2"
fi
for deb_arch_name in $arches; do
	case $deb_arch_name in
	amd64) goarch=amd64 goarm= ;;
	arm64) goarch=arm64 goarm= ;;
	armhf) goarch=arm goarm=7 ;;
	*) echo "package.sh: unknown architecture $deb_arch_name" >&2; exit 2 ;;
	esac
	bin=$(mktemp -d)
	trap 'rm -rf "$bin"' EXIT
	for cmd in doorcheck doorcheck-hub; do
		CGO_ENABLED=0 GOOS=linux GOARCH=$goarch GOARM=$goarm \
			go build -trimpath -ldflags "-s -w" -o "$bin/$cmd" "./cmd/$cmd"
	done
	DOORCHECK_VERSION=$version DOORCHECK_DEB_ARCH=$deb_arch_name DOORCHECK_BIN=$bin \
		$nfpm package --config packaging/nfpm.yaml --packager deb --target "$out/doorcheck_${version}_${deb_arch_name}.deb"
	rm -rf "$bin"
	trap - EXIT
done
