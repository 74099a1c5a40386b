#!/usr/bin/env bash
# Reads the shared EU DCC picture corpus (every case's 2DCODE PNG and the
# png/ folders under ../shared/testdata/dcc) with `doorcheck qr decode`
# and with Debian's zbarimg, in the same run: how many each reads as its
# case's HC1 text, and the time per image over the whole corpus in one
# process (ROUNDS rounds, alternating; medians). zbarimg needs
# `apt-get install zbar-tools`; the test suite never needs it
# (TestDCCPictureCorpus asserts doorcheck's count).
#
#   bash scanner/qrimage/testdata/bench_dcc_corpus.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../../.."
rounds=${1:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/doorcheck" ./cmd/doorcheck
mkdir "$work/png"
python3 - "$work" <<'PY'
import base64, glob, json, os, shutil, sys
work = sys.argv[1]
root = "../shared/testdata/dcc"
want = {}
for p in sorted(glob.glob(root + "/**/*.json", recursive=True)):
    try:
        c = json.load(open(p))
    except ValueError:
        continue
    if not isinstance(c, dict) or not c.get("2DCODE"):
        continue
    name = os.path.relpath(p, root).replace("/", "_")[:-5] + ".png"
    open(os.path.join(work, "png", name), "wb").write(base64.b64decode(c["2DCODE"]))
    want[name] = c.get("PREFIX", "")
for p in sorted(glob.glob(root + "/**/png/*.png", recursive=True)):
    name = os.path.relpath(p, root).replace("/", "_")
    shutil.copy(p, os.path.join(work, "png", name))
    want[name] = ""
json.dump(want, open(os.path.join(work, "want.json"), "w"))
PY
count() { # TOOL: images read as their case's text, one process per image
  python3 - "$work" "$1" <<'PY'
import json, os, subprocess, sys
work, tool = sys.argv[1], sys.argv[2]
want = json.load(open(os.path.join(work, "want.json")))
cmd = {"doorcheck": [os.path.join(work, "doorcheck"), "qr", "decode"], "zbarimg": ["zbarimg", "-q", "--raw"]}[tool]
ok = 0
for name, text in sorted(want.items()):
    r = subprocess.run(cmd + [os.path.join(work, "png", name)], capture_output=True)
    got = r.stdout.decode("utf-8", "replace").rstrip("\n")
    if r.returncode == 0 and "\n" not in got and (got == text if text else got.startswith("HC1:")):
        ok += 1
    else:
        print(f"  {tool} does not read {name}", file=sys.stderr)
print(f"{ok} of {len(want)}")
PY
}
n=$(ls "$work/png" | wc -l)
echo "nproc: $(nproc); CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); zbarimg: $(zbarimg --version 2>/dev/null || echo none)"
echo "images: $n"
echo "doorcheck qr decode reads $(count doorcheck)"
command -v zbarimg >/dev/null && echo "zbarimg reads $(count zbarimg)"
per() { # CMD...: ms per image over the corpus in one process
  local s e; s=$(date +%s%N); "$@" "$work"/png/*.png >/dev/null 2>&1 || true; e=$(date +%s%N)
  echo "scale=2; ($e - $s) / 1000000 / $n" | bc
}
d=(); z=()
for r in $(seq "$rounds"); do
  echo "round $r: $(uptime | sed 's/.*load/load/')"
  d+=("$(per "$work/doorcheck" qr decode)")
  command -v zbarimg >/dev/null && z+=("$(per zbarimg -q --raw)")
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2 }'; }
echo "doorcheck qr decode, all images in one process: ${d[*]} ms per image, median $(median "${d[@]}")"
if [ ${#z[@]} -gt 0 ]; then
  echo "zbarimg, all images in one process:            ${z[*]} ms per image, median $(median "${z[@]}")"
  echo "ratio doorcheck / zbarimg: $(echo "scale=2; $(median "${d[@]}") / $(median "${z[@]}")" | bc)"
fi
