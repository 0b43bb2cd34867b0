#!/usr/bin/env bash
# What a new user did to pingpong, in one place: hostile paths, closed and
# failing outputs, signals, a stopped player and a stopped server, on the
# real file system and on real JACK dummy servers in both of JACK's modes
# (the default asynchronous one and -S). For every case: the exit code is
# the documented one, no input is changed, no output is half-written, no
# process or temporary file is left, and it ends within a bounded time.
#   hostile.sh PINGPONG TOOLS_DIR MEDIA_DIR JACK_SH
set -uo pipefail
pingpong="$1" tools="$2" media="$3" jack="$4"
work=$(mktemp -d)
export TMPDIR="$work/tmp"  # pingpong's own temporary files land here, and must not stay
mkdir -p "$TMPDIR"
servers=()
cleanup() {
  for s in "${servers[@]}"; do "$jack" stop "$s" >/dev/null 2>&1; done
  rm -rf "$work"
}
trap cleanup EXIT
failures=0
ok() { echo "ok    $*"; }
bad() {
  echo "FAIL  $*"
  failures=$((failures + 1))
}
# ThreadSanitizer runs a signal handler only at its next safe point, which
# can be the end of a wait of the first signal's (up to ~1 s): the limit for
# "at once" is looser there (tests/CMakeLists.txt sets it).
second_signal_limit_ms="${PP_SECOND_SIGNAL_LIMIT_MS:-500}"
wait_playing() {  # wait_playing STDOUT_FILE: until play() has opened the device and the files
  for _ in $(seq 200); do grep -q '^playing' "$1" 2>/dev/null && return 0; sleep 0.05; done
  return 1
}
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
json() {  # json FILE EXPR: a value of a JSON report (python's parser: invalid JSON fails)
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null
}
frames_of() { "$pingpong" info "$1" 2>/dev/null | sed -n 's/.*, \([0-9]*\) frames,.*/\1/p'; }
no_temp_left() {  # no_temp_left DIR WHAT: nothing but the expected files in DIR
  local left
  left=$(find "$1" "$TMPDIR" \( -name '.*pingpong*' -o -name 'pingpong-*' \) ! -name 'pingpong-jack-*' 2>/dev/null | head -3)
  if [ -z "$left" ]; then ok "$2: no temporary file left"; else bad "$2: left $left"; fi
}
# run_case NAME WANT_STATUS CMD...: runs CMD (time-limited), checks the status
run_case() {
  local name="$1" want="$2"
  shift 2
  timeout 30 "$@" >"$work/out" 2>"$work/err"
  got=$?
  if [ "$got" -eq "$want" ]; then ok "$name: exit $got"; else bad "$name: exit $got, want $want: $(head -2 "$work/err")"; fi
}

d="$work/files"
mkdir -p "$d"
cp "$media/tone.wav" "$d/in.wav"
sum_before=$(sha256sum "$d/in.wav" | cut -d' ' -f1)
unchanged() {
  if [ "$(sha256sum "$d/in.wav" | cut -d' ' -f1)" = "$sum_before" ]; then ok "$1: input unchanged"; else
    bad "$1: the input was changed"; cp "$media/tone.wav" "$d/in.wav"; fi
}

# ---- output = input, by name, symlink and hard link: refused before anything opens
ln -s in.wav "$d/link.wav"
ln "$d/in.wav" "$d/hard.wav"
for target in in.wav link.wav hard.wav; do
  run_case "-o $target (the input)" 2 "$pingpong" play "$d/in.wav" -o "$d/$target"
  grep -q "is the input" "$work/err" || bad "-o $target: message: $(cat "$work/err")"
  unchanged "-o $target"
done
run_case "--json onto the input" 2 "$pingpong" play "$d/in.wav" -o "$d/x.wav" --json "$d/link.wav"
unchanged "--json onto the input"
[ -e "$d/x.wav" ] && bad "--json onto the input: the render ran anyway"

# ---- a failed render leaves the old file as it was and no stub
cp "$media/counter.wav" "$d/good.wav"
good_sum=$(sha256sum "$d/good.wav" | cut -d' ' -f1)
run_case "render of a truncated file over a good one" 2 "$pingpong" play -q "$media/truncated.wav" "$media/tone.wav" -o "$d/good.wav"
if [ "$(sha256sum "$d/good.wav" | cut -d' ' -f1)" = "$good_sum" ]; then ok "failed render: the old file is untouched"; else
  bad "failed render: the old file was replaced"; fi
run_case "render into /dev/full" 4 "$pingpong" play -q "$d/in.wav" -o /dev/full
grep -q "No space left" "$work/err" || bad "/dev/full: message: $(cat "$work/err")"
run_case "render into a missing folder" 2 "$pingpong" play -q "$d/in.wav" -o "$d/nope/out.wav"
if command -v setpriv >/dev/null && [ "$(id -u)" -eq 0 ]; then
  mkdir -p "$work/locked" && chmod 755 "$work/locked" && chmod 755 "$work" "$d"
  chmod 644 "$d/in.wav"
  t0=$(date +%s%N)
  run_case "render into an unwritable folder (uid 65534)" 4 setpriv --reuid 65534 --regid 65534 --clear-groups \
    "$pingpong" play -q --loop 100 "$d/in.wav" -o "$work/locked/out.wav"
  [ "$(ms_since "$t0")" -lt 2000 ] && ok "unwritable folder: refused before the work" || bad "unwritable folder: refused late"
fi
rm -f "$d/x.wav"
"$pingpong" play -q --loop 1000 "$media/counter.wav" -o "$d/killed.wav" &
pid=$!
sleep 0.5
kill -9 "$pid"
wait "$pid" 2>/dev/null
[ -e "$d/killed.wav" ] && bad "kill -9 mid-render: a partial killed.wav is there" || ok "kill -9 mid-render: no partial file"
no_temp_left "$d" "kill -9 mid-render"

# ---- Ctrl-C mid-render: the file holds exactly what the report says, ending in the fade
# FLAC: encoding is slow enough that a render of 1000 loops is still running.
"$pingpong" play -q --loop 1000 "$media/tone.wav" -o "$d/lo.flac" --json "$d/lo.json" &
pid=$!
sleep 0.6
kill -INT "$pid"
wait "$pid"
got=$?
[ "$got" -eq 130 ] && ok "SIGINT mid-render: exit 130" || bad "SIGINT mid-render: exit $got"
reported=$(json "$d/lo.json" 'd["frames_played"]')
in_file=$(frames_of "$d/lo.flac")
"$pingpong" play -q "$d/lo.flac" --start "$(python3 -c "print(max(0, ${reported:-0} / 44100 - 1))")" -o "$d/lo.wav"
if [ -n "$reported" ] && [ "$reported" = "$in_file" ] && [ "$(json "$d/lo.json" 'd["interrupted"]')" = True ]; then
  ok "SIGINT mid-render: file holds the $reported frames the report says"
else bad "SIGINT mid-render: report ${reported:-?} frames, file ${in_file:-?}"; fi
tail_peak=$(python3 - "$d/lo.wav" <<'PY'
import struct, sys, array
d = open(sys.argv[1], 'rb').read()
i = d.find(b'data'); n = struct.unpack('<I', d[i + 4:i + 8])[0]
a = array.array('f'); a.frombytes(d[i + 8:i + 8 + n])
print(f"{max(abs(x) for x in a[-8:]):.4f} {max(abs(x) for x in a[-4000:-2000]):.4f}")
PY
)
read -r last before <<<"$tail_peak"
if python3 -c "import sys; sys.exit(0 if $last < 0.01 and $before > 0.1 else 1)"; then
  ok "SIGINT mid-render: ends in the fade (last $last, 40 ms before $before)"
else bad "SIGINT mid-render: no fade at the end (last $last, before $before)"; fi
rm -f "$d/lo.wav" "$d/lo.flac"

# ---- closed and failing outputs
"$pingpong" play -q "$d/in.wav" -o "$d/ref.wav"
run_case "-o with stdout closed" 0 sh -c "exec \"$pingpong\" play \"$d/in.wav\" -o \"$d/closed.wav\" >&-"
if "$tools/pp_compare_audio" "$d/ref.wav" "$d/closed.wav" >/dev/null 2>&1; then ok "stdout closed: the render is exact"; else
  bad "stdout closed: the render differs from one with stdout open"; fi
run_case "--json - with stdout closed" 4 sh -c "exec \"$pingpong\" play -q \"$d/in.wav\" -o \"$d/j.wav\" --json - >&-"
run_case "--json to /dev/full" 4 "$pingpong" play -q "$d/in.wav" -o "$d/j.wav" --json /dev/full
run_case "--json - to /dev/full" 4 sh -c "exec \"$pingpong\" play -q \"$d/in.wav\" -o \"$d/j.wav\" --json - >/dev/full"
run_case "info to /dev/full" 4 sh -c "exec \"$pingpong\" info \"$d/in.wav\" >/dev/full"
run_case "info with stdout closed" 4 sh -c "exec \"$pingpong\" info \"$d/in.wav\" >&-"
run_case "summary to /dev/full" 4 sh -c "exec \"$pingpong\" play --device sim \"$media/tone_mono.wav\" --end 0.2 >/dev/full"
run_case "play with stdin closed" 0 sh -c "exec \"$pingpong\" play -q \"$d/in.wav\" -o \"$d/stdin.wav\" <&-"
t0=$(date +%s%N)
run_case "--json into a missing folder, checked first" 2 "$pingpong" play --device sim "$media/counter.wav" --json "$d/nope/r.json"
[ "$(ms_since "$t0")" -lt 1000 ] && ok "--json path: refused before playing" || bad "--json path: refused after playing"
run_case "--report into a missing folder, checked first" 2 "$pingpong" compare -q --duration 5 --report "$d/nope/r.html"

# ---- integer outputs clip and say so; float keeps the values
run_case "FLAC at +6.9 dB" 0 "$pingpong" play -q -g 6.9 "$media/tone.wav" -o "$d/g.flac" --json "$d/g.json"
clipped=$(json "$d/g.json" 'd["clipped_samples"]')
[ "${clipped:-0}" -gt 0 ] && ok "FLAC at +6.9 dB: $clipped samples clipped, reported" || bad "FLAC at +6.9 dB: clipping not reported"
[ "$(frames_of "$d/g.flac")" = "$(frames_of "$media/tone.wav")" ] && ok "FLAC at +6.9 dB: every frame written" || bad "FLAC at +6.9 dB: frames missing"
run_case "float WAV at +6.9 dB" 0 "$pingpong" play -q -g 6.9 "$media/tone.wav" -o "$d/g.wav" --json "$d/g.json"
[ "$(json "$d/g.json" 'd["clipped_samples"]')" = 0 ] && ok "float WAV: nothing clipped" || bad "float WAV: clipped"
run_case "--bits 16" 0 "$pingpong" play -q --bits 16 "$media/tone.wav" -o "$d/b16.wav"
"$pingpong" info "$d/b16.wav" | grep -q "16 bit PCM" && ok "--bits 16: a 16-bit WAV" || bad "--bits 16: $("$pingpong" info "$d/b16.wav")"
run_case "--bits float for FLAC" 2 "$pingpong" play -q --bits float "$media/tone.wav" -o "$d/bf.flac"

# ---- --loop is a count, in file order; never forever into a file
run_case "--loop B.wav" 2 "$pingpong" play "$media/tone.wav" --loop "$media/counter.wav" -o "$d/l.wav"
run_case "--loop -1" 2 "$pingpong" play "$media/tone.wav" --loop -1 -o "$d/l.wav"
run_case "--loop inf into a file" 2 "$pingpong" play "$media/tone.wav" --loop inf -o "$d/l.wav"
run_case "A --loop 2 B" 0 "$pingpong" play -q "$media/counter.wav" --loop 2 "$media/lead_in.wav" -o "$d/l.wav"
want=$(( 2 * ($(frames_of "$media/counter.wav") + $(frames_of "$media/lead_in.wav")) ))
[ "$(frames_of "$d/l.wav")" = "$want" ] && ok "A --loop 2 B: $want frames" || bad "A --loop 2 B: $(frames_of "$d/l.wav") frames, want $want"
python3 - "$media/counter.wav" "$d/l.wav" <<'PY' && ok "A --loop 2 B: A comes first, bit-exact" || bad "A --loop 2 B: does not start with A"
import struct, sys
def data(path):
    d = open(path, 'rb').read()
    i = d.find(b'data')
    return d[i + 8:i + 8 + struct.unpack('<I', d[i + 4:i + 8])[0]]
a, out = data(sys.argv[1]), data(sys.argv[2])
sys.exit(0 if out.startswith(a) else 1)
PY

# ---- names: invalid UTF-8 and newlines
odd="$d/$(printf 'odd\377name\nline.wav')"
cp "$media/tone.wav" "$odd"
run_case "a name with 0xFF and a newline" 0 "$pingpong" play -q "$odd" -o "$d/odd.wav" --json "$d/odd.json"
[ -n "$(json "$d/odd.json" 'd["files"][0]')" ] && ok "odd name: the JSON parses" || bad "odd name: invalid JSON"
"$pingpong" info "$odd" >"$work/info"
[ "$(wc -l <"$work/info")" -eq 1 ] && ok "odd name: info prints one line" || bad "odd name: info prints $(wc -l <"$work/info") lines"

# ---- a huge --half: the memory asked for and the limit, exit 2
sox -q -n -r 48000 -c 64 "$d/wide.wav" trim 0 0.1 2>/dev/null || python3 - "$d/wide.wav" <<'PY'
import struct, sys
ch, frames = 64, 4800
data = b'\0\0' * ch * frames
hdr = b'RIFF' + struct.pack('<I', 36 + len(data)) + b'WAVEfmt ' + struct.pack('<IHHIIHH', 16, 1, ch, 48000, 48000 * ch * 2, ch * 2, 16)
open(sys.argv[1], 'wb').write(hdr + b'data' + struct.pack('<I', len(data)) + data)
PY
run_case "--half 4194304 × 64 channels" 2 "$pingpong" play --device sim --half 4194304 "$d/wide.wav"
grep -q "MiB" "$work/err" && ok "huge --half: says how much ($(cat "$work/err"))" || bad "huge --half: $(cat "$work/err")"

# ---- a narrow terminal: one status line, redrawn in place, never wider than the screen
if command -v tmux >/dev/null; then
  sock="$work/tmux.sock"
  tmux -S "$sock" new-session -d -x 60 -y 12 \
    "\"$pingpong\" play -d sim \"$media/counter.wav\" \"$media/lead_in.wav\"; sleep 5" 2>/dev/null
  sleep 1.5
  tmux -S "$sock" capture-pane -p >"$work/screen" 2>/dev/null
  tmux -S "$sock" kill-server 2>/dev/null
  widest=$(awk '{ n = length($0); if (n > w) w = n } END { print w + 0 }' "$work/screen")
  status_lines=$(grep -c '▶' "$work/screen")
  if [ "$widest" -le 60 ] && [ "$status_lines" -eq 1 ] && grep -q '▶ 1/2 counter.wav  0:01' "$work/screen"; then
    ok "60-column terminal: one status line, $widest columns at most, file 1/2 and its position"
  else bad "60-column terminal: widest $widest, $status_lines status lines: $(grep '▶' "$work/screen" | head -2)"; fi
else
  bad "tmux not installed (scripts/setup.sh installs it)"
fi

# ---- the lab: SIGHUP mid-compare stops it cleanly and leaves no temp file
"$pingpong" compare -q --duration 3 --handoffs lockfree --wake poll --load io >/dev/null 2>&1 &
pid=$!
sleep 1.5
kill -HUP "$pid"
wait "$pid"
got=$?
[ "$got" -eq 129 ] && ok "SIGHUP mid-compare: exit 129" || bad "SIGHUP mid-compare: exit $got"
no_temp_left "$d" "SIGHUP mid-compare"

# ---- on JACK, in its default asynchronous mode and in -S ------------------------
# A 5.1 WAVE_FORMAT_EXTENSIBLE file (mask FL FR FC LFE BL BR) with a 440 Hz
# tone at 0.5 in the centre channel only.
python3 - "$d/centre51.wav" <<'PY'
import math, struct, sys
ch, rate, frames = 6, 48000, 48000
samples = bytearray()
for n in range(frames):
    c = int(round(0.5 * 32767 * math.sin(2 * math.pi * 440 * n / rate)))
    samples += struct.pack('<6h', 0, 0, c, 0, 0, 0)
guid = struct.pack('<IHH', 1, 0, 0x10) + bytes([0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71])
fmt = struct.pack('<HHIIHHHHI', 0xFFFE, ch, rate, rate * ch * 2, ch * 2, 16, 22, 16, 0x3F) + guid
body = b'WAVE' + b'fmt ' + struct.pack('<I', len(fmt)) + fmt + b'data' + struct.pack('<I', len(samples)) + bytes(samples)
open(sys.argv[1], 'wb').write(b'RIFF' + struct.pack('<I', len(body)) + body)
PY
for mode in async sync; do
  name="pp-hostile-$$-$mode"
  flags=(--period 256)
  [ "$mode" = async ] && flags+=(--async)
  if ! started=$("$jack" start "$name" "${flags[@]}" 2>"$work/jack.err"); then
    bad "$mode: JACK server did not start: $(tail -3 "$TMPDIR/pingpong-jack-$name.log" 2>/dev/null | tr '\n' ' ')"
    continue
  fi
  eval "$started"
  servers+=("$name")
  jackd_pid=$(cat "$TMPDIR/pingpong-jack-$name.pid")

  # The real period, whatever was asked; one verdict for text and JSON.
  run_case "$mode: -p 16 --half 16 on a 256-frame server" 0 "$pingpong" play -p 16 --half 16 "$media/tone.wav" --json "$d/p.json"
  period=$(json "$d/p.json" 'd["device"]["period_frames"]')
  [ "$period" = 256 ] && ok "$mode: reports the server's period 256" || bad "$mode: reports period ${period:-?}"
  [ "$(json "$d/p.json" 'd["half_frames"]')" = 256 ] && ok "$mode: half raised to 256" || bad "$mode: half $(json "$d/p.json" 'd["half_frames"]')"
  grep -q "does not apply" "$work/err" && ok "$mode: says --period does not apply" || bad "$mode: no note about --period"
  text=$(sed -n 's/^result: \([a-z]*\).*/\1/p' "$work/out")
  [ "$text" = "$(json "$d/p.json" 'd["result"]')" ] && ok "$mode: text and JSON agree ($text)" || bad "$mode: text '$text', JSON '$(json "$d/p.json" 'd["result"]')'"

  # The player stopped (SIGSTOP, as Ctrl-Z does) for 3 s, continued, then Ctrl-C.
  "$pingpong" play -v --loop inf "$media/tone.wav" >"$work/out" 2>"$work/err" &
  pid=$!
  wait_playing "$work/out"
  sleep 1
  kill -STOP "$pid"; sleep 3; kill -CONT "$pid"; sleep 1
  t0=$(date +%s%N)
  kill -INT "$pid"
  for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  if kill -0 "$pid" 2>/dev/null; then
    bad "$mode: stopped and continued player did not exit 3 s after Ctrl-C"; kill -9 "$pid"; wait "$pid" 2>/dev/null
  else
    wait "$pid"; got=$?
    [ "$got" -eq 130 ] && ok "$mode: stopped+continued player exits 130 in $(ms_since "$t0") ms" || bad "$mode: exit $got after STOP/CONT"
  fi

  # The server stopped for 3 s and continued: a stall, not a death.
  "$pingpong" play -v "$media/counter.wav" "$media/counter.wav" "$media/counter.wav" --json "$d/s.json" >"$work/out" 2>"$work/err" &
  pid=$!
  wait_playing "$work/out"
  sleep 0.7
  kill -STOP "$jackd_pid"; sleep 3; kill -CONT "$jackd_pid"
  wait "$pid"
  got=$?
  stalls=$(json "$d/s.json" 'd["device_status"]["server_stalls"]')
  longest=$(json "$d/s.json" 'd["device_status"]["longest_stall_s"]')
  if [ "$got" -eq 0 ] && [ "${stalls:-0}" -ge 1 ] && python3 -c "import sys; sys.exit(0 if 2.5 < ${longest:-0} < 4 else 1)"; then
    ok "$mode: server stopped 3 s: played on, $stalls stall(s), longest ${longest} s"
  else bad "$mode: server stopped 3 s: exit $got, stalls ${stalls:-?}, longest ${longest:-?}: $(head -1 "$work/err")"; fi

  # A second Ctrl-C ends at once, even while the first waits on a stalled server.
  "$pingpong" play -v --loop inf "$media/tone.wav" >"$work/out" 2>"$work/err" &
  pid=$!
  wait_playing "$work/out"
  sleep 1
  kill -STOP "$jackd_pid"
  sleep 0.3
  kill -INT "$pid"; sleep 0.1
  t0=$(date +%s%N)
  kill -INT "$pid"
  wait "$pid"
  got=$?
  elapsed=$(ms_since "$t0")
  kill -CONT "$jackd_pid"
  [ "$got" -eq 130 ] && [ "$elapsed" -lt "$second_signal_limit_ms" ] && ok "$mode: second Ctrl-C: exit 130 in $elapsed ms" ||
    bad "$mode: second Ctrl-C: exit $got after $elapsed ms"
  sleep 0.5

  # 5.1 with only the centre channel: equal on both sides, at -3 dB (ITU-R BS.775).
  rm -f "$work/ready"
  "$tools/pp_jack_record" --client pingpong --ready-file "$work/ready" --wait-for-client 20 "$d/rec51.wav" >"$work/rec.log" 2>&1 &
  rec=$!
  for _ in $(seq 100); do [ -e "$work/ready" ] && break; sleep 0.05; done
  run_case "$mode: 5.1 centre-only" 0 "$pingpong" play -q "$d/centre51.wav"
  timeout 20 tail --pid="$rec" -f /dev/null
  wait "$rec" 2>/dev/null
  levels=$(python3 - "$d/rec51.wav" <<'PY'
import struct, sys, array
d = open(sys.argv[1], 'rb').read()
i = d.find(b'data'); n = struct.unpack('<I', d[i + 4:i + 8])[0]
a = array.array('f'); a.frombytes(d[i + 8:i + 8 + n])
print(f"{max(abs(x) for x in a[0::2]):.4f} {max(abs(x) for x in a[1::2]):.4f}")
PY
)
  read -r left right <<<"${levels:-0 0}"
  if python3 -c "import sys; sys.exit(0 if abs($left - $right) < 1e-3 and abs($left - 0.5 * 0.70711) < 0.01 else 1)"; then
    ok "$mode: 5.1 centre → L $left R $right (0.5 × 0.7071)"
  else bad "$mode: 5.1 centre → L $left R $right, want both 0.354"; fi
done

# ---- nothing left running
sleep 0.3
left=$(pgrep -f "^$pingpong " || true)
[ -z "$left" ] && ok "no pingpong process left" || bad "pingpong processes left: $left"
no_temp_left "$d" "the whole run"

if [ "$failures" -ne 0 ]; then
  echo "$failures hostile case(s) failed"
  exit 1
fi
echo "every hostile case ended as documented"
