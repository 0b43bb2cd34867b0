#!/usr/bin/env bash
# A real (short) `pingpong compare` and `pingpong probe` on the sim device:
# the JSON parses and has the documented keys, the HTML report renders in
# headless Chromium, and nothing is left behind (threads joined, files gone).
#   compare.sh PINGPONG CHECK_HTML_SH
set -uo pipefail
pingpong="$1"
check_html="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
before=$(ls "${TMPDIR:-/tmp}" | grep -c '^pingpong-io-load-\|^pingpong-signal-')

"$pingpong" compare --device sim --duration 0.5 --repeat 1 --load none,stall,io --handoffs lockfree,mutex --wake poll \
  --json "$tmp/c.json" --report "$tmp/c.html" >"$tmp/c.txt" 2>&1 || { echo "FAIL  compare exited $?"; cat "$tmp/c.txt"; exit 1; }
python3 - "$tmp/c.json" <<'PY' || failures=$((failures + 1))
import json, sys
d = json.load(open(sys.argv[1]))
runs = d["runs"]
assert len(runs) == 6, len(runs)
for r in runs:
    for k in ("handoff", "wake", "load", "repeat", "deadline_misses", "device_xruns", "blocked_us_max"):
        assert k in r, k
    assert set(r["underruns"]) >= {"events", "frames"}
    assert set(r["callback_us"]) >= {"p50", "p99", "p999", "max"}
assert set(d["summary"]) == {"none", "stall", "io"}, d["summary"].keys()
print("ok    compare JSON: %d runs, summary for %s" % (len(runs), ", ".join(d["summary"])))
PY
grep -q "verdicts:" "$tmp/c.txt" && echo "ok    compare table has verdicts" || { echo "FAIL  no verdicts"; failures=$((failures + 1)); }

"$check_html" "$tmp/c.html"
status=$?
if [ $status -eq 0 ]; then echo "ok    HTML report renders in Chromium"
elif [ $status -eq 77 ]; then echo "skip  HTML render check (no chromium)"
else echo "FAIL  HTML report did not render"; failures=$((failures + 1)); fi

"$pingpong" probe --device sim --duration 0.3 --json "$tmp/p.json" >"$tmp/p.txt" 2>&1
probe_status=$?
python3 - "$tmp/p.json" "$probe_status" <<'PY' || failures=$((failures + 1))
import json, sys
d = json.load(open(sys.argv[1]))
assert d["steps"], "no steps"
best = d["best"]
status = int(sys.argv[2])
assert (best is None) == (status == 1), (best, status)
print("ok    probe: %d steps, best %s (exit %d)" % (len(d["steps"]), best and "%d/%d" % (best["period_frames"], best["half_frames"]), status))
PY

after=$(ls "${TMPDIR:-/tmp}" | grep -c '^pingpong-io-load-\|^pingpong-signal-')
[ "$after" -le "$before" ] && echo "ok    no temporary files left" || { echo "FAIL  temporary files left behind"; failures=$((failures + 1)); }
[ "$failures" -eq 0 ] || exit 1
