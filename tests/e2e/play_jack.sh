#!/usr/bin/env bash
# End to end through the real path: `pingpong play` → PortAudio → a JACK
# server (run this under scripts/jack.sh run) → pp_jack_record, then the
# recording is compared with the source sample by sample: every frame present
# once, in order, no inserted silence. For every handoff × wake.
#   play_jack.sh PINGPONG TOOLS_DIR MEDIA_DIR [PERIOD] [EXTRA PLAY ARGS...]
set -uo pipefail
pingpong="$1"
tools="$2"
media="$3"
period="${4:-64}"
shift 4 2>/dev/null || shift $#
extra=("$@")
: "${JACK_DEFAULT_SERVER:?run under scripts/jack.sh run}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; [ -n "${rec_pid:-}" ] && kill "$rec_pid" 2>/dev/null' EXIT
failures=0

json_number() {  # json_number FILE KEY.SUBKEY — crude, for our own flat report
  python3 - "$1" "$2" <<'PY' 2>/dev/null || grep -o "\"${2##*.}\": [0-9]*" "$1" | head -1 | grep -o '[0-9]*$'
import json, sys
d = json.load(open(sys.argv[1]))
for k in sys.argv[2].split('.'):
    d = d[k]
print(d)
PY
}

for combo in lockfree:semaphore lockfree:poll mutex:semaphore mutex-pi:semaphore trylock:semaphore trylock:poll; do
  handoff=${combo%%:*}
  wake=${combo##*:}
  rec="$tmp/rec-$handoff-$wake.wav"
  rm -f "$tmp/ready"
  "$tools/pp_jack_record" --client pingpong --ready-file "$tmp/ready" --wait-for-client 20 "$rec" >"$tmp/rec.log" 2>&1 &
  rec_pid=$!
  for _ in $(seq 100); do [ -e "$tmp/ready" ] && break; sleep 0.05; done
  if [ ! -e "$tmp/ready" ]; then
    echo "FAIL  $handoff/$wake: recorder not ready"; cat "$tmp/rec.log"; failures=$((failures + 1)); continue
  fi
  timeout 30 "$pingpong" play --quiet --period "$period" --handoff "$handoff" --wake "$wake" \
    --json "$tmp/report.json" "${extra[@]}" "$media/lead_in.wav" "$media/counter.wav" 2>"$tmp/play.err"
  play_status=$?
  timeout 20 tail --pid="$rec_pid" -f /dev/null
  wait "$rec_pid"
  rec_status=$?
  rec_pid=""
  compare_out=$("$tools/pp_compare_audio" "$media/counter.wav" "$rec" 2>&1)
  compare_status=$?
  verdict=$(echo "$compare_out" | tail -1)
  underruns=$(json_number "$tmp/report.json" underruns.events)
  xruns=$(json_number "$tmp/report.json" device_xruns)
  line=$(printf '%-9s %-9s play %d rec %d underruns %s device-xruns %s | %s' "$handoff" "$wake" "$play_status" \
    "$rec_status" "${underruns:-?}" "${xruns:-?}" "$verdict")
  if [ "$play_status" -ne 0 ] || [ "$rec_status" -ne 0 ] || [ "$compare_status" -ne 0 ]; then
    echo "FAIL  $line"
    sed 's/^/      play: /' "$tmp/play.err" | head -5
    sed 's/^/      rec:  /' "$tmp/rec.log" | tail -3
    failures=$((failures + 1))
  else
    echo "ok    $line"
  fi
done

if [ "$failures" -ne 0 ]; then
  echo "$failures end-to-end run(s) failed"
  exit 1
fi
echo "every handoff played counter.wav bit-exact through JACK"
