#!/usr/bin/env bash
# The audio server dies mid-play (kill -9 jackd): pingpong reports it on one
# line and exits with code 3 within 2 s of the death (PP_DEATH_LIMIT_MS; the
# sanitizer builds allow 5 s, their exit is slow); no hang.
#   server_death.sh PINGPONG MEDIA_DIR JACK_SH
set -uo pipefail
pingpong="$1"; media="$2"; jack_sh="$3"
name="pp-death-$$"
eval "$("$jack_sh" start "$name")" || { echo "FAIL  no JACK server"; exit 1; }
cleanup() {
  "$jack_sh" stop "$name" >/dev/null 2>&1
  # A jackd killed with -9 leaves its entry in JACK's shared-memory registry,
  # which holds 8 servers at most: clear what it left, and the registry
  # itself when no JACK server is running any more.
  rm -f /dev/shm/jack_"$name"_* /dev/shm/jack_sem.*_"$name"_* 2>/dev/null
  pgrep -x jackd >/dev/null || rm -rf /dev/shm/jack-shm-registry /dev/shm/jack-0-* /dev/shm/jack_db-* 2>/dev/null
}
trap cleanup EXIT
tmp=$(mktemp -d)
timeout 30 "$pingpong" play --loop inf --quiet "$media/tone.wav" 2>"$tmp/err" &
pid=$!
sleep 1.5
pidfile="${TMPDIR:-/tmp}/pingpong-jack-$name.pid"
start=$(date +%s%N)
kill -9 "$(cat "$pidfile")"
wait "$pid"
status=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
lines=$(wc -l <"$tmp/err")
echo "exit $status after $ms ms: $(cat "$tmp/err")"
rm -rf "$tmp"
[ "$status" -eq 3 ] && [ "$lines" -eq 1 ] && [ "$ms" -le "${PP_DEATH_LIMIT_MS:-2000}" ]
