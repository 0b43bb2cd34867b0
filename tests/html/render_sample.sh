#!/usr/bin/env bash
# render_sample.sh PP_HTML_SAMPLE OUT.html [OUT.png] [--hostile]
# Writes the sample compare report (or the edge-case one), then checks it in
# headless Chromium with check_html.sh. Exit 77 (skipped) without Chromium.
set -euo pipefail
usage="usage: render_sample.sh PP_HTML_SAMPLE OUT.html [OUT.png] [--hostile]"
sample=${1:?$usage}
html=${2:?$usage}
"$sample" "$html" ${4:+"$4"}
exec "$(dirname "$0")/check_html.sh" "$html" "${3:-}"
