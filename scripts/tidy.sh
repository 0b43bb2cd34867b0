#!/usr/bin/env bash
# clang-tidy (bugprone-*, performance-*, concurrency-*; see .clang-tidy) on
# pingpong's own sources: the player library, the CLI and the examples, and
# through them every header under include/ and src/. Zero warnings, or it
# fails; a check left out is explained in .clang-tidy, a line left out by a
# NOLINT comment that says why.
#   scripts/tidy.sh [BUILD_DIR]     (default build/, configured if needed)
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-build}"
tidy=$(command -v clang-tidy || command -v clang-tidy-14 || true)
[ -n "$tidy" ] || { echo "tidy.sh: clang-tidy not found (Debian: apt-get install clang-tidy)" >&2; exit 2; }
if [ ! -f "$dir/compile_commands.json" ]; then
  generator=()
  command -v ninja >/dev/null && generator=(-G Ninja)
  cmake -S . -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
mapfile -t files < <(find src examples -name '*.cpp' | sort)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
printf '%s\n' "${files[@]}" | xargs -P "$(nproc)" -n 2 "$tidy" -p "$dir" --quiet 2>/dev/null >"$out" || true
warnings=$(grep -c 'warning:\|error:' "$out" || true)
if [ "$warnings" -ne 0 ]; then
  grep -A3 'warning:\|error:' "$out"
  echo "tidy.sh: $warnings warning(s) in ${#files[@]} files"
  exit 1
fi
echo "tidy.sh: ${#files[@]} files, 0 warnings"
