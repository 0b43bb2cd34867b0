// pingpong compare / probe: the glitch lab. Runs the same input through every
// handoff × wake under a controlled load, interleaved, and reports.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "player/player.hpp"

namespace pingpong::player {

/// One run: one handoff × wake × load × repeat.
struct compare_run {
  std::string handoff, wake, load;
  int repeat = 0;
  play_report report;                ///< everything the player measured
  double period_us = 0.0;
  double blocked_us_max = 0.0;       ///< longest swap on the RT side (lock wait or spin included)
  double syscalls_per_callback = -1; ///< on the RT thread; < 0 when not measurable
  std::vector<timeline_point> timeline;
  std::string load_note;             ///< what the load really did (e.g. "SCHED_FIFO not permitted: ran at SCHED_OTHER")
};

/// Per load scenario: a plain verdict that follows from the numbers.
struct scenario_summary {
  std::string load;
  std::string verdict;               ///< e.g. "mutex glitched in 3/3 runs (41 underruns); lockfree clean"
  std::string where_it_stalls;       ///< where each policy waits under this load
};

struct compare_report {
  std::string version, command, date, machine;  ///< machine: CPU model, cores, kernel
  std::string input;                 ///< file path or "generated: ..."
  device_info device;
  std::size_t half_frames = 0;
  double duration_s = 0.0;
  int repeats = 0;
  std::vector<compare_run> runs;
  std::vector<scenario_summary> summary;
};

/// The self-contained HTML report (inline SVG, no network). Defined in html_report.cpp.
std::string render_html(const compare_report& report);

}  // namespace pingpong::player
