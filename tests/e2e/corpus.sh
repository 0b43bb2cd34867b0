#!/usr/bin/env bash
# Malformed-input corpus: generates it (tests/tools/make_corpus.py) and runs
# `pingpong info FILE` and `pingpong play --device sim --quiet FILE` on every
# case, each under `timeout 10`.
#
#   corpus.sh PINGPONG CORPUS_GENERATOR MEDIA_DIR
#
# Per case (see make_corpus.py for how cases are classified):
#   error   exit 2, exactly one stderr line, naming the file, with a reason after the name
#   either  exit 0 and nothing on stderr, or the "error" criteria
#   valid   (the base files the cases are made from) exit 0, nothing on stderr
# Anything else fails: a sanitizer report or abort (134), a crash (139), a
# hang (124), a leak (LeakSanitizer's report is more stderr lines).
# Cases that need permissions enforced (mode 000) run as an unprivileged user
# (uid/gid 65534, setpriv) when this runs as root; without setpriv they are
# skipped, never counted as passed.
#
# Environment: PP_CORPUS_JOBS (default 4) cases at once; most of the time is
# the sim device playing 0.2 s files in real time, not CPU. PP_CORPUS_KEEP=1
# keeps the corpus and outputs (the path is printed).
set -uo pipefail
if [ $# -ne 3 ]; then
  echo "usage: corpus.sh PINGPONG CORPUS_GENERATOR MEDIA_DIR" >&2
  exit 2
fi
pingpong=$(realpath "$1")
generator="$2"
media="$3"
jobs="${PP_CORPUS_JOBS:-4}"
started=$(date +%s%N)

# Sanitizer builds: a report must end the run with a non-zero status.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1 abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1 halt_on_error=1}"
# Third-party leaks the project has accepted (tests/lsan.supp, as in
# scripts/test.sh), without LSan's "Suppressions used" table on stderr.
lsan="${LSAN_OPTIONS:-}"
supp="$(cd "$(dirname "$0")/.." && pwd)/lsan.supp"
if ! [[ $lsan =~ (^|[:[:space:]])suppressions= ]] && [ -f "$supp" ]; then
  lsan="$lsan:suppressions=$supp"
fi
export LSAN_OPTIONS="${lsan#:}:print_suppressions=0"

tmp=$(mktemp -d)
cleanup() {
  if [ "${PP_CORPUS_KEEP:-0}" = 1 ]; then
    echo "kept $tmp"
    return
  fi
  chmod -R u+rwX "$tmp" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
chmod 755 "$tmp"  # the unprivileged user must reach the corpus
corpus="$tmp/corpus"
mkdir -p "$tmp/res"

if ! python3 "$generator" "$corpus" "$media" >"$tmp/generator.log" 2>&1; then
  echo "FAIL  the corpus generator failed:"
  sed 's/^/      /' "$tmp/generator.log"
  exit 1
fi
cat "$tmp/generator.log"

# Who runs the permission cases.
as_user=0 user_note=""
if [ "$(id -u)" -eq 0 ]; then
  user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  if ! command -v setpriv >/dev/null; then
    user_note="running as root, no setpriv"
  elif ! timeout 10 "${user[@]}" "$pingpong" info "$corpus/valid_wav16.wav" >/dev/null 2>"$tmp/user.err"; then
    user_note="running as root; uid 65534 cannot run $pingpong on $corpus: $(head -1 "$tmp/user.err")"
  else
    as_user=1
  fi
fi
export pingpong corpus tmp as_user user_note

# True if a user other than the owner may not read $1 or search its directory.
hidden_from_others() {
  local dir
  dir=$(dirname "$1")
  [ -d "$dir" ] && [ -z "$(find "$dir" -maxdepth 0 -perm -o+x)" ] && return 0
  [ -e "$1" ] && [ ! -L "$1" ] && [ -z "$(find "$1" -maxdepth 0 -perm -o+r)" ] && return 0
  return 1
}

# run WHO OUT ARGS...: runs pingpong, sets rc and ms; stdout/stderr in OUT.out/OUT.err.
run() {
  local who="$1" out="$2" start
  shift 2
  local prefix=()
  [ "$who" = user ] && prefix=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  start=$(date +%s%N)
  # In a subshell that reports the status itself: the shell's own "Killed"
  # notice (a hang, SIGKILLed 2 s after SIGTERM) goes to /dev/null.
  (
    timeout -k 2 10 "${prefix[@]}" "$pingpong" "$@" >"$out.out" 2>"$out.err" </dev/null
    exit $?
  ) 2>/dev/null
  rc=$?
  ms=$((($(date +%s%N) - start) / 1000000))
}

# verdict EXPECT RC ERRFILE PATH: prints nothing if the result is acceptable, else why not.
verdict() {
  local expect="$1" rc="$2" err="$3" path="$4" lines line rest
  lines=$(awk 'END { print NR }' "$err")
  if [ "$expect" != error ] && [ "$rc" -eq 0 ] && [ "$lines" -eq 0 ]; then
    return
  fi
  if [ "$expect" = valid ]; then
    echo "exit $rc with $lines stderr line(s), want exit 0 and no stderr"
    return
  fi
  case "$rc" in
    2) ;;
    0) echo "exit 0 (played) with $lines stderr line(s); want exit 2" && return ;;
    124 | 137) echo "exit $rc: hung, killed after 10 s" && return ;;
    134) echo "exit 134: abort (sanitizer report or assertion)" && return ;;
    139) echo "exit 139: segmentation fault" && return ;;
    *) echo "exit $rc, want 2" && return ;;
  esac
  if [ "$lines" -ne 1 ]; then
    echo "$lines stderr lines, want exactly 1"
    return
  fi
  line=$(head -n 1 "$err")
  rest="${line#*"$path"}"
  if [ "$rest" = "$line" ]; then
    echo "the message does not name the file"
    return
  fi
  if ! [[ $rest =~ [[:alpha:]]{3} ]]; then
    echo "no reason after the file name"
    return
  fi
  # A reason that is plainly false is not a clear one (libsndfile says this
  # of files mpg123 gave up on).
  if [ -f "$path" ] && [[ $rest == *"does not exist"* ]]; then
    echo "the reason is wrong: the file exists"
  fi
}

# run_case INDEX NAME EXPECT: both commands on one case; writes res/INDEX
# (fields separated by \x1f: a tab would merge empty fields on read).
run_case() {
  local name="$2" expect="$3" path="$corpus/$2" out="$tmp/res/$1" who=self
  local info_rc info_ms play_rc play_ms info_why play_why
  if [ "$(id -u)" -eq 0 ] && hidden_from_others "$path"; then
    if [ "$as_user" != 1 ]; then
      printf 'skip\x1f%s\x1f%s\x1f%s\n' "$name" "$expect" "unreadable ($user_note)" >"$out"
      return
    fi
    who=user
  fi
  run "$who" "$out.info" info "$path"
  info_rc=$rc info_ms=$ms
  info_why=$(verdict "$expect" "$rc" "$out.info.err" "$path")
  run "$who" "$out.play" play --device sim --quiet "$path"
  play_rc=$rc play_ms=$ms
  play_why=$(verdict "$expect" "$rc" "$out.play.err" "$path")
  local status=ok
  [ -n "$info_why$play_why" ] && status=FAIL
  printf '%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\n' "$status" "$name" "$expect" "$info_rc" "$play_rc" \
    "$info_ms" "$play_ms" "$info_why" "$play_why" "$who" >"$out"
}
export -f hidden_from_others run verdict run_case

# The manifest, in order: NAME<TAB>EXPECT<TAB>DESCRIPTION.
names=() expects=() descs=()
while IFS=$'\t' read -r name expect desc; do
  case "$name" in '#'* | '') continue ;; esac
  names+=("$name") expects+=("$expect") descs+=("$desc")
done <"$corpus/manifest.tsv"
if [ "${#names[@]}" -eq 0 ]; then
  echo "FAIL  empty manifest"
  exit 1
fi

for i in "${!names[@]}"; do
  printf '%s\0%s\0%s\0' "$i" "${names[$i]}" "${expects[$i]}"
done | xargs -0 -n 3 -P "$jobs" bash -c 'run_case "$@"' _

# Report in manifest order.
short() {  # a message with the corpus directory left out
  local text="$1"
  printf '%s' "${text//"$corpus/"/}"
}
failures=0 rejected=0 played=0 malformed=0 skipped=0 valid=0
declare -A cat_cases cat_fail
for i in "${!names[@]}"; do
  name="${names[$i]}" expect="${expects[$i]}" out="$tmp/res/$i"
  shown="$name"
  [ "${#shown}" -gt 48 ] && shown="${shown:0:40}...${shown: -5}"
  case "$expect:$name" in
    valid:*) cat=valid ;;
    *:wav16_* | *:wavf_* | *:wavext_* | *:rf64_* | *:aiff_* | *:aifc_* | *:au_* | *:flac_* | *:vorbis_* | *:opus_* | *:mp3_*)
      cat="${name%%_*}" ;;
    *:random*) cat=random ;;
    *:empty*) cat=empty ;;
    *) cat=other ;;
  esac
  cat_cases[$cat]=$((${cat_cases[$cat]:-0} + 1))
  if [ ! -s "$out" ]; then
    echo "FAIL  $shown: no result (the runner died)"
    failures=$((failures + 1)) cat_fail[$cat]=$((${cat_fail[$cat]:-0} + 1))
    continue
  fi
  IFS=$'\x1f' read -r status _ _ info_rc play_rc info_ms play_ms info_why play_why who <"$out"
  [ "$expect" = valid ] && valid=$((valid + 1)) || malformed=$((malformed + 1))
  case "$status" in
    skip)
      echo "skip  $shown: $info_rc"
      skipped=$((skipped + 1))
      continue
      ;;
    ok)
      if [ "$expect" != valid ]; then
        if [ "$play_rc" -eq 0 ]; then played=$((played + 1)); else rejected=$((rejected + 1)); fi
      fi
      msg=$(head -n 1 "$out.play.err")
      msg="${msg#pingpong: }"
      [ -z "$msg" ] && msg="(played: info and play exit 0)"
      [ "$who" = user ] && msg="[uid 65534] $msg"
      printf 'ok    %-6s %-48s %3s %3s %5d ms  %s\n' "$expect" "$shown" "$info_rc" "$play_rc" "$play_ms" \
        "$(short "$msg")"
      ;;
    *)
      failures=$((failures + 1)) cat_fail[$cat]=$((${cat_fail[$cat]:-0} + 1))
      printf 'FAIL  %-6s %-48s %3s %3s %5d ms  %s\n' "$expect" "$shown" "$info_rc" "$play_rc" "$play_ms" "${descs[$i]}"
      for cmd in info play; do
        why="$info_why"
        [ "$cmd" = play ] && why="$play_why"
        [ -z "$why" ] && continue
        echo "      $cmd: $why"
        head -n 6 "$out.$cmd.err" | while IFS= read -r l; do echo "        | $(short "$l")"; done
      done
      ;;
  esac
done

echo
echo "by category (cases, failures):"
for cat in $(printf '%s\n' "${!cat_cases[@]}" | sort); do
  printf '  %-20s %4d %4d\n' "$cat" "${cat_cases[$cat]}" "${cat_fail[$cat]:-0}"
done
elapsed=$((($(date +%s%N) - started) / 1000000))
echo "$valid valid base files checked; $skipped case(s) skipped; $(printf '%d.%03d' $((elapsed / 1000)) $((elapsed % 1000))) s"
echo "$malformed malformed inputs: $rejected rejected, $played played, $failures failures"
[ "$failures" -eq 0 ] || exit 1
