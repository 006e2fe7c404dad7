#!/usr/bin/env bash
# Set up a fresh machine and build every deck: `npm run setup`.
# 1. a Chromium-family browser (PDF, PPTX, PNG and lint need one) and fallback fonts, from
#    Debian's packages when missing, plus Debian's chromium-headless-shell (the faster engine the
#    pipeline prefers) where apt-get can install it; 2. npm dependencies (compiles src/ to lib/);
#    3. `npm run build`.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

have_browser() {
  if [ -n "${CHROME_PATH:-}" ] && [ -x "${CHROME_PATH}" ]; then return 0; fi
  for b in /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome-stable /usr/bin/google-chrome \
           /usr/bin/microsoft-edge-stable "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"; do
    [ -x "$b" ] && return 0
  done
  return 1
}

have_fonts() {
  command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list 2>/dev/null | head -n 1)" ]
}

can_apt() {
  command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" -eq 0 ] || command -v sudo >/dev/null 2>&1; }
}

apt_install() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "setup: need root (or sudo) to install: $*" >&2
      echo "setup: install them yourself, or set CHROME_PATH to a Chrome/Chromium executable." >&2
      exit 3
    fi
  fi
  echo "setup: installing $* (apt-get)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

packages=()
have_browser || packages+=(chromium)
# Optional: without it the pipeline uses whichever browser have_browser found.
if [ ! -x /usr/bin/chromium-headless-shell ] && [ -z "${CHROME_PATH:-}" ] && can_apt; then
  packages+=(chromium-headless-shell)
fi
# Text fonts ship with the project (@fontsource); system fonts are only the fallback for glyphs
# those lack (box drawing, other scripts), so a machine without any font still renders them.
have_fonts || packages+=(fontconfig fonts-dejavu-core fonts-liberation)
# Tests only: pdftoppm turns PDF pages into pixels (tests/helpers/raster.ts).
if ! command -v pdftoppm >/dev/null 2>&1 && can_apt; then packages+=(poppler-utils); fi
if [ ${#packages[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    apt_install "${packages[@]}"
  else
    echo "setup: missing ${packages[*]} and no apt-get here; install a Chromium-family browser and set CHROME_PATH." >&2
    exit 3
  fi
fi

if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
# `prepare` compiles on install, but npm can be told to skip scripts; compile explicitly.
npm run compile
npm run build
