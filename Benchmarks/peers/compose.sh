#!/usr/bin/env bash
# Compose benchmark against pyvips and ImageMagick (see compose_peers.py).
#   Benchmarks/peers/compose.sh [--runs N] [--im-runs N]
# Installs what is missing (libvips-tools, imagemagick, pyvips from PyPI), builds meld in
# release, makes the inputs in Benchmarks/.cache/compose (not committed), runs the comparison
# and writes Benchmarks/peers/results/compose-DATE.md.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$(dirname "$HERE")")
command -v convert >/dev/null 2>&1 && command -v vips >/dev/null 2>&1 || {
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq imagemagick libvips-tools >/dev/null
}
python3 -c "import pyvips" 2>/dev/null || python3 -m pip install -q pyvips
bash "$ROOT/scripts/setup.sh"
swift build -c release --product meld --package-path "$ROOT" --scratch-path "$ROOT/Benchmarks/.build-meld" --static-swift-stdlib >&2
MELD="$ROOT/Benchmarks/.build-meld/release/meld"
python3 "$HERE/compose_inputs.py" "$ROOT" "$ROOT/Benchmarks/.cache/compose" >&2
mkdir -p "$HERE/results"
python3 "$HERE/compose_peers.py" "$MELD" "$ROOT/Benchmarks/.cache/compose" "$HERE/results/compose-$(date +%F).md" "$@"
