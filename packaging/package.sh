#!/bin/sh
# Build the doorcheck appliance .deb packages: static (CGO_ENABLED=0,
# -trimpath) doorcheck and doorcheck-hub for each architecture, packed by
# nfpm (pinned in go.mod as a tool: go tool nfpm) with packaging/nfpm.yaml.
#
#   packaging/package.sh [VERSION [ARCH...]]    (or: make package VERSION=…)
#
# VERSION defaults to 0.0.0-dev (packaged as 0.0.0~dev); ARCH is amd64,
# arm64 or armhf (Raspberry Pi OS 32-bit: GOARCH=arm GOARM=7), all three by
# default. Output: $DOORCHECK_DIST (default dist/)/doorcheck_VERSION_ARCH.deb.
# File dates in the packages are SOURCE_DATE_EPOCH, by default the last
# commit's time, so the same commit gives the same package.
#
# The package architecture lives in deb_arch, never in GOARCH: a GOARCH in
# the environment would make `go tool` build nfpm itself for that
# architecture. GOARCH and GOARM are set only on the go build command line.
set -eu
cd "$(dirname "$0")/.."
version=${1:-0.0.0-dev}
[ $# -gt 0 ] && shift
arches=${*:-amd64 arm64 armhf}
out=${DOORCHECK_DIST:-dist}
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || date +%s)
fi
export SOURCE_DATE_EPOCH

for deb_arch in $arches; do
	case $deb_arch in
	amd64 | arm64 | armhf) ;;
	*)
		echo "package.sh: unknown architecture $deb_arch (amd64, arm64, armhf)" >&2
		exit 2
		;;
	esac
done
mkdir -p "$out"
# Build nfpm for this machine once, before any cross build.
go tool -n nfpm >/dev/null

bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT INT TERM
for deb_arch in $arches; do
	case $deb_arch in
	amd64) goarch=amd64 goarm= ;;
	arm64) goarch=arm64 goarm= ;;
	armhf) goarch=arm goarm=7 ;;
	esac
	start=$(date +%s)
	rm -rf "$bin/$deb_arch"
	mkdir -p "$bin/$deb_arch"
	CGO_ENABLED=0 GOOS=linux GOARCH=$goarch GOARM=$goarm \
		go build -trimpath -ldflags "-s -w -buildid=" -o "$bin/$deb_arch/" ./cmd/doorcheck ./cmd/doorcheck-hub
	deb="$out/doorcheck_${version}_${deb_arch}.deb"
	DOORCHECK_VERSION=$version DOORCHECK_DEB_ARCH=$deb_arch DOORCHECK_BIN=$bin/$deb_arch \
		go tool nfpm package --config packaging/nfpm.yaml --packager deb --target "$deb" >&2
	echo "$deb $(wc -c <"$deb" | tr -d ' ') bytes, $(($(date +%s) - start)) s"
done
