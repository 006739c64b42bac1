#!/usr/bin/env bash
# Seamless blending against OpenCV: quality with a ground truth and whole-process speed.
#
#   Benchmarks/peers/blend.sh              # quality + speed (3 interleaved runs per command)
#   Benchmarks/peers/blend.sh -n 5         # more runs
#   Benchmarks/peers/blend.sh --quality-only | --speed-only
#
# Installs numpy and opencv-python-headless with pip (user site) when missing, builds `meld` in
# release as peers/run.sh does (static Swift stdlib, scratch path Benchmarks/.build-meld), then
# runs blend_peers.py, which prints a Markdown report and writes peers/results/blend-latest.md.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH=$(dirname "$HERE")
ROOT=$(dirname "$BENCH")
ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n|--runs) ARGS+=(--runs "$2"); shift 2 ;;
    --quality-only|--speed-only) ARGS+=("$1"); shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "blend.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
command -v vips >/dev/null 2>&1 || { echo "blend.sh: needs libvips' command-line tools (apt-get install libvips-tools)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "blend.sh: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 1; }
if ! python3 -c "import numpy, cv2" 2>/dev/null; then
  echo "blend: installing numpy and opencv-python-headless (pip)" >&2
  python3 -m pip install --quiet --user numpy opencv-python-headless 2>/dev/null \
    || python3 -m pip install --quiet numpy opencv-python-headless
fi
SCRATCH="$BENCH/.build-meld"
echo "blend: building meld (release, --static-swift-stdlib)" >&2
swift build -c release --product meld --package-path "$ROOT" --scratch-path "$SCRATCH" --static-swift-stdlib 2>&1 \
  | grep -v "prohibited flag" | grep -E "error|warning: " >&2 || true
MELD="$(swift build -c release --package-path "$ROOT" --scratch-path "$SCRATCH" --static-swift-stdlib --show-bin-path)/meld"
[ -x "$MELD" ] || { echo "blend.sh: the release build of meld failed" >&2; exit 1; }
mkdir -p "$HERE/results"
exec python3 "$HERE/blend_peers.py" --meld "$MELD" "${ARGS[@]}"
