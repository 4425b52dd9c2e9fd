#!/bin/sh
# Render a Tripwire HTML report to a PNG with headless Chromium, to look at it as a reader will.
#
#   tools/render_report.sh REPORT.html [OUT.png] [HEIGHT]
#
# OUT.png defaults to REPORT.png; HEIGHT (pixels, default 9000) must be tall enough for the
# whole page, since a screenshot only captures the window. Without Chromium on PATH the script
# says so and exits 0, so a make target can call it anywhere.
set -eu

if [ $# -lt 1 ]; then
    echo "usage: $0 REPORT.html [OUT.png] [HEIGHT]" >&2
    exit 2
fi
html=$1
out=${2:-${html%.*}.png}
height=${3:-9000}

if [ ! -f "$html" ]; then
    echo "$0: no such file: $html" >&2
    exit 2
fi

browser=""
for name in chromium chromium-browser google-chrome; do
    if command -v "$name" >/dev/null 2>&1; then
        browser=$name
        break
    fi
done
if [ -z "$browser" ]; then
    echo "Chromium is not installed: skipping the rendering of $html"
    exit 0
fi

abs_html=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
case $out in
    /*) abs_out=$out ;;
    *) abs_out=$(pwd)/$out ;;
esac
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT INT TERM

"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --user-data-dir="$profile" \
    --screenshot="$abs_out" --window-size="1280,$height" "file://$abs_html" 2>/dev/null
echo "rendered $html -> $out (1280x$height)"
