#!/usr/bin/env bash
# Fuzzes the source's open-and-decode path with libFuzzer (clang, ASan+UBSan).
#
#   scripts/fuzz.sh [SECONDS] [JOBS]     default 60 s, 1 job
#
# Builds build-fuzz/ (PINGPONG_SANITIZE=fuzz), seeds the corpus from the test
# media and the malformed corpus (tests/tools/make_corpus.py), then runs
# pp_source_fuzz for SECONDS. The corpus grows in build-fuzz/corpus and is
# kept between runs; crashes land in build-fuzz/findings/ (a nonzero exit).
# The last line is the summary to quote: executions, coverage, findings.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
jobs="${2:-1}"
dir="${PINGPONG_FUZZ_DIR:-build-fuzz}"
cxx=clang++ cc=clang
command -v "$cxx" >/dev/null || { echo "fuzz.sh: needs clang (scripts/setup.sh installs it)" >&2; exit 2; }
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)

# -O1 -g1, as scripts/test.sh builds ASan: half the compile time of -O2 -g,
# and a finding's stack still names every function, file and line.
cmake -S . -B "$dir" "${generator[@]}" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_C_COMPILER="$cc" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPINGPONG_SANITIZE=fuzz -DPINGPONG_BUILD_BENCH=OFF \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  -DPINGPONG_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$dir" -j "$(nproc)" --target pp_source_fuzz pp_make_media

seeds="$dir/seeds"
# The malformed corpus has unreadable files and directories on purpose.
[ -d "$dir/malformed" ] && chmod -R u+rwX "$dir/malformed"
rm -rf "$seeds" "$dir/media" "$dir/malformed" "$dir/findings" "$dir"/fuzz-*.log
"$dir/tests/tools/pp_make_media" "$dir/media" >/dev/null
mkdir -p "$dir/malformed"
[ -f tests/tools/make_corpus.py ] && python3 tests/tools/make_corpus.py "$dir/malformed" "$dir/media" >/dev/null
tests/fuzz/make_seeds.sh "$seeds" "$dir/media" "$dir/malformed"
mkdir -p "$dir/corpus" "$dir/findings"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}"  # third-party leaks, see the file
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
log="$dir/fuzz.log"
parallel=()
[ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")
abs="$(cd "$dir" && pwd)"
set +e
# From inside the build dir: with -jobs, libFuzzer writes fuzz-N.log to the cwd.
(cd "$abs" && ./tests/fuzz/pp_source_fuzz corpus seeds -max_total_time="$seconds" -timeout=10 \
  -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 -artifact_prefix=findings/ "${parallel[@]}") >"$log" 2>&1
rc=$?
set -e
[ "$jobs" -gt 1 ] && cat "$abs"/fuzz-*.log >>"$log" 2>/dev/null
grep -E "^#[0-9]+ +(INITED|DONE)|stat::number_of_executed_units|stat::peak_rss_mb|ERROR|SUMMARY|Test unit written" "$log" | tail -12 || true
findings=$(find "$dir/findings" -type f | wc -l)
execs=$(grep -h "stat::number_of_executed_units" "$log" | awk '{s += $2} END {print s + 0}' || true)
cov=$(grep -hoE "cov: [0-9]+ ft: [0-9]+" "$log" | tail -1 || true)
echo "fuzz.sh: $seconds s x $jobs job(s), $execs executions, $cov, corpus $(find "$dir/corpus" -type f | wc -l) files, findings $findings (rc $rc) — scripts/fuzz.sh $seconds $jobs"
[ "$rc" -eq 0 ] && [ "$findings" -eq 0 ]
