// The JSON reports: `pingpong play --json`, `compare --json`, `probe --json`.
// Built with nlohmann-json: every string escaped, bytes that are not UTF-8
// replaced by U+FFFD (file names also given percent-encoded), numbers
// rounded to 6 significant digits, unmeasured figures null. Never invalid JSON.
#pragma once

#include <string>

#include "player/lab/compare.hpp"
#include "player/lab/probe.hpp"
#include "player/player.hpp"

namespace pingpong::player {

/// The play report (player.hpp declares it too, for the CLI's older include).
std::string to_json(const play_report& report, const std::string& version);
/// Every run, then per load the verdict and each policy's summary.
std::string compare_json(const compare_report& report);
/// The sweep's steps and the best configuration (null when none ran clean).
std::string probe_json(const probe_report& report, const std::string& version);

}  // namespace pingpong::player
