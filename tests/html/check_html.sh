#!/usr/bin/env bash
# check_html.sh FILE.html [SCREENSHOT.png]
# Opens a pingpong compare report in headless Chromium, offline:
#   - Chromium exits 0 for --dump-dom and --screenshot
#   - the DOM has the report's title and as many <svg> elements as the file
#   - the page logged nothing to the console (it has no scripts, so any
#     console line - "Uncaught ...", a CSP or parse error - is an error)
#   - the file references nothing outside itself (no URL but the SVG
#     namespace, no <script>, <link>, <img>, url(), @import)
#   - the file is well-formed XML (when python3 is there)
# Chromium's own noise on stderr (dbus, GPU, sandbox warnings) is ignored.
# Exit 0 pass, 1 fail, 77 skipped (no Chromium).
set -uo pipefail

file=${1:?usage: check_html.sh FILE.html [SCREENSHOT.png]}
shot=${2:-}

chromium=""
for c in chromium chromium-browser google-chrome-stable google-chrome; do
  if command -v "$c" >/dev/null 2>&1; then chromium=$(command -v "$c"); break; fi
done
if [ -z "$chromium" ]; then
  echo "skipped: chromium not installed"
  exit 77
fi
[ -r "$file" ] || { echo "FAIL: cannot read $file"; exit 1; }

abs=$(realpath "$file")
url="file://$abs"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/check_html.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
[ -n "$shot" ] || shot="$tmp/shot.png"

fail=0
failure() { echo "FAIL: $*"; fail=1; }

# Offline: no host resolves; console messages go to stderr.
flags=(--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage
       --no-first-run --no-default-browser-check --disable-extensions --disable-sync
       --host-resolver-rules="MAP * ~NOTFOUND" --enable-logging=stderr --log-level=0)

run_chromium() {  # NAME ARGS...: stdout to $tmp/NAME.out, stderr to $tmp/NAME.err
  local name=$1; shift
  timeout 90 "$chromium" "${flags[@]}" --user-data-dir="$tmp/profile-$name" "$@" \
    >"$tmp/$name.out" 2>"$tmp/$name.err"
  local rc=$?
  [ $rc -eq 0 ] || { failure "chromium ($name) exited $rc"; tail -n 20 "$tmp/$name.err"; }
  # page errors only: console output, uncaught exceptions, failed loads
  if grep -E 'Uncaught|:CONSOLE[(:]|ERROR:[^]]*console|net::ERR_' "$tmp/$name.err" >"$tmp/$name.page-errors"; then
    failure "the page logged errors ($name):"
    cat "$tmp/$name.page-errors"
  fi
}

# Offline by construction: the only URL is the SVG namespace, nothing embeds
# or links anything (Chromium does not log failed loads, so look at the file).
if urls=$(grep -oE "https?://[^\"' <>)]*" "$abs" | grep -vxF 'http://www.w3.org/2000/svg'); then
  failure "network references in the file:"; echo "$urls" | sort -u | head
fi
if embeds=$(grep -oiE '<(link|script|img|iframe|object|embed|audio|video|source)[ />]|url\(|@import' "$abs"); then
  failure "external resources or scripts in the file:"; echo "$embeds" | sort -u | head
fi

run_chromium dom --dump-dom "$url"
dom="$tmp/dom.out"
grep -q '<title>pingpong compare' "$dom" || failure "no <title>pingpong compare in the DOM"
grep -q '<h1>pingpong compare</h1>' "$dom" || failure "no <h1>pingpong compare</h1> in the DOM"
want=$(grep -o '<svg ' "$abs" | wc -l)
got=$(grep -o '<svg ' "$dom" | wc -l)
closed=$(grep -o '</svg>' "$dom" | wc -l)
[ "$got" -eq "$want" ] || failure "the DOM has $got <svg> elements, the file $want"
[ "$closed" -eq "$got" ] || failure "the DOM has $got <svg> but $closed </svg>"
if [ "$want" -gt 0 ]; then
  grep -q '<rect' "$dom" || failure "no <rect> (histogram bars) in the DOM"
  grep -q '>period ' "$dom" || failure "no period marker in the DOM"
fi

run_chromium shot --screenshot="$shot" --window-size=1200,2400 --hide-scrollbars "$url"
if [ ! -s "$shot" ] || [ "$(head -c 8 "$shot" | od -An -tx1 | tr -d ' \n')" != "89504e470d0a1a0a" ]; then
  failure "no PNG screenshot at $shot"
fi

if command -v python3 >/dev/null 2>&1; then
  if ! python3 - "$abs" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
svgs = root.iter("{http://www.w3.org/2000/svg}svg")
print("well-formed XML:", sum(1 for _ in svgs), "svg elements")
PY
  then
    failure "$file is not well-formed XML"
  fi
fi

if [ $fail -eq 0 ]; then
  echo "ok: $file renders in $("$chromium" --version 2>/dev/null | head -n 1): $got svg elements; screenshot $shot"
fi
exit $fail
