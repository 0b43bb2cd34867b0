#!/usr/bin/env bash
# SIGINT / SIGTERM stop playback promptly, the summary is still printed, and
# the exit code says which signal (130 / 143). On the sim device (no server).
#   signals.sh PINGPONG MEDIA_DIR
set -uo pipefail
pingpong="$1"
media="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
for sig in INT TERM; do
  want=$([ $sig = INT ] && echo 130 || echo 143)
  "$pingpong" play --device sim --loop inf --json "$tmp/r.json" "$media/tone.wav" >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  sleep 0.7
  start=$(date +%s%N)
  kill -"$sig" "$pid"
  wait "$pid"
  got=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  if [ "$got" -eq "$want" ] && grep -q "interrupted" "$tmp/out" && grep -q '"interrupted": true' "$tmp/r.json" && [ "$ms" -lt 1000 ]; then
    echo "ok    SIG$sig: exit $got after $ms ms, summary printed"
  else
    echo "FAIL  SIG$sig: exit $got (want $want) after $ms ms"; cat "$tmp/out" "$tmp/err" | head -10
    failures=$((failures + 1))
  fi
done
[ "$failures" -eq 0 ] || exit 1
