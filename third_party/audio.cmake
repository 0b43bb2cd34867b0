# Dependencies of the player, the CLI and the examples; all Debian packages,
# installed by scripts/setup.sh. Versions are Debian 12's.
#   PortAudio   portaudio19-dev     19.6.0   MIT
#   libsndfile  libsndfile1-dev     1.2.0    LGPL-2.1+
#   libsoxr     libsoxr-dev         0.1.3    LGPL-2.1+
#   JACK        libjack-jackd2-dev  1.9.21   LGPL-2.1+ (library), jackd2 server GPL-2+
#   CLI11       libcli11-dev        2.1.2    BSD-3
#   doctest     doctest-dev         2.4.9    MIT (tests only)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PORTAUDIO REQUIRED IMPORTED_TARGET portaudio-2.0)
pkg_check_modules(SNDFILE REQUIRED IMPORTED_TARGET sndfile)
pkg_check_modules(SOXR REQUIRED IMPORTED_TARGET soxr)
pkg_check_modules(JACK REQUIRED IMPORTED_TARGET jack)
find_package(CLI11 QUIET CONFIG)
if(NOT TARGET CLI11::CLI11)
  find_path(PINGPONG_CLI11_INCLUDE CLI/CLI.hpp REQUIRED)
  add_library(CLI11::CLI11 INTERFACE IMPORTED)
  target_include_directories(CLI11::CLI11 INTERFACE ${PINGPONG_CLI11_INCLUDE})
endif()
