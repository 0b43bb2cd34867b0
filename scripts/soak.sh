#!/usr/bin/env bash
# The soak (not part of the quick CI run): long playback and a long swap run.
#
#   scripts/soak.sh [--minutes M] [--frames N] [--build DIR]
#       M  minutes of simulated playback per handoff policy (default 60)
#       N  frames through the swapper per policy (default 10^10), half per wake
#
# 1. Playback: `pingpong play --device sim` of counter.wav looped for M
#    minutes, the four handoffs at once (the sim device is paced like a sound
#    card, so this takes M minutes of wall time and little CPU). Each must
#    exit 0 having played exactly loops × 144000 frames, and its resident
#    memory must not grow after the first minute (< 1 MiB).
# 2. Swapper: tests/stress_test.cpp's frame-counter invariant (every frame
#    once, in order, untorn; silence only where an underrun was counted) with
#    N/2 frames per policy × wake, at the same time as 1.
# Prints a table and the command; exit 1 if anything failed. Uses copies of
# the binaries, so rebuilding during the soak is safe.
set -uo pipefail
cd "$(dirname "$0")/.."
minutes=60 frames=10000000000 build=build
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --frames) frames="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    *) echo "usage: scripts/soak.sh [--minutes M] [--frames N] [--build DIR]" >&2; exit 2 ;;
  esac
done
for f in "$build/pingpong" "$build/tests/pingpong_stress_tests" "$build/tests/tools/pp_make_media"; do
  [ -x "$f" ] || { echo "soak.sh: $f missing: build first (scripts/test.sh)" >&2; exit 2; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/pingpong-soak-XXXXXX")
cp "$build/pingpong" "$build/tests/pingpong_stress_tests" "$work/"
"$build/tests/tools/pp_make_media" "$work/media" >/dev/null
pids=()
sampler=""
stress_pid=""
cleanup() {
  for p in "${pids[@]}" $sampler $stress_pid; do kill "$p" 2>/dev/null; done
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM
loops=$(( (minutes * 60 + 2) / 3 ))  # counter.wav is 3 s
expect_frames=$(( loops * 144000 ))
echo "soak: $minutes min of sim playback per handoff ($loops loops of counter.wav), $frames swapper frames per policy; work dir $work"
start=$(date +%s)

policies=(lockfree mutex mutex-pi trylock)
for h in "${policies[@]}"; do
  "$work/pingpong" play --device sim --quiet --handoff "$h" --loop "$loops" --json "$work/play-$h.json" \
    "$work/media/counter.wav" 2>"$work/play-$h.err" &
  pids+=($!)
done
# Resident memory of each player: after 60 s (warm) and at the end.
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null; }
(
  sleep 60
  for i in "${!policies[@]}"; do echo "${policies[$i]} $(rss "${pids[$i]}")"; done >"$work/rss-warm"
  while :; do
    for i in "${!policies[@]}"; do r=$(rss "${pids[$i]}"); [ -n "$r" ] && echo "${policies[$i]} $r"; done >"$work/rss-now.tmp"
    [ -s "$work/rss-now.tmp" ] && mv "$work/rss-now.tmp" "$work/rss-last"
    sleep 10
  done
) &
sampler=$!

per_wake=$(( frames / 2 ))
s0=$(date +%s)
PINGPONG_STRESS_FRAMES=$per_wake "$work/pingpong_stress_tests" >"$work/stress.log" 2>&1 &
stress_pid=$!
wait "$stress_pid"
stress_rc=$?
stress_pid=""
stress_s=$(( $(date +%s) - s0 ))

failures=0
for i in "${!policies[@]}"; do
  wait "${pids[$i]}"
  echo $? >"$work/rc-${policies[$i]}"
done
pids=()
kill "$sampler" 2>/dev/null
wait "$sampler" 2>/dev/null

json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@" 2>/dev/null; }
printf '\n%-9s %5s %14s %9s %9s %9s %12s %s\n' handoff exit frames underruns misses xruns "rss KiB" verdict
for h in "${policies[@]}"; do
  rc=$(cat "$work/rc-$h")
  f=$(json "$work/play-$h.json" 'd["frames_played"]')
  u=$(json "$work/play-$h.json" 'd["underruns"]["events"]')
  m=$(json "$work/play-$h.json" 'd["deadline_misses"]')
  x=$(json "$work/play-$h.json" 'd["device_xruns"]')
  warm=$(awk -v h="$h" '$1 == h {print $2}' "$work/rss-warm" 2>/dev/null)
  last=$(awk -v h="$h" '$1 == h {print $2}' "$work/rss-last" 2>/dev/null)
  verdict=ok
  [ "$rc" = 0 ] || verdict="exit $rc: $(head -1 "$work/play-$h.err")"
  [ "$f" = "$expect_frames" ] || verdict="frames $f, want $expect_frames"
  if [ -n "$warm" ] && [ -n "$last" ] && [ $(( last - warm )) -gt 1024 ]; then verdict="rss grew $warm -> $last KiB"; fi
  [ "$verdict" = ok ] || failures=$((failures + 1))
  printf '%-9s %5s %14s %9s %9s %9s %12s %s\n' "$h" "$rc" "${f:-?}" "${u:-?}" "${m:-?}" "${x:-?}" "${warm:-?}->${last:-?}" "$verdict"
done
echo
if [ "$stress_rc" -eq 0 ]; then
  echo "swapper: $frames frames per policy ($per_wake per wake), 4 policies x 2 wakes: invariant held, $stress_s s"
else
  echo "swapper: FAILED (exit $stress_rc) after $stress_s s:"
  tail -20 "$work/stress.log"
  failures=$((failures + 1))
fi
echo "soak: $(( ($(date +%s) - start) / 60 )) min wall, $(nproc) cores, $(date -u +%Y-%m-%d) — scripts/soak.sh --minutes $minutes --frames $frames"
[ "$failures" -eq 0 ] && rm -rf "$work"
[ "$failures" -eq 0 ]
