#!/usr/bin/env bash
# A real (short) `pingpong compare` and `pingpong probe` on the sim device:
# the JSON parses and has the documented keys, the HTML report renders in
# headless Chromium; a compare stopped by SIGINT marks the run it cut short
# in the table, the JSON and the HTML and leaves it out of the verdicts; and
# nothing is left in TMPDIR, not even after kill -9 or SIGHUP mid-run.
# Exit 0 pass, 1 fail, 77 skipped: every other check passed but the HTML
# could not be rendered (no Chromium), so the test as a whole did not run.
#   compare.sh PINGPONG CHECK_HTML_SH
set -uo pipefail
pingpong="$1"
check_html="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
render_skipped=0
fail() { echo "FAIL  $*"; failures=$((failures + 1)); }
# Every command gets a private TMPDIR: whatever pingpong leaves there is its own.
mkdir -p "$tmp/tmpdir"
export TMPDIR="$tmp/tmpdir"

"$pingpong" compare --device sim --duration 0.5 --repeat 1 --load none,stall,io --handoffs lockfree,mutex --wake poll \
  --json "$tmp/c.json" --report "$tmp/c.html" >"$tmp/c.txt" 2>&1 || { echo "FAIL  compare exited $?"; cat "$tmp/c.txt"; exit 1; }
python3 - "$tmp/c.json" <<'PY' || failures=$((failures + 1))
import json, sys
d = json.load(open(sys.argv[1]))
runs = d["runs"]
assert len(runs) == 6, len(runs)

for r in runs:
    for k in ("handoff", "wake", "load", "repeat", "deadline_misses", "device_xruns", "blocked_us_max", "result",
              "interrupted", "period_frames", "half_frames"):
        assert k in r, k
    u = r["underruns"]
    assert set(u) >= {"events", "frames", "log", "log_dropped"}
    # the real-time side's event log, drained into the report: one entry per
    # underrun (none lost at these counts), in stream order, each some silence
    assert len(u["log"]) + u["log_dropped"] == u["events"], u
    assert sum(e["silence_frames"] for e in u["log"]) <= u["frames"], u
    pos = [e["position_frames"] for e in u["log"]]
    assert pos == sorted(pos), pos
    assert all(e["silence_frames"] > 0 and 0 <= e["t_s"] <= 5 for e in u["log"]), u["log"]
    assert set(r["callback_us"]) >= {"p50", "p99", "p999", "max"}
    assert r["result"] in ("clean", "glitched"), r["result"]
    assert r["interrupted"] is False
    assert r["period_frames"] == 64, r["period_frames"]  # the sim device honours --period
assert set(d["summary"]) == {"none", "stall", "io"}, d["summary"].keys()
for load, s in d["summary"].items():
    assert len(s["policies"]) == 2, s["policies"]
    for p in s["policies"]:
        # the summary's counts are the runs' results, counted once
        mine = [r for r in runs if r["load"] == load and r["handoff"] == p["handoff"] and r["wake"] == p["wake"]]
        assert p["clean"] == sum(r["result"] == "clean" for r in mine), (p, mine)
        assert p["underruns"]["events"] == sum(r["underruns"]["events"] for r in mine)
assert d["interrupted"] is False
print("ok    compare JSON: %d runs, summary for %s" % (len(runs), ", ".join(d["summary"])))
PY
grep -q "verdicts:" "$tmp/c.txt" && echo "ok    compare table has verdicts" || fail "no verdicts"

# Stalls longer than the read-ahead: underruns, each in the JSON with the
# place in the stream where its silence fell (the RT event log, drained).
"$pingpong" compare --device sim --duration 0.5 --repeat 1 --load stall --stall-ms 60 --stall-rate 10 \
  --handoffs lockfree --wake poll --json "$tmp/s.json" >"$tmp/s.txt" 2>&1 || fail "stalled compare exited $?"
python3 - "$tmp/s.json" <<'PY' || failures=$((failures + 1))
import json, sys
(r,) = json.load(open(sys.argv[1]))["runs"]
u = r["underruns"]
assert u["events"] > 0, "60 ms stalls against a 21 ms read-ahead caused no underrun"
assert len(u["log"]) == u["events"] and u["log_dropped"] == 0, u
assert sum(e["silence_frames"] for e in u["log"]) == u["frames"], u
pos = [e["position_frames"] for e in u["log"]]
assert pos == sorted(pos) and 0 < pos[0] <= r["frames_played"], (pos, r["frames_played"])
t = [e["t_s"] for e in u["log"]]
assert t == sorted(t) and 0 < t[0] < 5, t
print("ok    %d underruns logged with their place in the stream (first at %.3f s, frame %d)" % (u["events"], u["log"][0]["position_s"], pos[0]))
PY

TMPDIR="$tmp" "$check_html" "$tmp/c.html"  # Chromium's own temporary files stay out of pingpong's TMPDIR
status=$?
if [ $status -eq 0 ]; then echo "ok    HTML report renders in Chromium"
elif [ $status -eq 77 ]; then echo "skip  HTML render check (no chromium)"; render_skipped=1
else fail "HTML report did not render"; fi

"$pingpong" probe --device sim --duration 0.3 --json "$tmp/p.json" >"$tmp/p.txt" 2>&1
probe_status=$?
python3 - "$tmp/p.json" "$probe_status" <<'PY' || failures=$((failures + 1))
import json, sys
d = json.load(open(sys.argv[1]))
assert d["steps"], "no steps"
best = d["best"]
status = int(sys.argv[2])
assert (best is None) == (status == 1), (best, status)
assert d["period_fixed"] is False, "the sim device honours every period"
for s in d["steps"]:
    assert s["period_frames"] == s["requested_period_frames"], s
print("ok    probe: %d steps, best %s (exit %d)" % (len(d["steps"]), best and "%d/%d" % (best["period_frames"], best["half_frames"]), status))
PY

# Ctrl-C in the second of two 3 s runs: exit 130, that run marked
# interrupted everywhere and left out; the first counted as usual.
"$pingpong" compare --device sim --duration 3 --repeat 1 --load none --handoffs lockfree,mutex --wake poll \
  --json "$tmp/i.json" --report "$tmp/i.html" >"$tmp/i.txt" 2>&1 &
pid=$!
sleep 4.5
kill -INT "$pid"
wait "$pid"
status=$?
[ "$status" -eq 130 ] && echo "ok    interrupted compare exits 130" || fail "interrupted compare exited $status, want 130"
python3 - "$tmp/i.json" <<'PY' || failures=$((failures + 1))
import json, sys
d = json.load(open(sys.argv[1]))
runs = d["runs"]
assert len(runs) == 2, [(r["handoff"], r["interrupted"]) for r in runs]
first, cut = runs
# (clean, or glitched on a loaded box under a sanitizer: this case is about the cut run)
assert first["interrupted"] is False and first["result"] in ("clean", "glitched"), first["result"]
assert cut["interrupted"] is True and cut["result"] == "interrupted", cut["result"]
assert d["interrupted"] is True
policy = {p["handoff"]: p for p in d["summary"]["none"]["policies"]}
assert policy["mutex"]["counted"] == 0 and policy["mutex"]["interrupted"] == 1, policy["mutex"]
assert policy["lockfree"]["counted"] == 1, policy["lockfree"]
verdict = d["summary"]["none"]["verdict"]
if first["result"] == "clean":
    clean_list = verdict.split("no underrun or deadline miss: ")[1].split(" (")[0]
    assert clean_list == "lockfree/poll", verdict  # mutex/poll is neither clean nor glitched: it did not finish
assert "mutex/poll glitched" not in verdict and "Left out of these figures: mutex/poll 1 interrupted run" in verdict, verdict
print("ok    interrupted run marked in the JSON (after %d callbacks), left out of the verdict" % cut["callbacks"])
PY
if grep -Eq '^none +mutex/poll +0\+1i ' "$tmp/i.txt" && grep -q "none mutex/poll repeat 0: interrupted after" "$tmp/i.txt"; then
  echo "ok    interrupted run marked in the table"
else
  fail "interrupted run not marked in the table"; cat "$tmp/i.txt"
fi
grep -q "repeat 0 interrupted after [0-9]* of [0-9]* callbacks: left out of the figures" "$tmp/i.html" &&
  echo "ok    interrupted run marked in the HTML" || fail "interrupted run not marked in the HTML"

# kill -9 and SIGHUP (no handler: the default action ends the process at
# once) in the middle of an io-load run: no temporary file may exist while
# compare runs, so none can be left behind.
for sig in KILL HUP; do
  "$pingpong" compare --device sim --duration 3 --repeat 1 --load io --handoffs lockfree --wake poll -q &
  pid=$!
  sleep 1.5
  during=$(ls -A "$TMPDIR" | tr '\n' ' ')
  kill -"$sig" "$pid"
  wait "$pid" 2>/dev/null
  after=$(ls -A "$TMPDIR" | tr '\n' ' ')
  if [ -z "$during" ] && [ -z "$after" ]; then
    echo "ok    SIG$sig mid-run: no temporary file in TMPDIR, during or after"
  else
    fail "SIG$sig mid-run: in TMPDIR during the run: '${during}', after: '${after}'"
  fi
  rm -rf "${TMPDIR:?}"/*
done

left=$(ls -A "$TMPDIR" | tr '\n' ' ')
[ -z "$left" ] && echo "ok    no temporary files left" || fail "temporary files left behind: $left"
[ "$failures" -eq 0 ] || exit 1
[ "$render_skipped" -eq 0 ] || { echo "skipped: the HTML report was not rendered (install chromium: scripts/setup.sh)"; exit 77; }
