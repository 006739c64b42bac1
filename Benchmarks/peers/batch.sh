#!/usr/bin/env bash
# Batch throughput, memory and kill/resume on a 200-item catalogue of product cards made from the
# bundled photos (Examples/Catalogue/card.yaml: fill to 1200², white balance, a harmonized
# cut-out, CJK title and price text, a visible and an invisible watermark; three outputs per item: 1200 px JPEG, 600 px WebP,
# 300 px thumbnail). Writes results/batch-latest.md.
#
#   Benchmarks/peers/batch.sh            # ITEMS=200 JOBS="1 2"
#
# Measures: items/s for --jobs 1 and 2 (whole `meld batch` process, median of RUNS runs); the
# resident memory after item 20 and after the last item (from the report's rssMiB) and the
# process's peak RSS; then a run killed with SIGKILL after half the items, resumed, and every
# output compared byte for byte with an uninterrupted run's.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH=$(dirname "$HERE")
ROOT=$(dirname "$BENCH")
ITEMS=${ITEMS:-200}
RUNS=${RUNS:-3}
JOBS=${JOBS:-"1 2"}
say() { echo "batch bench: $*" >&2; }

SCRATCH="$BENCH/.build-meld"
if [ -z "${MELD:-}" ]; then
  say "building meld (release)"
  swift build -c release --product meld --package-path "$ROOT" --scratch-path "$SCRATCH" --static-swift-stdlib 2>&1 \
    | grep -v "prohibited flag" | grep -E "error|warning: |Build" >&2 || true
  MELD="$(swift build -c release --package-path "$ROOT" --scratch-path "$SCRATCH" --static-swift-stdlib --show-bin-path)/meld"
fi
[ -x "$MELD" ] || { echo "batch.sh: no meld binary" >&2; exit 1; }

WORK="$HERE/work/batch"
rm -rf "$WORK"; mkdir -p "$WORK"
# The catalogue template with absolute sample paths and outputs under ${out}.
sed -e "s|../../Samples/|$ROOT/Samples/|g" -e 's|../../out/catalogue/|${out}/|g' "$ROOT/Examples/Catalogue/card.yaml" > "$WORK/card.yaml"
python3 - "$WORK" "$ITEMS" <<'PY'
import sys
work, n = sys.argv[1], int(sys.argv[2])
photos = ["citrus_fruits.jpg", "fig_in_red_bowl.jpg", "toy_bird_lamp.jpg", "bridge_at_night.jpg", "grace_hopper.jpg", "dandelion_meadow_16mp.jpg"]
titles = ["柑橘礼盒 Citrus box", "无花果 Fig bowl", "小鸟台灯 Bird lamp", "夜景海报 Night print", "经典肖像 Portrait", "蒲公英 Meadow print"]
accents = ["#ffd166", "#ef476f", "#06d6a0", "#118ab2", "#ffffff", "#f78c6b"]
rows = ["sku,photo,title,price,warmth,accent,mark"]
for i in range(n):
    p = i % len(photos)
    rows.append(f'SKU-{i+1:04d},{photos[p]},"{titles[p]} #{i+1}",¥{68 + i},{(i % 5 - 2) * 10},{accents[(i // 6 + p) % len(accents)]},{0x4d000000 + i + 1:08X}')
open(f"{work}/skus.csv", "w").write("\n".join(rows) + "\n")
PY
# Every row writes under its own output folder per run: add an `out` column.
add_out() { awk -v out="$1" 'NR==1 {print $0",out"; next} {print $0","out}' "$WORK/skus.csv" > "$2"; }

LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A RATE PEAK R20 RLAST WIN
for jobs in $JOBS; do
  rates=(); peaks=()
  for run in $(seq 1 "$RUNS"); do
    d="$WORK/j$jobs-r$run"; mkdir -p "$d"
    add_out "$d/out" "$d/skus.csv"
    /usr/bin/time -f "%M" -o "$d/peak" "$MELD" batch "$WORK/card.yaml" --manifest "$d/skus.csv" --jobs "$jobs" --set key=bench-key --progress none > "$d/summary" 2>&1
    rate=$(grep -o '([0-9.]* items/s)' "$d/summary" | tr -d '(' | cut -d' ' -f1)
    rates+=("$rate"); peaks+=("$(cat "$d/peak")")
    say "jobs $jobs run $run: $rate items/s, peak $(( $(cat "$d/peak") / 1024 )) MiB"
  done
  RATE[$jobs]=$(printf '%s\n' "${rates[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  PEAK[$jobs]=$(printf '%s\n' "${peaks[@]}" | sort -g | awk '{a[NR]=$1} END {printf "%d", a[int((NR+1)/2)]/1024}')
  rep="$WORK/j$jobs-r1/skus.report.jsonl"
  R20[$jobs]=$(sed -n 20p "$rep" | python3 -c 'import json,sys; print(json.load(sys.stdin)["rssMiB"])')
  RLAST[$jobs]=$(tail -1 "$rep" | python3 -c 'import json,sys; print(json.load(sys.stdin)["rssMiB"])')
  # With several jobs one snapshot depends on what the other jobs hold at that moment: also
  # compare the medians of items 11–30 and of the last 20, per run.
  WIN[$jobs]=$(for run in $(seq 1 "$RUNS"); do python3 -c "
import json, statistics as st
r = [json.loads(l)['rssMiB'] for l in open('$WORK/j$jobs-r$run/skus.report.jsonl')]
a, b = st.median(r[10:30]), st.median(r[-20:])
print(f'{a:.0f}→{b:.0f} ({(b - a) / a * 100:+.1f} %)', end='')"; echo -n "; "; done)
done

# Kill midway, resume, compare with an uninterrupted run (j2-r1).
K="$WORK/killed"; mkdir -p "$K"; add_out "$K/out" "$K/skus.csv"
"$MELD" batch "$WORK/card.yaml" --manifest "$K/skus.csv" --jobs 2 --set key=bench-key --progress none > /dev/null 2>&1 &
pid=$!
while [ "$( (cat "$K/skus.report.jsonl" 2>/dev/null || true) | wc -l)" -lt $((ITEMS / 2)) ]; do sleep 0.05; done
kill -9 $pid; wait $pid 2>/dev/null || true
before=$(wc -l < "$K/skus.report.jsonl")
tmps_after_kill=$(find "$K/out" -name '.*.meld-*.tmp' | wc -l)
"$MELD" batch "$WORK/card.yaml" --manifest "$K/skus.csv" --jobs 2 --set key=bench-key --progress none > "$K/summary" 2>&1
resumed=$(cat "$K/summary" | head -1)
ref="$WORK/j2-r1/out"; [ -d "$ref" ] || ref="$WORK/j1-r1/out"
same=0; differ=0; missing=0
while IFS= read -r f; do
  rel=${f#"$ref/"}
  if [ ! -f "$K/out/$rel" ]; then missing=$((missing+1)); elif cmp -s "$f" "$K/out/$rel"; then same=$((same+1)); else differ=$((differ+1)); fi
done < <(find "$ref" -type f)
tmps_left=$(find "$K/out" -name '.*.meld-*.tmp' | wc -l)

OUT="$HERE/results/batch-latest.md"
{
  echo "# meld batch: $ITEMS product cards ($(date -u +%Y-%m-%d), $(nproc) cores, load at start $LOAD)"
  echo
  echo "Template: Examples/Catalogue/card.yaml (fill 1200², white balance, a harmonized cut-out, two CJK text"
  echo "layers, a visible and a keyed invisible watermark; outputs 1200 px JPEG, 600 px WebP, 300 px thumbnail)."
  echo "Inputs: the bundled photos (0.3–16 MP)."
  echo "Whole \`meld batch\` process, median of $RUNS runs."
  echo
  echo "| --jobs | items/s | peak RSS (MiB) | RSS after item 20 | RSS after item $ITEMS | change | median RSS, items 11–30 → last 20, each run |"
  echo "|---:|---:|---:|---:|---:|---:|---|"
  for jobs in $JOBS; do
    change=$(python3 -c "print(f'{(${RLAST[$jobs]} - ${R20[$jobs]}) / ${R20[$jobs]} * 100:+.1f} %')")
    echo "| $jobs | ${RATE[$jobs]} | ${PEAK[$jobs]} | ${R20[$jobs]} | ${RLAST[$jobs]} | $change | ${WIN[$jobs]} |"
  done
  echo
  echo "**Kill and resume** (--jobs 2): SIGKILL after $before of $ITEMS items were reported; $tmps_after_kill unfinished"
  echo "temporary file(s) left by the kill. The rerun printed: \`$resumed\`."
  echo "Outputs compared with an uninterrupted run: $same identical, $differ different, $missing missing;"
  echo "temporary files left after the rerun: $tmps_left."
} > "$OUT"
cat "$OUT"
