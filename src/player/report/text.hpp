// The text reports, as the terminal shows them: the play summary, the
// compare table with its verdicts, the probe sweep.
#pragma once

#include <string>

#include "player/lab/compare.hpp"
#include "player/lab/probe.hpp"
#include "player/player.hpp"

namespace pingpong::player {

/// `pingpong play`'s summary (player.hpp declares it too, for the CLI's older include).
std::string summary_text(const play_report& report);
/// The header, one row per load × policy, the runs left out, the verdicts, the loads' notes.
std::string compare_table(const compare_report& report);
/// One row per configuration tried, then the smallest clean one.
std::string probe_text(const probe_report& report);

}  // namespace pingpong::player
