#!/usr/bin/env bash
# Renders a koe report.html with headless Chromium to a PNG, to check it the way a browser shows
# it (phone width by default). Install Chromium with `scripts/install-deps.sh --browser`.
#
#   scripts/render-report.sh OUTDIR/report.html [out.png] [width] [height]
#
# Defaults: out.png next to the report, 420 x 2400 pixels. Exits non-zero when Chromium is missing
# or writes no image. Warns when no Japanese font is installed (text would render as boxes).
set -euo pipefail

if [ $# -lt 1 ] || [ ! -f "$1" ]; then
  echo "usage: $0 REPORT.html [OUT.png] [WIDTH] [HEIGHT]" >&2
  exit 2
fi
report=$(realpath "$1")
png=${2:-"${report%.html}.png"}
width=${3:-420}
height=${4:-2400}

browser=""
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" >/dev/null 2>&1; then
    browser=$b
    break
  fi
done
if [ -z "$browser" ]; then
  echo "render-report.sh: no Chromium found; run scripts/install-deps.sh --browser" >&2
  exit 1
fi
if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=ja 2>/dev/null)" ]; then
  echo "render-report.sh: warning: no Japanese font installed (e.g. apt-get install" \
    "fonts-noto-cjk); Japanese text will show as boxes" >&2
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
rm -f "$png"
# The flags keep Chromium offline and stateless: the report must render with no network at all.
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --hide-scrollbars --user-data-dir="$profile" --screenshot="$png" \
  --window-size="$width,$height" "file://$report" >/dev/null 2>&1 || true
if [ ! -s "$png" ]; then
  echo "render-report.sh: Chromium wrote no image to $png" >&2
  exit 1
fi
echo "$png"
