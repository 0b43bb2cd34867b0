#!/usr/bin/env bash
# Faults while playing, through the real path (pingpong → PortAudio → a JACK
# dummy server → pp_jack_record). Run under scripts/jack.sh run (48000 Hz).
#   faults_jack.sh PINGPONG TOOLS_DIR MEDIA_DIR
#
#  1. SIGINT / SIGTERM mid-play: exit 130 / 143 within PP_STOP_LIMIT_MS (200)
#     of the signal, summary printed; the recording is the source bit-exact up
#     to a ramp to silence over ~5 ms, no step (no click).
#  2. The file is truncated under the player: exit 2, one line naming it; the
#     recording is an exact prefix of the file (what was published played).
#  3. The next file of the playlist is deleted while the first plays: exit 2,
#     one line; the first file plays whole, bit-exact.
#  4. The producer fails mid-stream (a FLAC damaged in the middle): exit 2,
#     one line; the recording is an exact prefix, then silence; the stream
#     ends by itself (no hang).
#  5. The device cannot run at the asked rate: exit 3, one line naming the
#     rates it supports.
set -uo pipefail
pingpong="$1" tools="$2" media="$3"
: "${JACK_DEFAULT_SERVER:?run under scripts/jack.sh run}"
limit_ms="${PP_STOP_LIMIT_MS:-200}"
tmp=$(mktemp -d)
rec_pid=""
trap 'rm -rf "$tmp"; [ -n "$rec_pid" ] && kill "$rec_pid" 2>/dev/null' EXIT
failures=0
ok() { echo "ok    $*"; }
bad() {
  echo "FAIL  $*"
  failures=$((failures + 1))
}

start_recorder() {  # start_recorder OUT.wav
  rm -f "$tmp/ready"
  "$tools/pp_jack_record" --client pingpong --ready-file "$tmp/ready" --wait-for-client 20 "$1" >"$tmp/rec.log" 2>&1 &
  rec_pid=$!
  for _ in $(seq 100); do [ -e "$tmp/ready" ] && return 0; sleep 0.05; done
  return 1
}
stop_recorder() {  # waits for the recorder to notice the client is gone
  timeout 20 tail --pid="$rec_pid" -f /dev/null
  wait "$rec_pid" 2>/dev/null
  rec_pid=""
}
rec_xruns() {  # the JACK xruns the recorder saw during its last run (0 if none)
  local n
  n=$(grep -o 'xruns [0-9]*' "$tmp/rec.log" | tail -1 | grep -o '[0-9]*$')
  echo "${n:-0}"
}
retry_after_xruns() {  # retry_after_xruns CASE MIN_PREFIX ATTEMPT: true (and says so) if
  # $cmp_out has less than MIN_PREFIX good frames, the recorder saw xruns and
  # this was the first attempt: the one repetition cases 2 and 4 allow.
  prefix_at_least "$cmp_out" "$2" || [ "$(rec_xruns)" -eq 0 ] || [ "$3" -eq 2 ] && return 1
  echo "retry $1: the server reported $(rec_xruns) xruns during it ($cmp_out)"
}
one_line_with() {  # one_line_with FILE TEXT
  [ "$(wc -l <"$1")" -eq 1 ] && grep -qF -- "$2" "$1"
}
wait_playing() {  # wait_playing STDOUT_FILE: until play() has opened the device and the files
  for _ in $(seq 200); do grep -q '^playing' "$1" 2>/dev/null && return 0; sleep 0.05; done
  return 1
}
play_during() {  # play_during REC DELAY ACTION FILE...: records `pingpong play FILE...`, runs
  # the shell command ACTION DELAY s after playback began; $got: pingpong's exit status.
  local rec="$1" delay="$2" action="$3"
  shift 3
  start_recorder "$rec" || bad "recorder not ready for $(basename "$rec")"
  timeout 20 "$pingpong" play -v "$@" >"$tmp/out" 2>"$tmp/err" &
  local pid=$!
  wait_playing "$tmp/out"
  sleep "$delay"
  eval "$action"
  wait "$pid"
  got=$?
  stop_recorder
}
# Cases 2-4 play lead_in.wav (0.5 s of silence) first, as play_jack.sh does:
# the recorder connects its ports one after the other, and audio that starts
# at once can reach one port a cycle before the other (a skew of the
# recording, not of the player).
prefix_at_least() {  # prefix_at_least VERDICT N: "PREFIX: the first M of ..." with M >= N
  local m
  m=$(sed -n 's/.*PREFIX: the first \([0-9]*\) of.*/\1/p' <<<"$1")
  [ -n "$m" ] && [ "$m" -ge "$2" ]
}

# ---- 1. signals: prompt stop with a fade ----------------------------------------
for sig in INT TERM; do
  want=$([ $sig = INT ] && echo 130 || echo 143)
  start_recorder "$tmp/sig.wav" || { bad "SIG$sig: recorder not ready"; continue; }
  "$pingpong" play --loop inf "$media/tone.wav" >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  sleep 1.2
  t0=$(date +%s%N)
  kill -"$sig" "$pid"
  wait "$pid"
  got=$?
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  stop_recorder
  # The tail of the recording: where the sound ends, the ramp before it, and
  # the largest step between samples (a cut mid-waveform is a step of up to
  # the amplitude; the tone's own steps are < 0.07 at 880 Hz, amplitude 0.5).
  verdict=$(python3 - "$tmp/sig.wav" <<'PY'
import struct, sys
data = open(sys.argv[1], 'rb').read()
pos, fmt, samples = 12, None, None
while pos + 8 <= len(data):
    cid, size = data[pos:pos + 4], struct.unpack('<I', data[pos + 4:pos + 8])[0]
    body = data[pos + 8:pos + 8 + size]
    if cid == b'fmt ':
        fmt = struct.unpack('<HHIIHH', body[:16])
    elif cid == b'data':
        samples = struct.unpack('<%df' % (len(body) // 4), body[:len(body) // 4 * 4])
    pos += 8 + size + (size & 1)
ch = fmt[1]
frames = len(samples) // ch
mono = [max(abs(samples[f * ch + c]) for c in range(ch)) for f in range(frames)]
last = max((f for f in range(frames) if mono[f] > 0), default=-1)
if last < 4800:
    print("BAD no sound recorded"); sys.exit()
peak = max(mono[last - 4800:last - 480])
tail = mono[last - 48:last + 1]             # the last 1 ms of sound
step = max(abs(samples[(f + 1) * ch + c] - samples[f * ch + c]) for f in range(last - 4800, min(last + 1, frames - 1)) for c in range(ch))
print("%s peak %.3f, last 1 ms max %.4f, last sample %.5f, largest step %.4f" % (
    "OK" if max(tail) < 0.25 * peak and mono[last] < 0.02 and step < 0.1 else "BAD", peak, max(tail), mono[last], step))
PY
)
  if [ "$got" -eq "$want" ] && [ "$ms" -le "$limit_ms" ] && grep -q "interrupted" "$tmp/out" && [[ "$verdict" == OK* ]]; then
    ok "SIG$sig: exit $got $ms ms after the signal (limit $limit_ms); fade: ${verdict#OK }"
  else
    bad "SIG$sig: exit $got (want $want) $ms ms after the signal (limit $limit_ms); fade: $verdict"
    head -5 "$tmp/err" "$tmp/out"
  fi
done

# ---- 2. the file is truncated under the player ----------------------------------
# A recording the JACK server itself marked with xruns (a sanitizer build
# on a busy 2-core box can be late for a cycle, and the graph then loses
# it between the player and the recorder) is repeated once; a repeatable
# defect still fails, and so does a loss with no xrun reported.
for attempt in 1 2; do
  cp "$media/counter.wav" "$tmp/victim.wav"
  # 400000 bytes: 1.04 s of the 3 s; the player is past that or nearly.
  play_during "$tmp/trunc.wav" 1.0 'truncate -s 400000 "$tmp/victim.wav"' "$media/lead_in.wav" "$tmp/victim.wav"
  cmp_out=$("$tools/pp_compare_audio" "$media/counter.wav" "$tmp/trunc.wav" --prefix 2>&1 | tail -1)
  retry_after_xruns "truncated case" 43200 "$attempt" || break
done
# At least the first 0.9 s played (the cut is at 1.04 s of audio).
if [ "$got" -eq 2 ] && one_line_with "$tmp/err" "'$tmp/victim.wav' was truncated while playing" && prefix_at_least "$cmp_out" 43200; then
  ok "truncated while playing: exit 2, '$(cat "$tmp/err")'; ${cmp_out#pp_compare_audio: }"
else
  bad "truncated while playing: exit $got; $(cat "$tmp/err"); $cmp_out"
fi

# ---- 3. the next file disappears --------------------------------------------------
cp "$media/counter.wav" "$tmp/first.wav"
cp "$media/counter.wav" "$tmp/second.wav"
play_during "$tmp/gone.wav" 0.5 'rm -f "$tmp/second.wav"' "$media/lead_in.wav" "$tmp/first.wav" "$tmp/second.wav"
cmp_out=$("$tools/pp_compare_audio" "$media/counter.wav" "$tmp/gone.wav" 2>&1 | tail -1)
if [ "$got" -eq 2 ] && one_line_with "$tmp/err" "cannot open '$tmp/second.wav': no such file" && [[ "$cmp_out" == *IDENTICAL* ]]; then
  ok "next file deleted: exit 2, '$(cat "$tmp/err")'; first file ${cmp_out#pp_compare_audio: }"
else
  bad "next file deleted: exit $got; $(cat "$tmp/err"); $cmp_out"
fi

# ---- 4. the producer fails mid-stream ---------------------------------------------
python3 - "$media/counter.flac" "$tmp/damaged.flac" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
mid = len(b) // 2
b[mid:mid + 2000] = bytes(2000)
open(sys.argv[2], 'wb').write(b)
PY
for attempt in 1 2; do  # repeated once only if the server reported xruns (see case 2)
  start_recorder "$tmp/damaged.wav" || bad "damaged: recorder not ready"
  t0=$(date +%s%N)
  timeout 20 "$pingpong" play --quiet "$media/lead_in.wav" "$tmp/damaged.flac" 2>"$tmp/err"
  got=$?
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  stop_recorder
  cmp_out=$("$tools/pp_compare_audio" "$media/counter.wav" "$tmp/damaged.wav" --prefix 2>&1 | tail -1)
  retry_after_xruns "decode-error case" 48000 "$attempt" || break
done
# The damage is at half the file: at least the first second played.
if [ "$got" -eq 2 ] && one_line_with "$tmp/err" "cannot decode '$tmp/damaged.flac' at " && prefix_at_least "$cmp_out" 48000; then
  ok "decode error mid-stream: exit 2 after $ms ms, '$(cat "$tmp/err")'; ${cmp_out#pp_compare_audio: }"
else
  bad "decode error mid-stream: exit $got after $ms ms; $(cat "$tmp/err"); $cmp_out"
fi

# ---- 5. a rate the device cannot run at -------------------------------------------
timeout 20 "$pingpong" play --quiet --rate 44100 "$media/tone.wav" >/dev/null 2>"$tmp/err"
got=$?
if [ "$got" -eq 3 ] && one_line_with "$tmp/err" "cannot run at 44100 Hz; it supports 48000 Hz"; then
  ok "refused rate: exit 3, '$(cat "$tmp/err")'"
else
  bad "refused rate: exit $got; $(cat "$tmp/err")"
fi

[ "$failures" -eq 0 ] || { echo "$failures fault case(s) failed"; exit 1; }
echo "all fault cases ok"
