# nlohmann-json — Debian nlohmann-json3-dev (3.11.2), MIT. Header-only.
# Why it is here: the reports' JSON (pingpong play/compare/probe --json) is
# built with it rather than by string concatenation, so escaping, invalid
# UTF-8 in file names (error_handler_t::replace: U+FFFD) and non-finite
# numbers can never produce invalid JSON; the tests parse the reports with it.
# The player library links it privately: no public header exposes it.
find_package(nlohmann_json 3.10 QUIET CONFIG)
if(NOT TARGET nlohmann_json::nlohmann_json)
  message(FATAL_ERROR "nlohmann-json not found: install nlohmann-json3-dev (scripts/setup.sh)")
endif()
