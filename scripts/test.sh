#!/usr/bin/env bash
# Builds pingpong and runs its test suite (everything but the "long" soaks).
#
#   scripts/test.sh                  release build in build/
#   scripts/test.sh thread           ThreadSanitizer build in build-thread/
#   scripts/test.sh address          AddressSanitizer+UBSan build in build-address/
#   scripts/test.sh realtime         RealtimeSanitizer build in build-realtime/ (clang 20+:
#                                    clang++-22 from Debian 12's security archive)
#
# Environment: PINGPONG_BUILD_DIR overrides the build directory;
# PINGPONG_TEST_ARGS adds ctest arguments (e.g. "-R unit").
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize="${1:-}"
case "$sanitize" in
  "" | thread | address | realtime) ;;
  *) echo "usage: scripts/test.sh [thread|address|realtime]" >&2; exit 2 ;;
esac

dir="${PINGPONG_BUILD_DIR:-build${sanitize:+-$sanitize}}"
build_type=Release
# Sanitizer builds: line tables only (-g1: a report's stack still names every
# function, file and line; full debug info made each compile 25 % slower),
# and -O1 for AddressSanitizer and RealtimeSanitizer (ASan's own advice;
# compiles take half the time of -O2, and CI's time is mostly compiling).
# ThreadSanitizer keeps -O2: its JACK tests run at a 1.3 ms period and its
# instrumentation is the heaviest at run time.
flags=()
if [ -n "$sanitize" ]; then
  build_type=RelWithDebInfo
  opt=-O1
  [ "$sanitize" = thread ] && opt=-O2
  flags=(-DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$opt -g1 -DNDEBUG")  # C++ only: the project has no C sources
fi
# TSan: clang, whose __has_feature(thread_sanitizer) enables moodycamel's
# annotations (GCC 12 would report its fences as races it cannot model).
compiler=()
if [ "$sanitize" = thread ] && command -v clang++ >/dev/null; then
  compiler=(-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang)
fi
if [ "$sanitize" = realtime ]; then
  rt_clang=""
  for c in clang++-22 clang++-21 clang++-20; do command -v "$c" >/dev/null && { rt_clang="$c"; break; }; done
  [ -n "$rt_clang" ] || { echo "test.sh: RealtimeSanitizer needs clang 20+ (Debian 12: apt-get install clang-22 libclang-rt-22-dev)" >&2; exit 2; }
  compiler=(-DCMAKE_CXX_COMPILER="$rt_clang" -DCMAKE_C_COMPILER="${rt_clang/++/}")
fi
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)

# The sanitizer builds leave out what they would only repeat: the benchmarks
# (compiled and smoke-run by the release build; they time, they test
# nothing) and the spin model (protocol_model checks handoff.pml, not the
# C++ build, so once is enough).
# ThreadSanitizer and RealtimeSanitizer look at threads and the real-time
# path, so they also skip what runs on one thread with no audio thread at
# all: the report formatters and the comparison tools (tools_*, report_*,
# html_*), and the malformed-input corpus and fuzz replay (e2e_corpus,
# fuzz_replay: decoding robustness, AddressSanitizer's job, which runs them).
extra=() exclude=long skip=()
if [ -n "$sanitize" ]; then
  extra=(-DPINGPONG_BUILD_BENCH=OFF)
  exclude="long|model"
fi
if [ "$sanitize" = thread ] || [ "$sanitize" = realtime ]; then
  skip=(-E '^(tools_.*|report_.*|html_.*|e2e_corpus|fuzz_replay)$')
  extra+=(-DPINGPONG_BUILD_UNTHREADED_TESTS=OFF)  # and those not even built (report_*, html_*, fuzz_replay)
fi
cmake -S . -B "$dir" "${generator[@]}" "${compiler[@]}" "${extra[@]}" "${flags[@]}" -DCMAKE_BUILD_TYPE="$build_type" \
  -DPINGPONG_SANITIZE="$sanitize" -DPINGPONG_WERROR=ON >/dev/null
cmake --build "$dir" -j "$(nproc)"

export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp}"  # third-party, see the file
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1 abort_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}"  # third-party leaks, see the file
# halt_on_error: one report fails the test; the suppressions are the calls
# the design makes on the real-time thread on purpose (see the file).
export RTSAN_OPTIONS="${RTSAN_OPTIONS:-halt_on_error=1 suppressions=$PWD/tests/rtsan.supp}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1 halt_on_error=1}"
# shellcheck disable=SC2086
ctest --test-dir "$dir" --output-on-failure -LE "$exclude" "${skip[@]}" ${PINGPONG_TEST_ARGS:-}
