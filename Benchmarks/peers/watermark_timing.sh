#!/usr/bin/env bash
# Invisible-watermark speed alone (no attacks, no peers): `meld watermark embed --verbose` and
# `meld watermark detect --json` on the watermark benchmark's photos, N runs each, interleaved.
# Reports the median wall time of the marking / the search (decoding and encoding excluded, as in
# watermark.sh) and the median CPU time over all threads, which does not grow when other work
# shares the machine. The robustness table and the peers are watermark.sh.
#
#   Benchmarks/peers/watermark_timing.sh [RUNS] [OUT.md]     # default 9 runs, stdout
#
# MELD=path/to/meld uses that binary; otherwise meld is built in release (Benchmarks/.build-meld).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$(dirname "$HERE")")
RUNS=${1:-9}
OUT=${2:-/dev/stdout}
MELD=${MELD:-}
if [ -z "$MELD" ]; then
  (cd "$ROOT" && swift build -c release --product meld --scratch-path Benchmarks/.build-meld >&2)
  MELD="$ROOT/Benchmarks/.build-meld/release/meld"
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# The photos of watermark.sh: two 1.2 MP as bundled, the fig at 2 MP, the meadow at 12 MP.
"$MELD" convert "$ROOT/Samples/bridge_at_night.jpg" -o "$WORK/bridge_1.2MP.png"
"$MELD" convert "$ROOT/Samples/citrus_fruits.jpg" -o "$WORK/citrus_1.2MP.png"
"$MELD" resize "$ROOT/Samples/fig_in_red_bowl.jpg" --fill 1732x1172 -o "$WORK/fig_2MP.png"
"$MELD" resize "$ROOT/Samples/dandelion_meadow_16mp.jpg" --fill 4608x2592 -o "$WORK/dandelion_12MP.png"
python3 - "$MELD" "$WORK" "$RUNS" "$(uptime)" > "$OUT" <<'EOF'
import json, re, statistics, subprocess, sys
meld, work, runs, load = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
names = ["bridge_1.2MP", "citrus_1.2MP", "fig_2MP", "dandelion_12MP"]
t = {n: {"ew": [], "ec": [], "dw": [], "dc": []} for n in names}
for _ in range(runs):
    for n in names:
        out = subprocess.run([meld, "watermark", "embed", f"{work}/{n}.png", "--key", "timing", "--payload", "c0ffee0123456789",
                              "-o", f"{work}/{n}.marked.png", "--overwrite", "--verbose"], capture_output=True, text=True, check=True).stdout
        m = re.search(r"marked in ([0-9.]+) s \(CPU ([0-9.]+) s", out)
        t[n]["ew"].append(float(m.group(1))); t[n]["ec"].append(float(m.group(2)))
        d = json.loads(subprocess.run([meld, "watermark", "detect", f"{work}/{n}.marked.png", "--key", "timing", "--json"],
                                      capture_output=True, text=True, check=True).stdout)
        assert d["found"] and d["payload"] == "c0ffee0123456789", d
        t[n]["dw"].append(d["seconds"]); t[n]["dc"].append(d["cpu_seconds"])
med = lambda v: statistics.median(v)
print(f"meld watermark timing, {runs} interleaved runs per photo; at the start: {load.strip()}\n")
print("| photo | embed wall s | embed CPU s | detect wall s | detect CPU s |")
print("|---|---:|---:|---:|---:|")
for n in names:
    x = t[n]
    print(f"| {n} | {med(x['ew']):.4f} | {med(x['ec']):.4f} | {med(x['dw']):.4f} | {med(x['dc']):.4f} |")
EOF
