// pingpong compare / probe: the glitch lab. Runs the same input through every
// handoff × wake under a controlled load, interleaved, and reports.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "player/player.hpp"

namespace pingpong::player {

/// One run: one handoff × wake × load × repeat.
struct compare_run {
  std::string handoff, wake, load;
  int repeat = 0;
  play_report report;                ///< everything the player measured (report.device: as the device really ran)
  double period_us = 0.0;            ///< the device's real period (report.device.period_frames), not the requested one
  double blocked_us_max = 0.0;       ///< longest swap on the RT side (lock wait or spin included)
  double syscalls_per_callback = -1; ///< on the RT thread; < 0 when not measurable
  std::vector<timeline_point> timeline;
  std::string load_note;             ///< what the load really did (e.g. "SCHED_FIFO not permitted: ran at SCHED_OTHER")
};

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

/// One policy (handoff × wake) under one load, over its repeats: the single
/// aggregation the verdicts, the table, the JSON and the HTML report show.
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
  std::size_t period_frames = 0;      ///< the device's period as the runs ran; 0: unknown
  double period_us = not_measured;

  /// Every counted run clean and none failed (an interrupted run is no verdict either way).
  bool all_clean() const noexcept { return counted > 0 && clean == counted && failed == 0; }
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
  device_info device;                ///< as the device really ran (the last run's)
  std::size_t half_frames = 0;       ///< as the runs used it
  std::size_t requested_period_frames = 0, requested_half_frames = 0;  ///< what was asked for; 0: unknown
  double duration_s = 0.0;
  int repeats = 0;
  int planned_runs = 0;              ///< > runs.size(): the compare was interrupted
  std::vector<compare_run> runs;
  std::vector<scenario_summary> summary;
};

/// The runs grouped by load (first-seen order), then policy (first-seen
/// order). The result points into `report.runs`: keep the report alive.
std::vector<policy_summary> summarize_policies(const compare_report& report);
/// One verdict per load, from summarize_policies(). run_compare() fills
/// report.summary with it.
std::vector<scenario_summary> summarize_scenarios(const compare_report& report);

/// Why a run is left out of the figures ("interrupted after 364 of 1506
/// callbacks", "failed: ..."); "" for a counted run.
std::string left_out_reason(const compare_report& report, const compare_run& run);

/// "" when the device ran at the requested period; otherwise what the period
/// is and how to change it (JACK: the server's buffer size).
std::string period_note(const device_info& device, std::size_t requested_period_frames);

/// The self-contained HTML report (inline SVG, no network). Defined in html_report.cpp.
std::string render_html(const compare_report& report);

}  // namespace pingpong::player

#include <atomic>
#include <functional>

#include "player/load.hpp"

namespace pingpong::player {

/// The lab's limits: run_compare() enforces the first two, the CLI all.
inline constexpr double max_compare_duration_s = 3600.0;
inline constexpr int max_repeats = 100;
inline constexpr double max_probe_duration_s = 600.0;
inline constexpr double max_stall_ms = 10000.0, max_stall_rate_hz = 1000.0;

struct compare_options {
  std::string file;                     ///< "" → a generated signal
  std::vector<handoff_kind> handoffs;
  std::vector<wake_kind> wakes;
  std::vector<load_kind> loads;
  std::size_t period_frames = 64;
  std::size_t half_frames = 1024;
  double duration_s = 5.0;
  int repeats = 2;
  std::string device = "sim";
  load_settings load;
  std::string command;                  ///< for the report
};

/// Runs every combination, interleaved (load by load; within a load, each
/// repeat plays every handoff × wake once, so drift hits all alike).
/// `on_run` is called after each run (progress). Throws input_error /
/// device_error before the first run if the input or device is unusable.
compare_report run_compare(const compare_options& options, const std::atomic<bool>* interrupt,
                           const std::function<void(const compare_run&, int done, int total)>& on_run);

std::string compare_table(const compare_report& report);
std::string compare_json(const compare_report& report);

struct probe_options {
  std::string file;
  handoff_kind handoff = handoff_kind::lockfree;
  wake_kind wake = wake_kind::poll;
  load_kind load = load_kind::none;
  load_settings load_settings_;
  std::string device = "sim";
  double duration_s = 3.0;
  std::vector<std::size_t> periods = {32, 64, 128, 256, 512, 1024, 2048, 4096};
  std::vector<std::size_t> half_multiples = {1, 2, 4, 8, 16};
  std::uint64_t stop_after_glitches = 3;  ///< a run with more glitches "clearly fails" and stops early
};

/// One configuration as it really ran: the device's period and the player's
/// half, which can differ from the asked-for ones (a JACK server's period).
struct probe_step {
  std::size_t period_frames = 0, half_frames = 0;
  std::size_t requested_period_frames = 0;
  bool clean = false, stopped_early = false, interrupted = false;
  std::uint64_t underruns = 0, deadline_misses = 0, device_xruns = 0;
  double worst_callback_us = 0, period_us = 0, latency_ms = 0;
  double seconds = 0;
};
struct probe_report {
  device_info device;
  std::string handoff, wake, load, load_note;
  bool period_fixed = false;  ///< the device keeps a period of its own: only the half was varied
  std::string period_note;    ///< when fixed: what the period is and how to change it
  bool interrupted = false;   ///< stopped before the sweep ended (the configuration playing then is left out)
  std::vector<probe_step> steps;
  int best = -1;  ///< index into steps of the smallest clean configuration; -1 = none
};
probe_report run_probe(const probe_options& options, const std::atomic<bool>* interrupt,
                       const std::function<void(const probe_step&)> & on_step);
std::string probe_text(const probe_report& report);
std::string probe_json(const probe_report& report, const std::string& version);

/// "Intel(R) Xeon(R) ... , 2 cores, Linux 6.1.0" for reports.
std::string machine_description();

}  // namespace pingpong::player
