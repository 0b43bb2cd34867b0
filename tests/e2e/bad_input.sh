#!/usr/bin/env bash
# Bad input: each case must exit with its documented code, print exactly one
# line on stderr, and finish within 10 s (no hang, no thread left behind).
#   bad_input.sh PINGPONG MEDIA_DIR
set -uo pipefail
pingpong="$1"
media="$2"
failures=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/a_directory.wav"

expect() {  # expect CODE DESCRIPTION -- ARGS...
  local want="$1" what="$2"
  shift 3
  local start end got lines
  start=$(date +%s%N)
  timeout 10 "$pingpong" "$@" >"$tmp/out" 2>"$tmp/err"
  got=$?
  end=$(date +%s%N)
  lines=$(wc -l <"$tmp/err")
  if [ "$got" -ne "$want" ] || [ "$lines" -ne 1 ]; then
    echo "FAIL  $what: exit $got (want $want), $lines stderr lines:"
    sed 's/^/      /' "$tmp/err" | head -5
    failures=$((failures + 1))
  else
    printf 'ok    %-34s exit %d  %4d ms  %s\n' "$what" "$got" $(( (end - start) / 1000000 )) "$(cat "$tmp/err")"
  fi
}

sim=(--device sim --quiet)
expect 2 "missing file"            -- play "${sim[@]}" "$tmp/no-such-file.wav"
expect 2 "directory"               -- play "${sim[@]}" "$tmp/a_directory.wav"
expect 2 "empty file"              -- play "${sim[@]}" "$media/empty.wav"
expect 2 "truncated header"        -- play "${sim[@]}" "$media/truncated.wav"
expect 2 "random bytes .wav"       -- play "${sim[@]}" "$media/random.wav"
expect 2 "random bytes .flac"      -- play "${sim[@]}" "$media/random.flac"
expect 2 "text named .mp3"         -- play "${sim[@]}" "$media/text.mp3"
expect 2 "second file bad"         -- play "${sim[@]}" "$media/tone.wav" "$media/random.wav"
expect 2 "no file"                 -- play "${sim[@]}"
expect 2 "unknown option"          -- play --no-such-option "$media/tone.wav"
expect 2 "unknown command"         -- dance
expect 2 "bad --handoff"           -- play "${sim[@]}" --handoff spinlock "$media/tone.wav"
expect 2 "bad --wake"              -- play "${sim[@]}" --wake sometimes "$media/tone.wav"
expect 2 "period too small"        -- play "${sim[@]}" --period 3 "$media/tone.wav"
expect 2 "period not a number"     -- play "${sim[@]}" --period lots "$media/tone.wav"
expect 2 "half smaller than period" -- play "${sim[@]}" --period 512 --half 256 "$media/tone.wav"
expect 2 "bad --gain"              -- play "${sim[@]}" --gain loud "$media/tone.wav"
expect 2 "bad --start"             -- play "${sim[@]}" --start 1:xx "$media/tone.wav"
expect 2 "--start past the end"    -- play "${sim[@]}" --start 10:00 "$media/tone.wav"
expect 2 "--end before --start"    -- play "${sim[@]}" --start 1 --end 0.5 "$media/tone.wav"
expect 2 "--loop 0"                -- play "${sim[@]}" --loop 0 "$media/tone.wav"
expect 2 "bad --output extension"  -- play --quiet --output "$tmp/out.xyz" "$media/tone.wav"
expect 2 "--output unwritable"     -- play --quiet --output "$tmp/no/such/dir/out.wav" "$media/tone.wav"
expect 2 "info on a bad file"      -- info "$media/random.wav"
# Device errors: exit 3. With no JACK server and no sound card, even the
# default device fails with 3; with a server, a bad name still does.
expect 3 "unknown device name"     -- play --quiet --device no-such-device-xyz "$media/tone.wav"
expect 3 "unknown device index"    -- play --quiet --device 999 "$media/tone.wav"

# Every numeric option: a non-number and an out-of-range value, each answered
# with the allowed range.  range_case SUBCOMMAND OPTION RANGE_TEXT VALUE...
range_case() {
  local sub="$1" opt="$2" range="$3"
  shift 3
  local value args
  for value in "$@"; do
    args=("$sub" "$opt" "$value")
    [ "$sub" = play ] && args+=("${sim[@]}" "$media/tone.wav")
    [ "$sub" != play ] && args+=(--quiet)
    expect 2 "$sub $opt $value" -- "${args[@]}"
    if ! grep -qF -- "$range" "$tmp/err"; then
      echo "FAIL  $sub $opt $value: the message does not give the range '$range'"
      failures=$((failures + 1))
    fi
  done
}
range_case play --period "use 16 to 16384 frames" lots 3 16385 -5 1e3 0x40 ""
range_case play --half "use 16 to 4194304 frames (0: automatic)" big 8 4194305 2.5
range_case play --rate "use 8000 to 384000 Hz (0: automatic)" fast 100 400000 48000.5
range_case play --gain "use -120 to 40 dB" loud 41 -121 nan inf
range_case play --loop "use a count from 1 to 999999999" 0 99999999999
range_case compare --period "use 16 to 16384 frames" x 15
range_case compare --half "use 16 to 4194304 frames" x 9999999
range_case compare --duration "more than 0 and at most 3600 seconds" x 0 3601
range_case compare --repeat "use 1 to 100" x 0 101
range_case compare --stall-ms "use 0 to 10000 ms" x -1 10001
range_case compare --stall-rate "more than 0 and at most 1000 per second" x 0 1001
range_case probe --duration "more than 0 and at most 600 seconds" x 0 601
range_case probe --stall-ms "use 0 to 10000 ms" x 20000
range_case probe --stall-rate "more than 0 and at most 1000 per second" x -3

if [ "$failures" -ne 0 ]; then
  echo "$failures bad-input case(s) failed"
  exit 1
fi
echo "all bad-input cases ok"
