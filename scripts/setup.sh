#!/usr/bin/env bash
# Installs the Debian packages pingpong builds, tests and benchmarks against.
# Idempotent: skips apt entirely when everything is already installed.
# Usage: scripts/setup.sh            (needs root, or sudo)
#        scripts/setup.sh --peers    also the players scripts/load_table.sh
#                                    measures beside pingpong (sndfile-jackplay, mpv)
set -euo pipefail

packages=(
  build-essential cmake pkg-config ninja-build
  portaudio19-dev libsndfile1-dev libsoxr-dev
  libconcurrentqueue-dev libreaderwriterqueue-dev doctest-dev libcli11-dev nlohmann-json3-dev
  jackd2 libjack-jackd2-dev
  libboost-dev libbenchmark-dev
  clang libclang-rt-14-dev clang-format clang-tidy
  spin stress-ng time  # time: /usr/bin/time, the load table's CPU figures
  chromium python3
  # trying it as a user would: other projects' sounds, speech, a converter
  sox alsa-utils sound-theme-freedesktop espeak-ng tmux
  # RealtimeSanitizer (scripts/test.sh realtime): clang 22, from bookworm-security
  clang-22 libclang-rt-22-dev
)
if [ "${1:-}" = --peers ]; then
  packages+=(sndfile-tools mpv)
elif [ $# -gt 0 ]; then
  echo "usage: scripts/setup.sh [--peers]" >&2
  exit 2
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# The real-time tests count the callback thread's system calls through the
# raw_syscalls tracepoint, which needs tracefs; mount it where it is missing
# (as root), so that proof runs instead of being skipped.
if [ "$(id -u)" -eq 0 ] && [ -d /sys/kernel/tracing ] && [ ! -e /sys/kernel/tracing/events ]; then
  mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null && echo "setup: mounted tracefs on /sys/kernel/tracing" ||
    echo "setup: could not mount tracefs; system-call counts will be skipped"
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# jackd2 asks whether to enable realtime priority; answer for it.
echo "jackd2 jackd/tweak_rt_limits boolean false" | $sudo debconf-set-selections
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
