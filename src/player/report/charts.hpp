// The HTML report's charts, drawn in chart.hpp's frame: a policy's
// callback-duration histogram and the timeline of one run.
#pragma once

#include <string>

#include "player/lab/policy_summary.hpp"
#include "player/report/markup.hpp"

namespace pingpong::player::svg {

/// The axes the histograms of one load share, so its policies compare at a
/// glance: whole decades of µs (x) and of counts (y).
struct histogram_scale {
  double d0 = 1, d1 = 4;  ///< x: log10 µs, whole decades
  double y1 = 1;          ///< y: log10 count, whole decades (from 0.5)
  bool any = false;       ///< some policy had bins

  /// Widens the scale to cover the policy's merged bins and its period.
  void widen(const policy_summary& policy);
};

/// The policy's callback durations, bins merged over its counted repeats:
/// x log µs, y log count, callbacks longer than the period in red, the
/// period as a dashed line.
markup::element callback_histogram(const policy_summary& policy, const histogram_scale& scale);

/// One run's buffer fill over time (a min/max envelope when long), with a
/// band of ticks per glitch counter where it rose.
markup::element fill_timeline(const compare_run& run, const std::string& label);

}  // namespace pingpong::player::svg
