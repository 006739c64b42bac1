#!/usr/bin/env bash
# Times `meld` against its peers (libvips' vips/vipsthumbnail, ImageMagick's convert) doing the
# same work, as whole processes, interleaved in one run so that they share the machine's noise.
#
#   Benchmarks/peers/run.sh            # 15 runs per command
#   Benchmarks/peers/run.sh -n 31      # or RUNS=31 Benchmarks/peers/run.sh
#   Benchmarks/peers/run.sh --no-png   # skip the (slow) PNG conversion suite
#   Benchmarks/peers/run.sh --with-dynamic # also time meld linked against the shared Swift runtime
#
# Steps: install missing tools (Debian/Ubuntu: apt-get install libvips-tools imagemagick, plus
# libvips-dev to build meld), build `meld` in release as the README installs it (with
# --static-swift-stdlib, which saves 10-20 ms of start-up) in its own scratch path
# (Benchmarks/.build-meld), generate the 24 MP input (Benchmarks/.cache/, not committed), then
# run peers.py, which prints a Markdown report and writes it to peers/results/latest.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH=$(dirname "$HERE")
ROOT=$(dirname "$BENCH")
RUNS=${RUNS:-15}
WARMUP=${WARMUP:-2}
DYNAMIC=0
EXTRA=()

while [ $# -gt 0 ]; do
  case "$1" in
    -n|--runs) RUNS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --no-png) EXTRA+=(--no-png); shift ;;
    --with-dynamic) DYNAMIC=1; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
case "$RUNS" in ''|*[!0-9]*) echo "run.sh: runs must be a positive number (got '$RUNS')" >&2; exit 2 ;; esac
if [ "$RUNS" -lt 2 ]; then echo "run.sh: need at least 2 runs for quartiles" >&2; exit 2; fi

say() { echo "peers: $*" >&2; }

# ---- tools ------------------------------------------------------------------------------
missing=()
for tool in vips vipsthumbnail vipsheader; do command -v "$tool" >/dev/null 2>&1 || missing+=(libvips-tools); done
for tool in convert compare identify; do command -v "$tool" >/dev/null 2>&1 || missing+=(imagemagick); done
command -v python3 >/dev/null 2>&1 || missing+=(python3)
pkg-config --exists vips 2>/dev/null || missing+=(libvips-dev pkg-config)
if [ ${#missing[@]} -gt 0 ]; then
  # shellcheck disable=SC2207
  packages=($(printf '%s\n' "${missing[@]}" | sort -u))
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "run.sh: please install ${packages[*]} (libvips' command-line tools and headers, ImageMagick, python3)" >&2
    exit 1
  fi
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else echo "run.sh: need root or sudo to install ${packages[*]}" >&2; exit 1; fi
  fi
  say "installing ${packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${packages[@]}" >/dev/null
fi
if ! command -v swift >/dev/null 2>&1; then
  echo "run.sh: Swift 6.1 or newer is required to build meld (https://www.swift.org/install/)" >&2
  exit 1
fi

# ---- meld, release ------------------------------------------------------------------------
SCRATCH="$BENCH/.build-meld"
say "building meld (release, --static-swift-stdlib, scratch path ${SCRATCH#"$ROOT"/})"
swift build -c release --product meld --package-path "$ROOT" --scratch-path "$SCRATCH" --static-swift-stdlib 2>&1 \
  | grep -v "prohibited flag" | grep -E "error|warning: |Compiling|Build" >&2 || true
MELD="$(swift build -c release --package-path "$ROOT" --scratch-path "$SCRATCH" --static-swift-stdlib --show-bin-path)/meld"
[ -x "$MELD" ] || { echo "run.sh: the release build of meld failed (no $MELD)" >&2; exit 1; }
if [ "$DYNAMIC" = 1 ]; then
  say "building meld against the shared Swift runtime (scratch path ${SCRATCH#"$ROOT"/}-dynamic)"
  swift build -c release --product meld --package-path "$ROOT" --scratch-path "$SCRATCH-dynamic" 2>&1 \
    | grep -v "prohibited flag" | grep -E "error|warning: |Build" >&2 || true
  MELD_DYNAMIC="$(swift build -c release --package-path "$ROOT" --scratch-path "$SCRATCH-dynamic" --show-bin-path)/meld"
  [ -x "$MELD_DYNAMIC" ] || { echo "run.sh: the dynamic build of meld failed" >&2; exit 1; }
  EXTRA+=(--meld-dynamic "$MELD_DYNAMIC")
fi

# ---- inputs -------------------------------------------------------------------------------
# The 24 MP JPEG: the bundled 16 MP photo scaled to cover 6000x4000 (Lanczos 3), centre-cropped,
# baseline, quality 90. The Pipeline benchmark makes the same file through the same Meld call.
CACHE="$BENCH/.cache"
BIG="$CACHE/dandelion_6000x4000_q90.jpg"
SMALL="$ROOT/Samples/fig_in_red_bowl.jpg"
mkdir -p "$CACHE"
if [ ! -s "$BIG" ]; then
  say "generating ${BIG#"$ROOT"/}"
  "$MELD" resize "$ROOT/Samples/dandelion_meadow_16mp.jpg" -o "$BIG" --fill 6000x4000 --quality 90
fi
size=$(vipsheader -f width "$BIG")x$(vipsheader -f height "$BIG")
[ "$size" = 6000x4000 ] || { echo "run.sh: $BIG is $size, expected 6000x4000; delete it to regenerate" >&2; exit 1; }

COMMIT=${MELD_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)}
if [ "$COMMIT" != unknown ] && [ -n "$(git -C "$ROOT" status --porcelain -- Sources Package.swift 2>/dev/null)" ]; then
  COMMIT="$COMMIT + uncommitted changes in Sources"
fi

# ---- measure ------------------------------------------------------------------------------
mkdir -p "$HERE/work" "$HERE/results"
exec python3 "$HERE/peers.py" --meld "$MELD" --big "$BIG" --small "$SMALL" --work "$HERE/work" \
  --runs "$RUNS" --warmup "$WARMUP" --commit "$COMMIT" --out "$HERE/results/latest.md" ${EXTRA[@]+"${EXTRA[@]}"}
