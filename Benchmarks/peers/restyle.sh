#!/usr/bin/env bash
# Times `meld restyle` (Reinhard transfer, 33³ LUT) against OpenCV/numpy, Pillow and
# ImageMagick, as whole processes interleaved in one run; writes results/restyle-latest.md.
#
#   Benchmarks/peers/restyle.sh           # 7 runs per command
#   RUNS=15 Benchmarks/peers/restyle.sh
#
# Installs what is missing: ImageMagick (apt-get), a venv in Benchmarks/.cache/venv with
# numpy, opencv-python-headless and Pillow (pip); builds meld in release as run.sh does;
# makes the 12 MP input (the bundled 16 MP photo filled to 4240x2832, JPEG q90).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH=$(dirname "$HERE")
ROOT=$(dirname "$BENCH")
RUNS=${RUNS:-7}
say() { echo "restyle peers: $*" >&2; }

# The first `convert` on PATH that is really ImageMagick (a machine may have a stand-in first).
find_magick() {
  local c
  for c in $(type -ap convert) /usr/bin/convert; do
    if [ -x "$c" ] && "$c" -version 2>/dev/null | grep -q "^Version: ImageMagick"; then echo "$c"; return 0; fi
  done
  return 1
}
if ! CONVERT=$(find_magick); then
  say "installing imagemagick"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq imagemagick >/dev/null
  CONVERT=$(find_magick) || { echo "restyle.sh: ImageMagick's convert not found after installing it" >&2; exit 1; }
fi
CACHE="$BENCH/.cache"
mkdir -p "$CACHE"
VENV="$CACHE/venv"
if ! "$VENV/bin/python" -c "import numpy, cv2, PIL" >/dev/null 2>&1; then
  say "making a venv with numpy, opencv-python-headless, Pillow"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q numpy opencv-python-headless Pillow
fi

SCRATCH="$BENCH/.build-meld"
say "building meld (release, --static-swift-stdlib)"
swift build -c release --product meld --package-path "$ROOT" --scratch-path "$SCRATCH" --static-swift-stdlib 2>&1 \
  | grep -v "prohibited flag" | grep -E "error|warning: |Build" >&2 || true
MELD="$(swift build -c release --package-path "$ROOT" --scratch-path "$SCRATCH" --static-swift-stdlib --show-bin-path)/meld"
[ -x "$MELD" ] || { echo "restyle.sh: the release build of meld failed" >&2; exit 1; }

BIG="$CACHE/dandelion_4240x2832_q90.jpg"
if [ ! -s "$BIG" ]; then
  say "generating ${BIG#"$ROOT"/}"
  "$MELD" resize "$ROOT/Samples/dandelion_meadow_16mp.jpg" -o "$BIG" --fill 4240x2832 --quality 90
fi
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
mkdir -p "$HERE/work/restyle" "$HERE/results"
exec "$VENV/bin/python" "$HERE/restyle_peers.py" --meld "$MELD" --python "$VENV/bin/python" --big "$BIG" \
  --reference "$ROOT/Samples/bridge_at_night.jpg" --convert "$CONVERT" --work "$HERE/work/restyle" --runs "$RUNS" --commit "$COMMIT" \
  --out "$HERE/results/restyle-latest.md"
