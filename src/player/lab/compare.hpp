// pingpong compare: runs the same input through every handoff × wake under a
// controlled load, interleaved, and keeps what each run measured. The
// aggregation is policy_summary.hpp, the verdicts verdicts.hpp; the reports
// (table, JSON, HTML) are in report/.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "player/lab/load.hpp"
#include "player/player.hpp"

namespace pingpong::player {

/// One run: one handoff × wake × load × repeat.
struct compare_run {
  std::string handoff, wake, load;
  int repeat = 0;
  play_report report;                 ///< everything the player measured (report.device: as the device really ran)
  double period_us = 0.0;             ///< the device's real period (report.device.period_frames), not the requested one
  double blocked_us_max = 0.0;        ///< longest swap on the RT side (lock wait or spin included)
  double syscalls_per_callback = -1;  ///< on the RT thread; < 0 when not measurable
  std::vector<timeline_point> timeline;
  std::string load_note;  ///< what the load really did (e.g. "SCHED_FIFO not permitted: ran at SCHED_OTHER")
};

/// Per load scenario: a plain verdict that follows from the numbers (verdicts.hpp).
struct scenario_summary {
  std::string load;
  std::string verdict;          ///< e.g. "mutex glitched in 3/3 runs (41 underruns); lockfree clean"
  std::string where_it_stalls;  ///< where each policy waits under this load
};

struct compare_report {
  std::string version, command, date, machine;                         ///< machine: CPU model, cores, kernel
  std::string input;                                                   ///< file path or "generated: ..."
  device_info device;                                                  ///< as the device really ran (the last run's)
  std::size_t half_frames = 0;                                         ///< as the runs used it
  std::size_t requested_period_frames = 0, requested_half_frames = 0;  ///< what was asked for; 0: unknown
  double duration_s = 0.0;
  int repeats = 0;
  int planned_runs = 0;  ///< > runs.size(): the compare was interrupted
  std::vector<compare_run> runs;
  std::vector<scenario_summary> summary;

  /// Fewer runs made than planned, or a run cut short.
  bool interrupted() const noexcept;
};

/// The lab's limits: run_compare() enforces the first two, the CLI all.
inline constexpr double max_compare_duration_s = 3600.0;
inline constexpr int max_repeats = 100;
inline constexpr double max_probe_duration_s = 600.0;
inline constexpr double max_stall_ms = 10000.0, max_stall_rate_hz = 1000.0;

struct compare_options {
  std::string file;  ///< "" → a generated signal
  std::vector<handoff_kind> handoffs;
  std::vector<wake_kind> wakes;
  std::vector<load_kind> loads;
  std::size_t period_frames = 64;
  std::size_t half_frames = 1024;
  double duration_s = 5.0;
  int repeats = 2;
  std::string device = "sim";
  load_settings load;
  std::string command;  ///< for the report
};

/// Runs every combination, interleaved (load by load; within a load, each
/// repeat plays every handoff × wake once, so drift hits all alike), and
/// fills report.summary with the verdicts.
/// `on_run` is called after each run (progress). Throws input_error /
/// device_error before the first run if the input or device is unusable.
/// Thread: the control thread; blocks for the whole compare.
compare_report run_compare(const compare_options& options, const std::atomic<bool>* interrupt,
                           const std::function<void(const compare_run&, int done, int total)>& on_run);

}  // namespace pingpong::player
