#!/usr/bin/env bash
# Offline render (--output) equals libsndfile's own decode of the source,
# sample for sample, for WAV, FLAC and Ogg Vorbis; gapless concatenation is
# exact; and resampling gives the right length.
#   offline.sh PINGPONG TOOLS_DIR MEDIA_DIR
set -uo pipefail
pingpong="$1"
tools="$2"
media="$3"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
check() {  # check DESCRIPTION COMMAND...
  local what="$1"
  shift
  if out=$("$@" 2>&1); then
    echo "ok    $what: $(echo "$out" | tail -1)"
  else
    echo "FAIL  $what: $(echo "$out" | tail -3)"
    failures=$((failures + 1))
  fi
}
frames() { "$pingpong" info "$1" | sed -E 's/.* ([0-9]+) frames.*/\1/'; }

for f in counter.wav tone.wav tone.flac tone.ogg six.wav tone_mono.wav; do
  for handoff in lockfree mutex; do
    "$pingpong" play --quiet --handoff "$handoff" --output "$tmp/out.wav" "$media/$f" || { echo "FAIL  render $f"; failures=$((failures + 1)); continue; }
    check "render $f ($handoff) equals its decode" "$tools/pp_compare_audio" --offset 0 "$media/$f" "$tmp/out.wav"
  done
done

# Gapless: two files back to back are exactly their concatenation.
"$pingpong" play --quiet --output "$tmp/two.wav" "$media/tone.wav" "$media/tone.flac"
want=$(( $(frames "$media/tone.wav") + $(frames "$media/tone.flac") ))
got=$(frames "$tmp/two.wav")
if [ "$got" -eq "$want" ]; then echo "ok    gapless tone.wav + tone.flac: $got frames"; else
  echo "FAIL  gapless: $got frames, want $want"; failures=$((failures + 1)); fi

# Resampling 44.1 kHz → 48 kHz keeps the duration (±1 frame).
"$pingpong" play --quiet --rate 48000 --output "$tmp/rs.wav" "$media/tone.wav"
src=$(frames "$media/tone.wav")
want=$(( (src * 48000 + 22050) / 44100 ))
got=$(frames "$tmp/rs.wav")
if [ $(( got > want ? got - want : want - got )) -le 1 ]; then echo "ok    resample 44100→48000: $got frames (want $want)"; else
  echo "FAIL  resample: $got frames, want $want"; failures=$((failures + 1)); fi

# --start/--end trim exactly: 0.5 s .. 1.5 s of a 44.1 kHz file is 44100 frames.
"$pingpong" play --quiet --start 0.5 --end 1.5 --output "$tmp/trim.wav" "$media/tone.wav"
got=$(frames "$tmp/trim.wav")
if [ "$got" -eq 44100 ]; then echo "ok    --start 0.5 --end 1.5: $got frames"; else
  echo "FAIL  trim: $got frames, want 44100"; failures=$((failures + 1)); fi

# --loop 2 doubles it.
"$pingpong" play --quiet --loop 2 --output "$tmp/loop.wav" "$media/tone.wav"
got=$(frames "$tmp/loop.wav")
if [ "$got" -eq $(( 2 * src )) ]; then echo "ok    --loop 2: $got frames"; else
  echo "FAIL  --loop 2: $got frames, want $(( 2 * src ))"; failures=$((failures + 1)); fi

# A playlist and a folder play their files in order, gaplessly: the render
# is the two files' samples end to end, bit-exact.
mkdir -p "$tmp/album/cd1"
cp "$media/counter.wav" "$tmp/album/cd1/track10.wav"
cp "$media/lead_in.wav" "$tmp/album/cd1/track2.wav"
printf '#EXTM3U\n#EXTINF:3,Counter\ncd1/track10.wav\n# lead-in next\ncd1/track2.wav\n' >"$tmp/album/list.m3u"
"$pingpong" play --quiet --output "$tmp/cat.wav" "$media/counter.wav" "$media/lead_in.wav"
for input in list.m3u cd1; do
  want_first=$([ "$input" = cd1 ] && echo lead_in || echo counter)  # the folder in natural order: track2 first
  "$pingpong" play --quiet --output "$tmp/list.wav" "$tmp/album/$input"
  [ "$input" = cd1 ] && "$pingpong" play --quiet --output "$tmp/cat.wav" "$media/lead_in.wav" "$media/counter.wav"
  # Sample by sample, not byte by byte: a float WAV's PEAK chunk carries the
  # second it was written, so two renders a second apart differ in the header.
  if out=$("$tools/pp_compare_audio" --offset 0 "$tmp/cat.wav" "$tmp/list.wav" 2>&1); then
    echo "ok    $input: the files in order ($want_first first), bit-exact"
  else
    echo "FAIL  $input: not the files in order: $(echo "$out" | tail -1)"; failures=$((failures + 1)); fi
done

[ "$failures" -eq 0 ] && echo "offline render checks passed" || { echo "$failures offline check(s) failed"; exit 1; }
