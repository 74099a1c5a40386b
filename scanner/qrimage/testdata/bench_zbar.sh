#!/usr/bin/env bash
# bench_zbar.sh times Debian's zbarimg and the in-process gozxing decoder
# (BenchmarkDecode640x480) on the same 20 640x480 PNG frames, in one run, for
# docs/benchmarks-qr.md. It needs zbar-tools (apt-get install zbar-tools);
# the test suite never does.
#
#   (a) zbarimg --raw -q on one file, 20 runs: median wall time per process
#   (b) one zbarimg --raw -q over all 20 files, 5 runs: median of time / 20
#   (c) go test -bench Decode640x480 -count 5: median ns/op (per image)
#
# Usage: bash scanner/qrimage/testdata/bench_zbar.sh   (from anywhere)
set -euo pipefail
cd "$(dirname "$0")/../../.."
command -v zbarimg >/dev/null || { echo "zbarimg not found: apt-get install zbar-tools" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

go test ./scanner/qrimage -run '^TestWriteBenchFrames$' -count=1 -args -out "$dir" >/dev/null
files=("$dir"/frame-*.png)
[ "${#files[@]}" -eq 20 ] || { echo "expected 20 frames, got ${#files[@]}" >&2; exit 1; }

# zbarimg must read every frame, or its time means nothing.
decoded=$(zbarimg --raw -q "${files[@]}" 2>/dev/null | grep -c '^DC1:' || true)
[ "$decoded" -eq 20 ] || { echo "zbarimg decoded $decoded of 20 frames" >&2; exit 1; }

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
now() { date +%s%N; }

# zbarimg's stderr (on this Debian build, D-Bus connection noise) is
# discarded in every run.

# (0) the timing harness itself: starting /bin/true the same way.
for _ in $(seq 20); do
  s=$(now); /bin/true; e=$(now)
  echo "$(( e - s ))"
done | median >"$dir/z"

# (a) one zbarimg process on one file, process start included; 20 runs.
for _ in $(seq 20); do
  s=$(now); zbarimg --raw -q "${files[0]}" >/dev/null 2>&1; e=$(now)
  echo "$(( e - s ))"
done | median >"$dir/a"

# (b) one zbarimg process over all 20 files, per image; 5 runs.
for _ in $(seq 5); do
  s=$(now); zbarimg --raw -q "${files[@]}" >/dev/null 2>&1; e=$(now)
  echo "$(( (e - s) / 20 ))"
done | median >"$dir/b"

# (c) gozxing in process, per image (PNG decode included); 5 runs.
go test ./scanner/qrimage -run '^$' -bench '^BenchmarkDecode640x480$' -count 5 >"$dir/bench.txt"
awk '/^BenchmarkDecode640x480/ {print $3}' "$dir/bench.txt" | median >"$dir/c"

z=$(cat "$dir/z"); a=$(cat "$dir/a"); b=$(cat "$dir/b"); c=$(cat "$dir/c")
echo "nproc: $(nproc)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "zbarimg: $(zbarimg --version 2>&1 | head -1)"
echo "go: $(go version)"
echo "go bench ns/op: $(awk '/^BenchmarkDecode640x480/ {printf "%s ", $3}' "$dir/bench.txt")"
awk -v z="$z" -v a="$a" -v b="$b" -v c="$c" 'BEGIN {
  printf "(0) harness: /bin/true, one process, median:      %8.2f ms\n", z/1e6
  printf "(a) zbarimg, one process per image, median:      %8.2f ms\n", a/1e6
  printf "(b) zbarimg, 20 images per process, per image:    %8.2f ms\n", b/1e6
  printf "(c) gozxing in process, per image, median:        %8.2f ms\n", c/1e6
  printf "gozxing/zbarimg: %.2f against (a), %.2f against (b)\n", c/a, c/b
}'
