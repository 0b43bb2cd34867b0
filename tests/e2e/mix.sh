#!/usr/bin/env bash
# pingpong play --mix through the CLI: a mix of one file renders the file
# bit-exact; two files on the sim device play whole with no underrun (the
# JSON says so); options a mix cannot honour are refused with exit 2;
# probe --streams runs its search and writes max_streams.
# (The bit-exact sum of several files: tests/player/mix_test.cpp.)
#   mix.sh PINGPONG TOOLS_DIR MEDIA_DIR
set -uo pipefail
pingpong="$1"
tools="$2"
media="$3"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
ok() { echo "ok    $*"; }
bad() { echo "FAIL  $*"; failures=$((failures + 1)); }

"$pingpong" play --mix --quiet -o "$tmp/one.wav" "$media/counter.wav" || bad "render a mix of one"
if out=$("$tools/pp_compare_audio" "$media/counter.wav" "$tmp/one.wav"); then ok "mix of one = the file: $(echo "$out" | tail -1)"
else bad "mix of one: $(echo "$out" | tail -1)"; fi

json=$("$pingpong" play --mix --quiet -d sim --json - "$media/tone.wav" "$media/tone.flac")
if grep -q '"frames": 88200' <<<"$json" && grep -q '"underrun_events": 0' <<<"$json" &&
  grep -q '"producer_threads": 1' <<<"$json"; then ok "sim: two streams, 88200 frames, no underrun"
else bad "sim mix: $json"; fi

"$pingpong" play --mix --loop 2 "$media/tone.wav" 2>/dev/null
rc=$?
if [ "$rc" -eq 2 ]; then ok "--mix --loop refused (exit 2)"; else bad "--mix --loop: exit $rc, want 2"; fi

# probe --streams: doubling (then bisecting) on the sim device; the JSON's shape.
json=$("$pingpong" probe --streams -d sim --duration 0.5 --max-streams 4 --json - 2>/dev/null)
if grep -Eq '"max_streams": [1-9]' <<<"$json" && grep -q '"cpu_per_stream"' <<<"$json" &&
  grep -q '"streams": 4' <<<"$json"; then ok "probe --streams: $(echo "$json" | grep '"max_streams"' | tr -d ' ,')"
else bad "probe --streams: $json"; fi
"$pingpong" probe -p 128 2>/dev/null
rc=$?
if [ "$rc" -eq 2 ]; then ok "probe -p without --streams refused (exit 2)"; else bad "probe -p: exit $rc, want 2"; fi

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
