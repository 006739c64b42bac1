#!/usr/bin/env bash
# Installs what Meld needs to build, when it is missing: libvips (Debian/Ubuntu: libvips-dev;
# macOS: Homebrew's vips). Sourced by scripts/demo and scripts/test.
set -euo pipefail

need_sudo() { if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then echo sudo; fi; }

if ! command -v swift >/dev/null 2>&1; then
  echo "meld setup: Swift 6.1 or newer is required (https://www.swift.org/install/)" >&2
  exit 1
fi

if ! pkg-config --exists vips 2>/dev/null; then
  case "$(uname -s)" in
    Linux)
      if command -v apt-get >/dev/null 2>&1; then
        echo "meld setup: installing libvips-dev (Debian/Ubuntu package)…" >&2
        SUDO=$(need_sudo)
        export DEBIAN_FRONTEND=noninteractive
        $SUDO apt-get update -qq
        $SUDO apt-get install -y -qq libvips-dev pkg-config >/dev/null
      else
        echo "meld setup: install libvips' development files (pkg-config name 'vips') with your package manager" >&2
        exit 1
      fi ;;
    Darwin)
      if command -v brew >/dev/null 2>&1; then
        echo "meld setup: installing vips with Homebrew…" >&2
        brew install vips pkg-config
      else
        echo "meld setup: install Homebrew (https://brew.sh), then 'brew install vips'" >&2
        exit 1
      fi ;;
    *) echo "meld setup: unsupported system $(uname -s); install libvips yourself" >&2; exit 1 ;;
  esac
fi

# Text layers render Chinese, Japanese and Korean with a CJK font (Noto Sans/Serif CJK).
has_cjk_font() { command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh family 2>/dev/null | grep -qi 'Noto Sans CJK'; }
if ! has_cjk_font; then
  case "$(uname -s)" in
    Linux)
      if command -v apt-get >/dev/null 2>&1; then
        echo "meld setup: installing fonts-noto-cjk (CJK text layers)…" >&2
        SUDO=$(need_sudo)
        export DEBIAN_FRONTEND=noninteractive
        $SUDO apt-get install -y -qq fonts-noto-cjk fontconfig >/dev/null 2>&1 || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq fonts-noto-cjk fontconfig >/dev/null; }
      fi ;;
    Darwin)
      command -v brew >/dev/null 2>&1 && brew install --cask font-noto-sans-cjk-sc || true ;;
  esac
fi
