#!/usr/bin/env bash
# Times QR decoding of one 640x480 frame: gozxing in process against
# Debian's zbarimg, in one run, and prints the medians for
# docs/benchmarks.md. zbarimg needs `apt-get install zbar-tools`; without
# it its benchmarks skip. The test suite never needs it.
#
#   bash scanner/qrimage/testdata/bench_zbar.sh [COUNT]
set -euo pipefail
cd "$(dirname "$0")/../../.."
count=${1:-10}
out=$(go test ./scanner/qrimage -run '^$' -bench . -benchtime 1s -count "$count")

# median NAME FIELD: the median of FIELD ("ns/op" or "ns/image") over the
# runs of benchmark NAME, in microseconds.
median() {
  awk -v name="$1" -v unit="$2" '
    $1 ~ "^Benchmark" name "(-[0-9]+)?$" { for (i = 2; i < NF; i++) if ($(i+1) == unit) print $i }' <<<"$out" |
    sort -g | awk '{ v[NR] = $1 } END {
      if (NR == 0) { print "skipped"; exit }
      m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; printf "%.0f\n", m / 1000 }'
}
go_png=$(median Decode640x480 ns/op)
go_img=$(median DecodeImage640x480 ns/op)
zb_one=$(median Zbarimg640x480 ns/op)
zb_batch=$(median Zbarimg640x480Batch20 ns/image)

echo "nproc: $(nproc); CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "go: $(go env GOVERSION); zbarimg: $(zbarimg --version 2>/dev/null || echo none); runs per benchmark: $count"
echo "gozxing in process, PNG decode included (median µs): $go_png"
echo "gozxing in process, image in memory (median µs):     $go_img"
echo "zbarimg, one process per image (median µs):          $zb_one"
echo "zbarimg, 20 images per process (median µs/image):    $zb_batch"
if [[ $zb_one != skipped ]]; then
  awk -v g="$go_png" -v a="$zb_one" -v b="$zb_batch" 'BEGIN {
    printf "gozxing / zbarimg: %.2f per process, %.2f amortised\n", g / a, g / b }'
fi
