#!/usr/bin/env bash
# Seed corpus for the source fuzz target: every file under the given
# directories (the test media, the malformed corpus), each with a few
# settings prefixes (4 bytes: see source_fuzz.cpp).
#   make_seeds.sh OUT_DIR INPUT_DIR...
set -euo pipefail
out="$1"
shift
mkdir -p "$out"
n=0
for dir in "$@"; do
  [ -d "$dir" ] || continue
  while IFS= read -r -d '' f; do
    [ -r "$f" ] || continue  # the corpus has unreadable files on purpose
    size=$(stat -c %s "$f")
    [ "$size" -le 65536 ] || continue  # small seeds fuzz faster
    base=$(basename "$f")
    # as is / to 48 kHz stereo / 22050 Hz mono with gain and a trim
    for prefix in '\x00\x00\x00\x00' '\x15\x00\x00\x00' '\x4b\x90\x21\x01'; do
      { printf "$prefix"; cat "$f"; } >"$out/$n-$base"
      n=$((n + 1))
    done
  done < <(find "$dir" -maxdepth 1 -type f -print0 2>/dev/null)
done
echo "make_seeds: $n seeds in $out"
