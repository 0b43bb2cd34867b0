#!/usr/bin/env bash
# Replays the fuzz target over the seed corpus (the test media and the
# generated malformed corpus, each with several settings prefixes).
#   replay.sh REPLAY_BINARY MEDIA_DIR MAKE_CORPUS_PY
set -euo pipefail
replay="$1" media="$2" make_corpus="$3"
here="$(cd "$(dirname "$0")" && pwd)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dirs=("$media")
if [ -f "$make_corpus" ] && command -v python3 >/dev/null; then
  python3 "$make_corpus" "$tmp/corpus" "$media" >/dev/null
  dirs+=("$tmp/corpus")
fi
"$here/make_seeds.sh" "$tmp/seeds" "${dirs[@]}"
"$replay" "$tmp/seeds"
