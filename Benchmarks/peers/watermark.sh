#!/usr/bin/env bash
# Invisible-watermark robustness: meld vs invisible-watermark (dwtDct, dwtDctSvd) from PyPI.
#
#   Benchmarks/peers/watermark.sh [OUT_DIR] [FP_COUNT]   # default Benchmarks/peers/work/watermark, 600
#
# Builds meld in release (scratch path Benchmarks/.build-meld), makes a Python venv in
# Benchmarks/peers/work/venv-watermark with invisible-watermark, opencv-python-headless and numpy
# from PyPI, then runs watermark.py: the robustness table (17 attacks × 4 photos × 3 methods),
# PSNR/SSIM, embed/detect times (interleaved, medians), and meld's false-positive measurement over
# FP_COUNT unmarked crops and FP_COUNT wrong-key searches. The tables go to OUT_DIR/watermark.md.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$(dirname "$HERE")")
OUT=${1:-$HERE/work/watermark}
FP=${2:-600}
VENV=${VENV:-$HERE/work/venv-watermark}
mkdir -p "$OUT"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q invisible-watermark opencv-python-headless numpy
fi
MELD=${MELD:-}
if [ -z "$MELD" ]; then
  (cd "$ROOT" && swift build -c release --product meld --scratch-path Benchmarks/.build-meld >&2)
  MELD="$ROOT/Benchmarks/.build-meld/release/meld"
fi
"$VENV/bin/python" "$HERE/watermark.py" "$MELD" "$ROOT/Samples" "$OUT" --fp "$FP"
