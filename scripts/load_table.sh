#!/usr/bin/env bash
# The read-ahead table (issue #12): is playback bit-exact at a 64-frame JACK
# period with a small half under load? For each load (none, cpu, cpu+io,
# heavy), RUNS recordings of pingpong at --half HALF (lockfree/poll), and of
# sndfile-jackplay and mpv where installed; then, per load, the smallest
# half that stayed clean in every run. Every run is recorded from the JACK
# graph (pp_jack_record) and compared with the source sample by sample
# (pp_compare_audio): "clean" means bit-exact, nothing less.
#
#   scripts/load_table.sh [--build build] [--runs 3] [--seconds 10] [--half 256]
#                         [--halves "64 128 256 512 1024"] [--sync]
#
# JACK runs in its default asynchronous mode (a late cycle is lost, as on a
# sound card; --sync for -S). Loads (stress-ng): cpu = --cpu 4; cpu+io =
# --cpu 4 --io 2 --hdd 1; heavy = --cpu 4 --vm 2 --vm-bytes 25% --hdd 1 --cache 2.
# Takes about (4 loads × RUNS × 3 players + the sweep) × (SECONDS + 3) s.
# Prints a Markdown table and the machine; not part of .ci/run.
set -uo pipefail
cd "$(dirname "$0")/.."
build=build runs=3 seconds=10 half=256 halves="64 128 256 512 1024 2048" mode=(--async)
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --half) half="$2"; shift 2 ;;
    --halves) halves="$2"; shift 2 ;;
    --sync) mode=(); shift ;;
    *) echo "usage: scripts/load_table.sh [--build DIR] [--runs N] [--seconds S] [--half H] [--halves \"...\"] [--sync]" >&2; exit 2 ;;
  esac
done
pingpong="$build/pingpong" tools="$build/tests/tools"
for t in "$pingpong" "$tools/pp_jack_record" "$tools/pp_compare_audio" "$tools/pp_make_media"; do
  [ -x "$t" ] || { echo "load_table: $t not built (scripts/test.sh builds it)" >&2; exit 2; }
done
command -v stress-ng >/dev/null || { echo "load_table: stress-ng not installed (scripts/setup.sh)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "load_table: /usr/bin/time not installed (scripts/setup.sh)" >&2; exit 2; }
work=$(mktemp -d)
name="pp-load-$$"
hog=""
cleanup() {
  [ -n "$hog" ] && kill "$hog" 2>/dev/null
  pkill -f "stress-ng.*pp-load-$$" 2>/dev/null
  scripts/jack.sh stop "$name" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
eval "$(scripts/jack.sh start "$name" --period 64 "${mode[@]}")" || exit 3

"$tools/pp_make_media" "$work/media" >/dev/null || exit 1
loops=$(( (seconds + 2) / 3 ))  # counter.wav is 3 s of distinct samples: a drop or repeat shows
"$pingpong" play -q --loop "$loops" -o "$work/ref.wav" "$work/media/counter.wav" || exit 1

start_load() {  # start_load NAME
  local args=()
  case "$1" in
    none) return 0 ;;
    cpu) args=(--cpu 4) ;;
    cpu+io) args=(--cpu 4 --io 2 --hdd 1 --hdd-bytes 256M) ;;
    heavy) args=(--cpu 4 --vm 2 --vm-bytes 25% --hdd 1 --hdd-bytes 256M --cache 2) ;;
  esac
  (cd "$work" && exec -a "stress-ng-pp-load-$$" stress-ng "${args[@]}" --timeout 3600s --quiet) &
  hog=$!
  sleep 1
}
stop_load() {
  [ -n "$hog" ] || return 0
  kill "$hog" 2>/dev/null
  pkill -f "stress-ng" 2>/dev/null
  wait "$hog" 2>/dev/null
  hog=""
}

# record CLIENT CMD...: plays CMD while recording CLIENT's ports; prints
# "clean" or what differed.
record() {
  local client="$1"
  shift
  rm -f "$work/ready" "$work/rec.wav"
  "$tools/pp_jack_record" --client "$client" --ready-file "$work/ready" --wait-for-client 20 "$work/rec.wav" \
    >"$work/rec.log" 2>&1 &
  local rec=$!
  for _ in $(seq 200); do [ -e "$work/ready" ] && break; sleep 0.05; done
  # CPU of the whole player process (every thread: decoder, JACK client,
  # control), user + system, per second of its run.
  timeout $(( seconds + 30 )) /usr/bin/time -f "%U %S %e" -o "$work/cpu.txt" "$@" >"$work/play.log" 2>&1
  awk '{ if ($3 > 0) printf "%.4f\n", ($1 + $2) / $3 }' "$work/cpu.txt" >"$work/cpu_per_s" 2>/dev/null
  timeout 20 tail --pid="$rec" -f /dev/null
  wait "$rec" 2>/dev/null
  # The JACK server's own xruns during the run (a late cycle of the server
  # or of any client, reported to every client): the recorder counts them.
  grep -o 'xruns [0-9]*' "$work/rec.log" | tail -1 | grep -o '[0-9]*$' >"$work/xruns" || echo 0 >"$work/xruns"
  if "$tools/pp_compare_audio" "$work/ref.wav" "$work/rec.wav" >"$work/cmp.log" 2>&1; then
    echo clean
  else
    tail -1 "$work/cmp.log" | sed 's/^pp_compare_audio: DIFFERENT: //' | cut -c1-48
  fi
}

play_pingpong() {  # play_pingpong HALF
  record pingpong "$pingpong" play -q --period 64 --half "$1" --handoff lockfree --wake poll \
    "$work/media/lead_in.wav" "$work/ref.wav"
}
have_jackplay=$(command -v sndfile-jackplay || true)
have_mpv=$(command -v mpv || true)

declare -A result smallest cpu
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { if (NR) printf "%.3f", v[int((NR + 1) / 2)]; else printf "—" }'; }
loads=(none cpu cpu+io heavy)
for load in "${loads[@]}"; do
  start_load "$load"
  for player in pingpong jackplay mpv; do
    [ "$player" = jackplay ] && [ -z "$have_jackplay" ] && continue
    [ "$player" = mpv ] && [ -z "$have_mpv" ] && continue
    clean=0 notes="" xrun_runs=0
    for r in $(seq "$runs"); do
      case "$player" in
        pingpong) v=$(play_pingpong "$half") ;;
        jackplay) v=$(record jackplay sndfile-jackplay "$work/ref.wav") ;;  # connects itself to system:playback_*
        mpv) v=$(record mpv mpv --no-config --really-quiet --ao=jack --jack-port=system:playback_ --audio-channels=stereo \
                 --volume=100 --af= --audio-format=float "$work/ref.wav") ;;
      esac
      x=$(cat "$work/xruns" 2>/dev/null)
      if [ "$v" = clean ]; then clean=$((clean + 1)); else notes="$v"; fi
      [ "${x:-0}" -gt 0 ] && xrun_runs=$((xrun_runs + 1))
      c=$(cat "$work/cpu_per_s" 2>/dev/null)
      cpu["$load,$player"]+="${c:+$c }"
      echo "  $load $player run $r: $v (JACK xruns ${x:-?}, CPU ${c:-?} s/s)" >&2
    done
    result["$load,$player"]="$clean/$runs clean${notes:+ (last: $notes)}; JACK xruns in $xrun_runs/$runs runs"
  done
  # The smallest pingpong half that was clean in every run.
  smallest["$load"]="none clean"
  for h in $halves; do
    all=1
    for r in $(seq "$runs"); do
      v=$(play_pingpong "$h")
      echo "  $load pingpong --half $h run $r: $v (JACK xruns $(cat "$work/xruns" 2>/dev/null))" >&2
      [ "$v" = clean ] || { all=0; break; }
    done
    if [ "$all" -eq 1 ]; then smallest["$load"]="$h ($(awk "BEGIN { printf \"%.1f\", $h / 48 }") ms)"; break; fi
  done
  stop_load
done

echo
echo "JACK dummy, 48000 Hz, period 64 (1.33 ms), ${mode[*]:--S}; $seconds s of counter.wav per run, $runs runs;"
echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, $(uname -sr); $(date -u '+%F %H:%M UTC')"
echo "pingpong: lockfree/poll, --half $half ($(awk "BEGIN { printf \"%.1f\", $half / 48 }") ms per half); sndfile-jackplay: 32768-frame ring; mpv: --audio-buffer 0.2 s (default)"
echo
echo "Each cell: runs bit-exact of $runs (the last difference seen); then in how many runs the JACK server"
echo "reported xruns (a late cycle of the server or of any client: lost audio in async mode, whoever was late)."
echo
echo "| load | pingpong --half $half | sndfile-jackplay | mpv | smallest clean pingpong half |"
echo "|---|---|---|---|---|"
for load in "${loads[@]}"; do
  echo "| $load | ${result["$load,pingpong"]:-—} | ${result["$load,jackplay"]:-not installed} | ${result["$load,mpv"]:-not installed} | ${smallest["$load"]} |"
done
echo
echo "CPU while playing (whole process, user + system seconds per second of the run, median of $runs runs; /usr/bin/time):"
echo
echo "| load | pingpong --half $half | sndfile-jackplay | mpv |"
echo "|---|---|---|---|"
for load in "${loads[@]}"; do
  row="| $load"
  for player in pingpong jackplay mpv; do row+=" | $(echo "${cpu["$load,$player"]:-}" | median)"; done
  echo "$row |"
done
echo
echo "command: scripts/load_table.sh --runs $runs --seconds $seconds --half $half${mode[*]:+} $( [ ${#mode[@]} -eq 0 ] && echo --sync)"
