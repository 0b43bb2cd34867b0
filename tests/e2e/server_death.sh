#!/usr/bin/env bash
# The audio server dies mid-play (kill -9 jackd): pingpong reports it on one
# line and exits with code 3 within 2 s of the death; no hang.
#   server_death.sh PINGPONG MEDIA_DIR JACK_SH
set -uo pipefail
pingpong="$1"; media="$2"; jack_sh="$3"
name="pp-death-$$"
eval "$("$jack_sh" start "$name")" || { echo "FAIL  no JACK server"; exit 1; }
trap '"$jack_sh" stop "$name" >/dev/null 2>&1' EXIT
tmp=$(mktemp -d)
timeout 30 "$pingpong" play --loop --quiet "$media/tone.wav" 2>"$tmp/err" &
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
[ "$status" -eq 3 ] && [ "$lines" -eq 1 ] && [ "$ms" -le 2000 ]
