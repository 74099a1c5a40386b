#!/usr/bin/env bash
# Times Debian's zbarimg and gozxing on the same 640x480 QR frames, in one
# run, for docs/benchmarks.md. Needs zbar-tools (apt-get install zbar-tools);
# the test suite never does.
set -euo pipefail
cd "$(dirname "$0")/../../.."
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go test ./scanner/qrimage -run '^TestWriteBenchFrames$' -count=1 -args -frames-out "$dir" >/dev/null

# zbarimg must read every frame, or its time means nothing.
decoded=$(zbarimg --raw -q "$dir"/frame-*.png 2>/dev/null | wc -l)
[ "$decoded" -eq 20 ] || { echo "zbarimg decoded $decoded of 20 frames" >&2; exit 1; }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# (a) one zbarimg process per image, process start included.
for i in $(seq 1 20); do
  f=$(printf '%s/frame-%02d.png' "$dir" $((i-1)))
  s=$(date +%s%N); zbarimg --raw -q "$f" >/dev/null 2>&1; e=$(date +%s%N)
  echo $(( (e - s) / 1000 ))
done | median > "$dir/a"
# (b) one zbarimg process over all 20 images, per image.
for r in 1 2 3 4 5; do
  s=$(date +%s%N); zbarimg --raw -q "$dir"/frame-*.png >/dev/null 2>&1; e=$(date +%s%N)
  echo $(( (e - s) / 1000 / 20 ))
done | median > "$dir/b"
# (c) gozxing in process, per image (PNG decode included).
go test ./scanner/qrimage -run '^$' -bench Decode640x480 -benchtime 50x -count 5 |
  awk '/^BenchmarkDecode640x480/ {print int($3/1000)}' | median > "$dir/c"

a=$(cat "$dir/a"); b=$(cat "$dir/b"); c=$(cat "$dir/c")
echo "nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(zbarimg --version 2>&1 | head -1 | sed 's/^/zbarimg /')"
echo "zbarimg, one process per image (median µs):   $a"
echo "zbarimg, 20 images per process (median µs):  $b"
echo "gozxing in process (median µs):               $c"
awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN { printf "gozxing/zbarimg: %.2f (per process), %.2f (amortised)\n", c/a, c/b }'
