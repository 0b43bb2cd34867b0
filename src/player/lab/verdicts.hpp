// The verdict per load of a compare: a plain sentence that follows from the
// policy summaries, and where each policy waits under that load.
#pragma once

#include <vector>

#include "player/lab/compare.hpp"

namespace pingpong::player {

/// One verdict per load, from summarize_policies(). run_compare() fills
/// report.summary with it.
std::vector<scenario_summary> summarize_scenarios(const compare_report& report);

}  // namespace pingpong::player
