#!/usr/bin/env bash
# The player's load goal: play S seconds (default 30) at a 64-frame period on
# the JACK dummy server with `stress-ng --cpu 4` running, record it, and
# require a bit-exact recording. Not part of the quick suite (ctest -L long);
# run it under scripts/jack.sh run:
#   scripts/jack.sh run --period 64 -- tests/e2e/load_jack.sh build/pingpong build/tests/tools build/media [S] [HANDOFF] [WAKE]
set -uo pipefail
pingpong="$1"; tools="$2"; media="$3"; seconds="${4:-30}"; handoff="${5:-lockfree}"; wake="${6:-poll}"
: "${JACK_DEFAULT_SERVER:?run under scripts/jack.sh run}"
command -v stress-ng >/dev/null || { echo "load_jack: stress-ng not installed (scripts/setup.sh)"; exit 2; }
tmp=$(mktemp -d)
cleanup() { kill "${hog:-}" "${rec:-}" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

loops=$(( (seconds + 2) / 3 ))   # counter.wav is 3 s
"$pingpong" play --quiet --loop "$loops" --output "$tmp/ref.wav" "$media/counter.wav" || exit 1
stress-ng --cpu 4 --timeout $(( seconds + 30 ))s --quiet &
hog=$!
sleep 1
"$tools/pp_jack_record" --client pingpong --ready-file "$tmp/ready" --wait-for-client 20 "$tmp/rec.wav" >"$tmp/rec.log" 2>&1 &
rec=$!
for _ in $(seq 200); do [ -e "$tmp/ready" ] && break; sleep 0.05; done
"$pingpong" play --quiet --period 64 --handoff "$handoff" --wake "$wake" --json "$tmp/report.json" "$media/lead_in.wav" "$tmp/ref.wav"
play=$?
wait "$rec"; rec_status=$?; rec=""
kill "$hog" 2>/dev/null; wait "$hog" 2>/dev/null; hog=""
verdict=$("$tools/pp_compare_audio" "$tmp/ref.wav" "$tmp/rec.wav" 2>&1 | tail -1)
"$tools/pp_compare_audio" "$tmp/ref.wav" "$tmp/rec.wav" >/dev/null 2>&1; cmp=$?
summary=$(python3 -c "
import json; d=json.load(open('$tmp/report.json'))
print(f\"{d['duration_s']:.1f} s, underruns {d['underruns']['events']}, deadline misses {d['deadline_misses']}, device xruns {d['device_xruns']}, callback us p50 {d['callback_us']['p50']:.1f} p99.9 {d['callback_us']['p999']:.1f} max {d['callback_us']['max']:.1f}\")" 2>/dev/null)
echo "load_jack $handoff/$wake, period 64, stress-ng --cpu 4: $summary"
tail -1 "$tmp/rec.log"
echo "$verdict"
[ "$play" -eq 0 ] && [ "$rec_status" -eq 0 ] && [ "$cmp" -eq 0 ]
