#!/usr/bin/env bash
# Object removal with ground truth: meld vs OpenCV inpaint (Telea, NS) and pypatchmatch.
#
#   Benchmarks/peers/removal.sh [OUT_DIR]     # default Benchmarks/peers/work/removal
#
# Builds meld in release (scratch path Benchmarks/.build-meld), makes a Python venv in
# Benchmarks/peers/work/venv with opencv-python-headless, pypatchmatch, numpy and pillow from
# PyPI, then runs removal.py. The table goes to OUT_DIR/removal.md.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$(dirname "$HERE")")
OUT=${1:-$HERE/work/removal}
VENV=${VENV:-$HERE/work/venv}
mkdir -p "$OUT"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q opencv-python-headless pypatchmatch numpy pillow
fi
MELD=${MELD:-}
if [ -z "$MELD" ]; then
  (cd "$ROOT" && swift build -c release --product meld --scratch-path Benchmarks/.build-meld >&2)
  MELD="$ROOT/Benchmarks/.build-meld/release/meld"
fi
"$VENV/bin/python" "$HERE/removal.py" "$MELD" "$ROOT/Samples" "$OUT"
