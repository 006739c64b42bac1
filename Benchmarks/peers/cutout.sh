#!/usr/bin/env bash
# Cut-out quality with known answers and 12 MP timing: meld cutout vs OpenCV grabCut.
#
#   Benchmarks/peers/cutout.sh [RESULTS_MD] [extra cutout_bench.py options]
#
# Builds meld in release (scratch path Benchmarks/.build-meld), makes a Python venv in
# Benchmarks/peers/work/venv-cutout with opencv-python-headless, numpy, scipy and pyvips from
# PyPI, then runs cutout_bench.py (default results file: Benchmarks/peers/results/cutout-DATE.md).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$(dirname "$HERE")")
OUT=${1:-$HERE/results/cutout-$(date -u +%F).md}
shift || true
VENV=${VENV:-$HERE/work/venv-cutout}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q opencv-python-headless numpy scipy pyvips
fi
MELD=${MELD:-}
if [ -z "$MELD" ]; then
  (cd "$ROOT" && swift build -c release --product meld --scratch-path Benchmarks/.build-meld >&2)
  MELD="$ROOT/Benchmarks/.build-meld/release/meld"
fi
"$VENV/bin/python" "$HERE/cutout_bench.py" "$MELD" "$ROOT" "$OUT" "$@"
