#!/usr/bin/env bash
# The keys and the pipes of `pingpong play`, on the real path: a real
# terminal (tmux: send-keys, capture-pane), a JACK dummy server (run this
# under scripts/jack.sh run), the output recorded by pp_jack_record.
#   keys_jack.sh PINGPONG TOOLS_DIR MEDIA_DIR JACK_SH
#
#  1. keys.wav with keys: Space (pause 0.6 s) Space; Right; Left; Space Up
#     Space (seek while paused); Down; 9 9 9; q. The recording
#     (keys_analyse.py) must show: the pause as silence with a fade each way,
#     no click, and the same frame after it; each seek landing exactly
#     ±5 s / ±60 s (in frames) from the last frame heard; the volume ramped
#     per sample to -3 dB. The status line shows ⏸ and "−3 dB"; q exits 0
#     with the summary; the terminal's mode (stty -a) is what it was.
#  2. stdin: `cat counter.wav | pingpong play -` bit-exact on JACK and
#     offline; /dev/stdin and a named pipe offline; FLAC on a pipe: one line,
#     exit 2; a FIFO nobody writes to: Ctrl-C ends the wait (exit 130).
#  3. A named pipe with keys: Right says "cannot seek in a pipe".
#  4. The terminal's mode comes back after SIGTERM, a double Ctrl-C (the
#     _exit fast path) and a JACK server killed with -9 mid-play.
set -uo pipefail
pingpong="$1" tools="$2" media="$3" jack_sh="$4"
: "${JACK_DEFAULT_SERVER:?run under scripts/jack.sh run}"
here="$(cd "$(dirname "$0")" && pwd)"
tmp=$(mktemp -d)
sock="$tmp/tmux.sock"
rec_pid="" second=""
cleanup() {
  tmux -S "$sock" kill-server 2>/dev/null
  [ -n "$rec_pid" ] && kill "$rec_pid" 2>/dev/null
  if [ -n "$second" ]; then
    "$jack_sh" stop "$second" >/dev/null 2>&1
    rm -f /dev/shm/jack_"$second"_* /dev/shm/jack_sem.*_"$second"_* 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
failures=0
ok() { echo "ok    $*"; }
bad() {
  echo "FAIL  $*"
  failures=$((failures + 1))
}
command -v tmux >/dev/null || { bad "tmux not installed (scripts/setup.sh installs it)"; exit 1; }

start_recorder() {  # start_recorder OUT.wav
  rm -f "$tmp/ready"
  "$tools/pp_jack_record" --client pingpong --ready-file "$tmp/ready" --wait-for-client 20 "$1" >"$tmp/rec.log" 2>&1 &
  rec_pid=$!
  for _ in $(seq 100); do [ -e "$tmp/ready" ] && return 0; sleep 0.05; done
  return 1
}
stop_recorder() {
  timeout 20 tail --pid="$rec_pid" -f /dev/null
  wait "$rec_pid" 2>/dev/null
  rec_pid=""
}
# term CMD [WIDTH]: runs CMD in a fresh WIDTHx10 (100) tmux terminal; the shell records
# `stty -a` before and after, and CMD's exit status in $tmp/rc.
terms=0
term() {
  # A tmux server of its own each time (a new session right after a
  # kill-server on the same socket can race the old server's exit).
  tmux -S "$sock" kill-server 2>/dev/null
  terms=$((terms + 1))
  sock="$tmp/tmux.$terms.sock"
  rm -f "$tmp/rc" "$tmp/stty_before" "$tmp/stty_after"
  tmux -S "$sock" new-session -d -x "${2:-100}" -y 10 \
    "stty -a >'$tmp/stty_before'; $1; echo \$? >'$tmp/rc'; stty -a >'$tmp/stty_after'; sleep 60" ||
    bad "tmux: no terminal for: $1"
}
keys() { tmux -S "$sock" send-keys "$@"; }
screen() { tmux -S "$sock" capture-pane -p; }
wait_rc() {  # wait_rc SECONDS: until the command in the terminal has exited
  for _ in $(seq $(( $1 * 20 ))); do [ -s "$tmp/rc" ] && return 0; sleep 0.05; done
  return 1
}
wait_screen() {  # wait_screen TEXT SECONDS
  for _ in $(seq $(( $2 * 20 ))); do screen | grep -qF -- "$1" && return 0; sleep 0.05; done
  return 1
}
same_stty() { [ -s "$tmp/stty_after" ] && cmp -s "$tmp/stty_before" "$tmp/stty_after"; }

# ---- 1. the keys, recorded ---------------------------------------------------------
keys_run() {  # one recorded run; sets $verdict; returns 1 if the server reported xruns (may retry)
  start_recorder "$tmp/keys.wav" || { bad "keys: recorder not ready"; return 0; }
  term "'$pingpong' play --json '$tmp/keys.json' '$media/keys.wav'"
  wait_screen "▶ keys.wav" 10 || bad "keys: no status line: $(screen | head -3)"
  sleep 1.0
  keys Space; sleep 0.3; screen >"$tmp/paused"; sleep 0.3; keys Space; sleep 0.7
  keys Right; sleep 0.7
  keys Left; sleep 0.7
  keys Space; sleep 0.3; keys Up; sleep 0.3; keys Space; sleep 0.7
  keys Down; sleep 0.7
  keys 9 9 9; sleep 0.6; screen >"$tmp/volume"
  keys q
  wait_rc 5 || bad "keys: q did not end it"
  screen >"$tmp/end"
  stop_recorder
  gaps=$(python3 "$here/keys_analyse.py" "$tmp/keys.wav")
  xruns=$(grep -o '"device_xruns": [0-9]*' "$tmp/keys.json" 2>/dev/null | grep -o '[0-9]*$')
  # The key events, in order: each a gap that heard something (a fade);
  # gaps that heard nothing are the server's own xruns (counted, not ours).
  mapfile -t events < <(grep '^gap' <<<"$gaps" | grep -v 'heard 0 ')
  want_jumps=(0 10631 22136 29271 3496)  # frames modulo 32767: 0, +5 s, -5 s, +60 s, -60 s at 48 kHz
  verdict="OK"
  if [ "${#events[@]}" -ne 5 ]; then
    verdict="BAD ${#events[@]} key events, want 5: $(tr '\n' ';' <<<"$gaps")"
  else
    for i in 0 1 2 3 4; do
      read -r _ _ _ _ heard _ silent _ jump _ step <<<"${events[$i]}"
      [ "$jump" -eq "${want_jumps[$i]}" ] || verdict="BAD event $((i + 1)) jumps $jump frames, want ${want_jumps[$i]}: ${events[$i]}"
      [ "$heard" -le 480 ] || verdict="BAD event $((i + 1)) fades over $heard frames: ${events[$i]}"
      awk -v s="$step" 'BEGIN { exit !(s < 0.06) }' || verdict="BAD event $((i + 1)) clicks (step $step): ${events[$i]}"
      if [ "$i" -eq 0 ] || [ "$i" -eq 3 ]; then
        [ "$silent" -ge 14400 ] || verdict="BAD event $((i + 1)) paused only $silent frames: ${events[$i]}"
      fi
    done
  fi
  gain=$(grep '^gain' <<<"$gaps")
  read -r _ _ _ _ _ settle _ _ ramp _ _ _ _ _ change <<<"$gain"
  if [ -z "$gain" ] || ! awk -v g="$settle" -v c="$change" -v r="$ramp" \
      'BEGIN { exit !(g > 0.7069 && g < 0.7089 && c < 0.0021 && r >= 100) }'; then
    verdict="BAD volume: '$gain' (want 0.7079 = -3 dB, reached by steps < 0.0021 per frame over >= 100 frames)"
  fi
  [[ "$verdict" == OK* ]] || [ "${xruns:-0}" -eq 0 ]
}
keys_run || { echo "      (the server reported ${xruns} xruns: once more)"; keys_run; }
if [[ "$verdict" == OK* ]]; then
  ok "keys recorded: pause, +5 s, -5 s, +60 s while paused, -60 s all land exactly, fades <= 480 frames, no click; -3 dB ramped ($gain)"
else
  bad "keys recorded: $verdict"
fi
grep -q "⏸ keys.wav" "$tmp/paused" && ok "status line: ⏸ while paused" || bad "status line while paused: $(head -1 "$tmp/paused")"
grep -q "−3 dB" "$tmp/volume" && ok "status line: −3 dB after 9 9 9" || bad "status line after 9 9 9: $(head -1 "$tmp/volume")"
if [ "$(cat "$tmp/rc" 2>/dev/null)" = 0 ] && grep -q "^played " "$tmp/end" && same_stty; then
  ok "q: exit 0, the summary, the terminal's mode restored"
else
  bad "q: exit $(cat "$tmp/rc" 2>/dev/null), summary $(grep -c '^played' "$tmp/end"), stty $(same_stty && echo same || diff "$tmp/stty_before" "$tmp/stty_after" | head -3)"
fi

# ---- 2. stdin and named pipes --------------------------------------------------------
pipe_run() {  # false if the recording differs and the server reported xruns (may retry)
  start_recorder "$tmp/pipe.wav" || bad "pipe: recorder not ready"
  cat "$media/counter.wav" | timeout 20 "$pingpong" play -q --half 8192 --json "$tmp/pipe.json" "$media/lead_in.wav" - 2>"$tmp/err"
  got=$?
  stop_recorder
  cmp_out=$("$tools/pp_compare_audio" "$media/counter.wav" "$tmp/pipe.wav" 2>&1 | tail -1)
  xruns=$(grep -o '"device_xruns": [0-9]*' "$tmp/pipe.json" 2>/dev/null | grep -o '[0-9]*$')
  [[ "$cmp_out" == *IDENTICAL* ]] || [ "${xruns:-0}" -eq 0 ]
}
pipe_run || { echo "      (the server reported ${xruns} xruns: once more)"; pipe_run; }
[ "$got" -eq 0 ] && [[ "$cmp_out" == *IDENTICAL* ]] && ok "cat counter.wav | play - on JACK: ${cmp_out#pp_compare_audio: }" ||
  bad "cat counter.wav | play - on JACK: exit $got $(cat "$tmp/err"); $cmp_out"
cat "$media/counter.wav" | timeout 20 "$pingpong" play -q -o "$tmp/off.wav" - 2>"$tmp/err"
got=$?
cmp_out=$("$tools/pp_compare_audio" "$media/counter.wav" "$tmp/off.wav" 2>&1 | tail -1)
[ "$got" -eq 0 ] && [[ "$cmp_out" == *IDENTICAL* ]] && ok "cat counter.wav | play -o out.wav -: ${cmp_out#pp_compare_audio: }" ||
  bad "play -o out.wav -: exit $got $(cat "$tmp/err"); $cmp_out"
cat "$media/counter.wav" | timeout 20 "$pingpong" play -q -o "$tmp/dev.wav" /dev/stdin 2>"$tmp/err"
got=$?
cmp_out=$("$tools/pp_compare_audio" "$media/counter.wav" "$tmp/dev.wav" 2>&1 | tail -1)
[ "$got" -eq 0 ] && [[ "$cmp_out" == *IDENTICAL* ]] && ok "/dev/stdin: ${cmp_out#pp_compare_audio: }" ||
  bad "/dev/stdin: exit $got $(cat "$tmp/err"); $cmp_out"
mkfifo "$tmp/fifo"
(sleep 0.3; cat "$media/tone.wav" >"$tmp/fifo") &
timeout 20 "$pingpong" play -q -o "$tmp/fifo.wav" "$tmp/fifo" 2>"$tmp/err"
got=$?
cmp_out=$("$tools/pp_compare_audio" "$media/tone.wav" "$tmp/fifo.wav" 2>&1 | tail -1)
[ "$got" -eq 0 ] && [[ "$cmp_out" == *IDENTICAL* ]] && ok "named pipe, writer 0.3 s late: ${cmp_out#pp_compare_audio: }" ||
  bad "named pipe: exit $got $(cat "$tmp/err"); $cmp_out"
cat "$media/counter.flac" | timeout 20 "$pingpong" play -q -o "$tmp/flac.wav" - 2>"$tmp/err"
got=$?
if [ "$got" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "FLAC needs a seekable file" "$tmp/err" && [ ! -e "$tmp/flac.wav" ]; then
  ok "FLAC on a pipe: exit 2, '$(cat "$tmp/err")'"
else
  bad "FLAC on a pipe: exit $got, $(cat "$tmp/err")"
fi
"$pingpong" play -q -o "$tmp/never.wav" "$tmp/fifo" 2>"$tmp/err" &
pid=$!
sleep 0.5
t0=$(date +%s%N)
kill -INT "$pid"
wait "$pid"  # the player ends the wait itself (else the 2 s limit below would show)
got=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$got" -eq 130 ] && [ "$ms" -lt 1000 ] && ok "a FIFO nobody writes to: Ctrl-C ends the wait, exit 130 in $ms ms" ||
  bad "a FIFO nobody writes to: exit $got after $ms ms; $(cat "$tmp/err")"
t0=$(date +%s%N)
timeout 10 "$pingpong" play -q -o "$tmp/never.wav" "$tmp/fifo" 2>"$tmp/err"
got=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if [ "$got" -eq 2 ] && [ "$ms" -lt 3000 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "nothing was written to the named pipe within 2 s" "$tmp/err"; then
  ok "a FIFO nobody writes to, no Ctrl-C: exit 2 after $ms ms, '$(cat "$tmp/err")'"
else
  bad "a FIFO nobody writes to, no Ctrl-C: exit $got after $ms ms; $(cat "$tmp/err")"
fi

# ---- 3. keys on a pipe ---------------------------------------------------------------
(cat "$media/tone.wav" >"$tmp/fifo") &
writer=$!
term "'$pingpong' play '$tmp/fifo'"
wait_screen "▶ fifo" 10
keys Right
if wait_screen "cannot seek in a pipe" 2; then ok "Right on a pipe: the status line says 'cannot seek in a pipe'"; else
  bad "Right on a pipe: $(screen | head -2)"; fi
wait_rc 10
[ "$(cat "$tmp/rc" 2>/dev/null)" = 0 ] && same_stty && ok "the pipe played to its end: exit 0, terminal restored" ||
  bad "pipe with keys: exit $(cat "$tmp/rc" 2>/dev/null): $(screen | grep -v '^$' | head -3)"
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null

# ---- 3b. next, previous, mute, Enter --------------------------------------------------
term "'$pingpong' play '$media/keys.wav' '$media/counter.wav' '$media/keys.wav'"
wait_screen "▶ 1/3 keys.wav" 10
keys '>'
wait_screen "▶ 2/3 counter.wav" 3 && s1=ok || s1="'$(screen | head -1)'"
keys Enter
wait_screen "▶ 3/3 keys.wav" 3 && s2=ok || s2="'$(screen | head -1)'"
keys '<' m
wait_screen "muted" 3 && screen | grep -q "▶ 2/3 counter.wav" && s3=ok || s3="'$(screen | head -1)'"
keys Escape
wait_rc 5
if [ "$s1$s2$s3" = okokok ] && [ "$(cat "$tmp/rc" 2>/dev/null)" = 0 ] && same_stty; then
  ok "> and Enter: next file, <: previous, m: muted, Esc: exit 0"
else
  bad "next/previous/mute/Esc: > $s1, Enter $s2, < m $s3, exit $(cat "$tmp/rc" 2>/dev/null)"
fi

# 40 columns: fields dropped from the right, never wrapped; colour on a
# terminal (the escape codes do not count as columns), none with NO_COLOR.
term "'$pingpong' play --loop inf '$media/tone.wav'" 40
wait_screen "▶ tone.wav" 10
sleep 0.5
narrow=$(screen | grep -c '▶')
widest=$(screen | python3 -c 'import sys; print(max(len(l.rstrip("\n")) for l in sys.stdin.buffer.read().decode().splitlines()))')
coloured=$(tmux -S "$sock" capture-pane -p -e | grep -c $'\x1b\[32m▶')
keys q
wait_rc 5
term "NO_COLOR=1 '$pingpong' play --loop inf '$media/tone.wav'" 40
wait_screen "▶ tone.wav" 10
sleep 0.5
plain=$(tmux -S "$sock" capture-pane -p -e | grep -c $'\x1b\[3[0-9]m')
keys q
wait_rc 5
if [ "$narrow" -eq 1 ] && [ "$widest" -le 40 ] && [ "$coloured" -eq 1 ] && [ "$plain" -eq 0 ]; then
  ok "40 columns: one status line, $widest columns at most, coloured; none with NO_COLOR"
else
  bad "40 columns: $narrow status lines, widest $widest, coloured $coloured, with NO_COLOR $plain coloured"
fi

# A skip to a file deleted since the start: one line, exit 2, no hang.
cp "$media/keys.wav" "$tmp/a.wav"
cp "$media/tone.wav" "$tmp/b.wav"
term "'$pingpong' play '$tmp/a.wav' '$tmp/b.wav'"
wait_screen "▶ 1/2 a.wav" 10
rm -f "$tmp/b.wav"
keys '>'
wait_rc 5
if [ "$(cat "$tmp/rc" 2>/dev/null)" = 2 ] && screen | grep -qF "cannot open '$tmp/b.wav': no such file" && same_stty; then
  ok "> onto a file deleted meanwhile: exit 2, one line, terminal restored"
else
  bad "> onto a deleted file: exit $(cat "$tmp/rc" 2>/dev/null): $(screen | grep -v '^$' | tail -2)"
fi

# ---- 4. the terminal's mode on the ways out ------------------------------------------
# `exec` keeps the shell's pid for pingpong, in the terminal's foreground (keys on).
term "sh -c 'echo \$\$ >\"$tmp/pid\"; exec \"$pingpong\" play --loop inf \"$media/tone.wav\"'"
wait_screen "▶ tone.wav" 10
kill -TERM "$(cat "$tmp/pid")"
wait_rc 5
[ "$(cat "$tmp/rc" 2>/dev/null)" = 143 ] && same_stty && ok "SIGTERM: exit 143, terminal restored" ||
  bad "SIGTERM: exit $(cat "$tmp/rc" 2>/dev/null), stty $(diff "$tmp/stty_before" "$tmp/stty_after" 2>&1 | head -3)"

# Ctrl-Z and fg, in an interactive bash with job control (a shell without it
# leaves the process group orphaned, and the kernel discards a terminal's
# stop there): stopped, the terminal has the mode it had; after `fg` the
# keys' mode is back, so a `q` with no Enter quits, with the summary.
jc_sock="$tmp/tmux.jobs.sock"
tmux -S "$jc_sock" new-session -d -x 100 -y 10 "env PS1='$ ' bash --norc --noprofile --noediting -i"
jc_tty=$(tmux -S "$jc_sock" display -p '#{pane_tty}')
sleep 0.3
stty -a -F "$jc_tty" >"$tmp/jc_before"
tmux -S "$jc_sock" send-keys "'$pingpong' play --loop inf '$media/tone.wav'" Enter
for _ in $(seq 200); do tmux -S "$jc_sock" capture-pane -p | grep -qF "▶ tone.wav" && break; sleep 0.05; done
jc_pid=$(pgrep -P "$(tmux -S "$jc_sock" display -p '#{pane_pid}')" -x pingpong)
tmux -S "$jc_sock" send-keys C-z
jc_state=""
for _ in $(seq 40); do
  jc_state=$(ps -o stat= -p "$jc_pid" 2>/dev/null)
  [[ $jc_state == T* ]] && break
  sleep 0.05
done
stty -a -F "$jc_tty" >"$tmp/jc_stopped"
tmux -S "$jc_sock" send-keys "fg" Enter
sleep 0.7
tmux -S "$jc_sock" send-keys q
for _ in $(seq 100); do kill -0 "$jc_pid" 2>/dev/null || break; sleep 0.05; done
sleep 0.2
stty -a -F "$jc_tty" >"$tmp/jc_after"
if [[ $jc_state == T* ]] && cmp -s "$tmp/jc_before" "$tmp/jc_stopped" && ! kill -0 "$jc_pid" 2>/dev/null &&
  tmux -S "$jc_sock" capture-pane -p | grep -q "^played " && cmp -s "$tmp/jc_before" "$tmp/jc_after"; then
  ok "Ctrl-Z: stopped with the terminal's mode restored; after fg, q (no Enter) quits with the summary; terminal restored"
else
  bad "Ctrl-Z/fg: state '$jc_state', mode while stopped $(cmp -s "$tmp/jc_before" "$tmp/jc_stopped" && echo restored || echo raw), after fg q $(kill -0 "$jc_pid" 2>/dev/null && echo 'did not quit' || echo quit)"
  kill -9 "$jc_pid" 2>/dev/null
fi
tmux -S "$jc_sock" kill-server 2>/dev/null

second="pp-keys-$$"
if "$jack_sh" start "$second" --async >/dev/null; then
  server_pid=$(cat "${TMPDIR:-/tmp}/pingpong-jack-$second.pid")
  # A second Ctrl-C while the first waits on a stopped server: the _exit path.
  term "JACK_DEFAULT_SERVER='$second' '$pingpong' play --loop inf '$media/tone.wav'"
  wait_screen "▶ tone.wav" 10
  kill -STOP "$server_pid"
  keys C-c
  sleep 0.2
  keys C-c
  wait_rc 5
  kill -CONT "$server_pid"
  if [ "$(cat "$tmp/rc" 2>/dev/null)" = 130 ] && screen | grep -q "stopped at once (second signal)" && same_stty; then
    ok "double Ctrl-C: the _exit fast path, exit 130, terminal restored"
  else
    bad "double Ctrl-C: exit $(cat "$tmp/rc" 2>/dev/null), $(screen | grep -c 'stopped at once') fast-path lines, stty $(diff "$tmp/stty_before" "$tmp/stty_after" 2>&1 | head -3)"
  fi
  term "JACK_DEFAULT_SERVER='$second' '$pingpong' play --loop inf '$media/tone.wav'"
  wait_screen "▶ tone.wav" 10
  kill -9 "$(cat "${TMPDIR:-/tmp}/pingpong-jack-$second.pid")"
  wait_rc 10
  [ "$(cat "$tmp/rc" 2>/dev/null)" = 3 ] && same_stty && ok "JACK server killed -9 mid-play (async server): exit 3, terminal restored" ||
    bad "server killed: exit $(cat "$tmp/rc" 2>/dev/null), stty $(diff "$tmp/stty_before" "$tmp/stty_after" 2>&1 | head -3)"
else
  bad "no second JACK server"
fi

[ "$failures" -eq 0 ] || { echo "$failures key/pipe case(s) failed"; exit 1; }
echo "all key and pipe cases ok"
