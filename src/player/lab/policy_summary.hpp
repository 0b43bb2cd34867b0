// The one aggregation of compare runs: what a run counts as (run_result) and
// each policy's figures over its repeats (policy_summary). The verdicts, the
// table, the JSON and the HTML report all show these and compute none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "player/lab/compare.hpp"
#include "player/latency_histogram.hpp"

namespace pingpong::player {

/// A figure no run measured (or none was counted for).
inline constexpr double not_measured = std::numeric_limits<double>::quiet_NaN();

/// What a run counts as: the one definition behind the JSON's "result", the
/// verdicts, the table and the HTML report. Only clean and glitched runs ran
/// to the end; failed and interrupted runs are listed but left out of every
/// sum, median and verdict (their counters cover part of a run).
enum class run_result { clean, glitched, failed, interrupted };
/// "clean", "glitched", "error", "interrupted".
std::string_view to_string(run_result result) noexcept;
/// failed (report.error) before interrupted before glitched (underruns or
/// deadline misses: the handoff's glitches; device xruns are the host's and
/// are reported beside them, not counted against the policy).
run_result result_of(const compare_run& run) noexcept;
/// Clean or glitched: the run ran to the end and its figures count.
inline bool counted(run_result result) noexcept {
  return result == run_result::clean || result == run_result::glitched;
}

/// One policy (handoff × wake) under one load, over its repeats.
/// Figures are over the counted runs (clean + glitched); NaN when none has one.
struct policy_summary {
  std::string load, handoff, wake;
  std::vector<const compare_run*> runs;  ///< every run of the policy, by repeat (points into the report)
  std::size_t counted = 0, clean = 0, glitched = 0, failed = 0, interrupted = 0;
  std::uint64_t underruns = 0, underruns_min = 0, underruns_max = 0;  ///< events: sum, and the least / most in one run
  std::uint64_t underrun_frames = 0, deadline_misses = 0, device_xruns = 0;  ///< sums (saturating)
  /// Callback durations: p50–p99.9 are medians across runs, max the largest of any.
  double callback_p50_us = not_measured, callback_p99_us = not_measured, callback_p999_us = not_measured;
  double callback_max_us = not_measured;
  double blocked_max_us = not_measured;         ///< the largest of any run
  double syscalls_per_callback = not_measured;  ///< median across runs
  std::size_t period_frames = 0;                ///< the device's period as the runs ran; 0: unknown
  double period_us = not_measured;
  /// The counted runs' callback-duration bins summed per bucket (all runs share
  /// the bucket edges), by lower edge; bins with no count or unusable edges left out.
  std::vector<latency_histogram::bin> callback_bins;
  std::uint64_t callback_bins_total = 0;  ///< callbacks in callback_bins (saturating)
  /// The counted run with the most glitches (underruns + deadline misses +
  /// device xruns; ties: the first repeat); nullptr when none was counted.
  const compare_run* worst = nullptr;

  /// Every counted run clean and none failed (an interrupted run is no verdict either way).
  bool all_clean() const noexcept { return counted > 0 && clean == counted && failed == 0; }
};

/// The runs grouped by load (first-seen order), then policy (first-seen
/// order). The result points into `report.runs`: keep the report alive.
std::vector<policy_summary> summarize_policies(const compare_report& report);

/// The loads of `policies` in their order (each once).
std::vector<std::string> loads_of(const std::vector<policy_summary>& policies);

/// A run's glitches of every kind (underruns + deadline misses + device
/// xruns, saturating): how the worst repeat is chosen.
std::uint64_t glitch_count(const compare_run& run) noexcept;

}  // namespace pingpong::player
