#!/usr/bin/env bash
# clang-format (the root .clang-format) over every C++ file in the repository.
#   scripts/format.sh           rewrite the files in place
#   scripts/format.sh --check   change nothing; fail if any file is not formatted
set -euo pipefail
cd "$(dirname "$0")/.."
fmt=$(command -v clang-format || command -v clang-format-14 || true)
[ -n "$fmt" ] || { echo "format.sh: clang-format not found (Debian: apt-get install clang-format)" >&2; exit 2; }
mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
if [ "${1:-}" = --check ]; then
  "$fmt" --dry-run --Werror "${files[@]}"
  echo "format.sh: ${#files[@]} files formatted"
else
  "$fmt" -i "${files[@]}"
fi
