#!/usr/bin/env bash
# Model-checks the swap protocol (include/pingpong/handoff.pml) with spin.
#
#   tests/model/run_spin.sh [path/to/handoff.pml]
#
# For every handoff family (lockfree, locked = mutex/mutex_pi, trylock) and
# wake policy (semaphore, poll) it runs three exhaustive searches:
#   safety    assertions + invalid end states, with flush, abandon, cancel
#             and time-outs (every deadline / spurious-wake path)
#   cancel    invalid end states without time-outs: the device may stop, then
#             only cancel_writer() can wake a sleeping producer
#   liveness  non-progress cycles under weak fairness (pan -l -f): a lost
#             wake-up leaves the producer asleep for ever
# then the deliberately broken variants (-DBUG_*), each of which must fail
# with the expected kind of error.  Prints one line per run; exits 0 only if
# every outcome is the expected one, 77 (ctest: skipped) if spin or a C
# compiler is missing.
#
# Environment: SPIN (spin), PAN_CC (cc), PAN_CFLAGS (-O2 -w), JOBS (2),
#   N (halves per run, 4), FLUSHES (2), PAN_HASH (-w21: 2^21 hash slots),
#   KEEP=1 keeps the work directory (pan.c, trails) and prints its path,
#   VERBOSE=1 prints pan's output for each failing or unexpected run.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
model=${1:-${PINGPONG_MODEL:-$here/../../include/pingpong/handoff.pml}}
spin=${SPIN:-$(command -v spin || true)}
cc=${PAN_CC:-$(command -v cc || command -v gcc || true)}
cflags=${PAN_CFLAGS:--O2 -w}
jobs=${JOBS:-2}
halves=${N:-4}
flushes=${FLUSHES:-2}
hash=${PAN_HASH:--w21}

if [[ -z $spin || ! -x $spin ]]; then
  echo "run_spin.sh: spin not found (apt-get install spin): protocol model not checked"
  exit 77
fi
if [[ -z $cc ]]; then
  echo "run_spin.sh: no C compiler for pan.c: protocol model not checked"
  exit 77
fi
if [[ ! -r $model ]]; then
  echo "run_spin.sh: model not found: $model" >&2
  exit 2
fi
model=$(cd "$(dirname "$model")" && pwd)/$(basename "$model")

work=$(mktemp -d "${TMPDIR:-/tmp}/pingpong-spin.XXXXXX") || exit 2
if [[ ${KEEP:-0} == 1 ]]; then
  echo "work directory: $work"
else
  trap 'rm -rf "$work"' EXIT
fi
trap 'kill $(jobs -p) 2>/dev/null; exit 130' INT TERM

# --- the runs ----------------------------------------------------------------
# name | mode (safety/liveness) | expect (pass, or an ERE the pan error line
# must match) | spin -D flags
runs=()
common="-DN=$halves -DFLUSHES=$flushes"
for family in lockfree locked trylock; do
  for wake in semaphore poll; do
    f="-D${family^^} -D${wake^^} $common"
    runs+=("$family/$wake safety|safety|pass|$f -DFLUSH -DABANDON -DCANCEL -DTIMEOUTS")
    runs+=("$family/$wake cancel|safety|pass|$f -DFLUSH -DCANCEL")
    runs+=("$family/$wake liveness|liveness|pass|$f -DFLUSH -DABANDON -DFAIR_LOCK")
  done
done
# Broken variants: each must produce the named error. (v1's BUG_STORE_SWAP,
# a store(load ^ toggle) overwriting the other side's bits, has no v2
# counterpart: each counter has one writer, so nothing is read-modify-written.)
safety_flags="-DFLUSH -DABANDON -DCANCEL -DTIMEOUTS $common"
runs+=("BUG_EARLY_RELEASE lockfree/semaphore|safety|assertion violated|-DLOCKFREE -DSEMAPHORE -DBUG_EARLY_RELEASE $safety_flags")
# (Not with a lock: the reader releases and copies inside one critical
# section, so the writer cannot refill in between; the bug needs lockfree.)
runs+=("BUG_EARLY_RELEASE lockfree/poll|safety|assertion violated|-DLOCKFREE -DPOLL -DBUG_EARLY_RELEASE $safety_flags")
runs+=("BUG_LATE_FILL lockfree/poll|safety|assertion violated|-DLOCKFREE -DPOLL -DBUG_LATE_FILL $safety_flags")
runs+=("BUG_LATE_FILL locked/semaphore|safety|assertion violated|-DLOCKED -DSEMAPHORE -DBUG_LATE_FILL $safety_flags")
runs+=("BUG_CLAIM_IN_FLUSH lockfree/semaphore|safety|assertion violated|-DLOCKFREE -DSEMAPHORE -DBUG_CLAIM_IN_FLUSH $safety_flags")
runs+=("BUG_CLAIM_IN_FLUSH trylock/poll|safety|assertion violated|-DTRYLOCK -DPOLL -DBUG_CLAIM_IN_FLUSH $safety_flags")
runs+=("BUG_LOST_WAKEUP lockfree/semaphore|safety|assertion violated|-DLOCKFREE -DSEMAPHORE -DBUG_LOST_WAKEUP $safety_flags")
runs+=("BUG_LOST_WAKEUP lockfree/semaphore|liveness|non-progress cycle|-DLOCKFREE -DSEMAPHORE -DBUG_LOST_WAKEUP -DNO_WAKE_INVARIANT -DFLUSH -DABANDON -DFAIR_LOCK $common")
runs+=("BUG_POST_EARLY lockfree/semaphore|safety|assertion violated|-DLOCKFREE -DSEMAPHORE -DBUG_POST_EARLY $safety_flags")
runs+=("BUG_POST_EARLY locked/semaphore|safety|assertion violated|-DLOCKED -DSEMAPHORE -DBUG_POST_EARLY $safety_flags")
runs+=("BUG_CANCEL_NO_LOCK locked/semaphore|safety|invalid end state|-DLOCKED -DSEMAPHORE -DBUG_CANCEL_NO_LOCK -DNO_WAKE_INVARIANT -DFLUSH -DCANCEL $common")
runs+=("BUG_CANCEL_NO_LOCK trylock/semaphore|safety|assertion violated|-DTRYLOCK -DSEMAPHORE -DBUG_CANCEL_NO_LOCK $safety_flags")

# --- one run: writes $dir/result ---------------------------------------------
# result line: verdict|name|mode|stored|transitions|depth|seconds|errors|detail
one_run() {
  local dir=$1 name=$2 mode=$3 expect=$4 flags=$5
  mkdir -p "$dir"
  cd "$dir" || return
  local define pan_args
  if [[ $mode == safety ]]; then define=-DSAFETY; pan_args=""; else define=-DNP; pan_args="-l -f"; fi
  local t0=$SECONDS
  # shellcheck disable=SC2086  # flags are word lists
  if ! "$spin" -a $flags "$model" >spin.out 2>&1; then
    echo "ERROR|$name|$mode|-|-|-|-|-|spin -a failed: $(grep -m1 -i error spin.out)" >result
    return
  fi
  # shellcheck disable=SC2086
  if ! "$cc" $cflags $define -o pan pan.c >cc.out 2>&1; then
    echo "ERROR|$name|$mode|-|-|-|-|-|cc failed: $(head -c 200 cc.out | tr '\n' ' ')" >result
    return
  fi
  # shellcheck disable=SC2086
  ./pan -m100000 $hash $pan_args >pan.out 2>&1
  local errors stored transitions depth secs detail verdict
  errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' pan.out | head -1)
  stored=$(sed -n 's/^ *\([0-9.e+]*\) states, stored.*/\1/p' pan.out | head -1)
  transitions=$(sed -n 's/^ *\([0-9.e+]*\) transitions.*/\1/p' pan.out | head -1)
  depth=$(sed -n 's/.*depth reached \([0-9]*\).*/\1/p' pan.out | head -1)
  secs=$(sed -n 's/^pan: elapsed time \([0-9.e+-]*\).*/\1/p' pan.out | head -1)
  detail=$(grep -m1 -E '^pan:[0-9]+: ' pan.out | sed 's/^pan:[0-9]*: //' | cut -c1-110)
  if [[ -z $errors ]]; then
    verdict=ERROR; detail="pan did not finish: $(tail -c 200 pan.out | tr '\n' ' ')"
  elif grep -q 'max search depth too small' pan.out; then
    verdict=ERROR; detail="search truncated (max search depth too small)"
  elif [[ $expect == pass ]]; then
    if [[ $errors == 0 ]]; then verdict=PASS; else verdict=FAIL; fi
  else
    if [[ $errors != 0 ]] && grep -qE "^pan:[0-9]+: .*($expect)" pan.out; then
      verdict=PASS; detail="found as expected: $detail"
    elif [[ $errors != 0 ]]; then
      verdict=FAIL; detail="failed, but not with '$expect': $detail"
    else
      verdict=FAIL; detail="the broken variant was NOT caught"
    fi
  fi
  [[ -z $secs ]] && secs=$((SECONDS - t0))
  echo "$verdict|$name|$mode|${stored:--}|${transitions:--}|${depth:--}|$secs|$errors|$detail" >result
  if [[ $verdict != PASS && ${KEEP:-0} != 1 ]]; then cp pan.out "$dir.pan.out" 2>/dev/null; fi
}

echo "protocol model: $model"
echo "spin: $("$spin" -V 2>&1 | head -1); cc: $cc $cflags; N=$halves FLUSHES=$flushes; $jobs jobs"
start=$SECONDS
i=0
for spec in "${runs[@]}"; do
  IFS='|' read -r name mode expect flags <<<"$spec"
  while (( $(jobs -rp | wc -l) >= jobs )); do wait -n; done
  ( one_run "$work/run$i" "$name" "$mode" "$expect" "$flags" ) &
  i=$((i + 1))
done
wait

status=0
printf '%-6s %-40s %-8s %10s %12s %6s %7s  %s\n' verdict run mode stored transitions depth "time s" "errors / detail"
for ((k = 0; k < i; k++)); do
  if [[ ! -r $work/run$k/result ]]; then
    echo "ERROR  run $k left no result"; status=1; continue
  fi
  IFS='|' read -r verdict name mode stored transitions depth secs errors detail <"$work/run$k/result"
  printf '%-6s %-40s %-8s %10s %12s %6s %7s  errors: %s %s\n' \
    "$verdict" "$name" "$mode" "$stored" "$transitions" "$depth" "$secs" "$errors" "$detail"
  if [[ $verdict != PASS ]]; then
    status=1
    if [[ ${VERBOSE:-0} == 1 && -r $work/run$k/pan.out ]]; then sed 's/^/    | /' "$work/run$k/pan.out"; fi
  fi
done
echo "$i runs in $((SECONDS - start)) s: $([[ $status == 0 ]] && echo 'all as expected' || echo 'UNEXPECTED OUTCOMES')"
exit $status
