#!/usr/bin/env bash
# The README's first command: on a fresh Debian 12 machine (as root), install
# the packages, build pingpong, and play the bundled demo through PortAudio.
# With no audio output device, a private JACK server on the dummy driver is
# started for the run and stopped afterwards (it says so).
#   scripts/demo.sh [extra pingpong play options]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target pingpong_cli pp_make_media -j "$(nproc)"
[ -f build/media/demo.flac ] || ./build/tests/tools/pp_make_media build/media >/dev/null

demo=build/media/demo.flac
./build/pingpong info "$demo"
if ./build/pingpong devices 2>/dev/null | grep -q '^[0-9]'; then
  exec ./build/pingpong play "$@" "$demo"
fi
echo "demo: no audio output device here; starting a private JACK server (dummy driver) for this run"
status=0
scripts/jack.sh run --period 256 -- ./build/pingpong play "$@" "$demo" || status=$?
echo "demo: JACK server stopped"
exit $status
