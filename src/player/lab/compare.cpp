#include "player/lab/compare.hpp"

#include <cmath>
#include <ctime>
#include <limits>

#include <pingpong/version.hpp>

#include "player/lab/input.hpp"
#include "player/lab/machine.hpp"
#include "player/lab/verdicts.hpp"
#include "player/source/source.hpp"

namespace pingpong::player {
namespace {

std::string utc_now_text() {
  char buf[64];
  const std::time_t t = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&t, &utc);
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &utc);
  return buf;
}

/// One run of the input on the device: one handoff × wake under one load.
compare_run run_one(const compare_options& options, const std::string& input, int sample_rate, load_kind load,
                    handoff_kind handoff, wake_kind wake, int repeat, const std::atomic<bool>* interrupt) {
  play_options o;
  o.files = {input};
  o.device = options.device;
  o.period_frames = options.period_frames;
  o.half_frames = options.half_frames;
  o.handoff = handoff;
  o.wake = wake;
  o.loops = 0;
  o.stop_after_s = options.duration_s;
  o.collect_timeline = true;
  o.count_rt_syscalls = true;
  compare_run run;
  run.handoff = std::string(to_string(handoff));
  run.wake = std::string(to_string(wake));
  run.load = std::string(to_string(load));
  run.repeat = repeat;
  run.load_note = prepare_load(load, options.load, o, sample_rate);
  {
    load_runner runner(load, options.load);
    play_hooks hooks;
    hooks.interrupt = interrupt;
    run.report = play(o, hooks);
    runner.stop();
    const std::string extra = runner.note();
    if (!extra.empty()) run.load_note += (run.load_note.empty() ? "" : "; ") + extra;
  }
  if (!run.report.producer_scheduling.empty() && load == load_kind::inversion)
    run.load_note += "; producer " + run.report.producer_scheduling + "; RT " +
                     (run.report.device_scheduling.empty() ? "(host thread)" : run.report.device_scheduling);
  // The period the device really ran at (a JACK server's, whatever was asked).
  const device_info& device = run.report.device;
  run.period_us = device.sample_rate > 0 ? 1e6 * double(device.period_frames) / device.sample_rate
                                         : std::numeric_limits<double>::quiet_NaN();
  run.blocked_us_max = double(run.report.max_swap_ns) / 1000.0;
  run.syscalls_per_callback = run.report.rt_syscalls_per_callback;
  run.timeline = run.report.timeline;
  return run;
}

}  // namespace

bool compare_report::interrupted() const noexcept {
  if (planned_runs > int(runs.size())) return true;
  for (const compare_run& r : runs)
    if (r.report.interrupted) return true;
  return false;
}

compare_report run_compare(const compare_options& options, const std::atomic<bool>* interrupt,
                           const std::function<void(const compare_run&, int, int)>& on_run) {
  if (options.handoffs.empty() || options.wakes.empty() || options.loads.empty())
    throw input_error("compare: give at least one handoff, wake and load");
  if (options.duration_s <= 0 || options.duration_s > max_compare_duration_s)
    throw input_error("--duration must be in (0, 3600] seconds");
  if (options.repeats < 1 || options.repeats > max_repeats) throw input_error("--repeat must be 1..100");
  const run_input source_file(options.file, options.duration_s);
  const std::string& input = source_file.path();
  const file_info info = probe_file(input);

  compare_report report;
  report.version = PINGPONG_VERSION_STRING;
  report.command = options.command;
  report.date = utc_now_text();
  report.machine = machine_description();
  report.input = options.file.empty() ? "generated: 48 kHz stereo sweep" : options.file;
  report.half_frames = report.requested_half_frames = options.half_frames;
  report.requested_period_frames = options.period_frames;
  report.duration_s = options.duration_s;
  report.repeats = options.repeats;
  report.planned_runs = int(options.loads.size() * options.handoffs.size() * options.wakes.size()) * options.repeats;

  // relaxed: a polled flag
  const auto stop_asked = [&] { return interrupt && interrupt->load(std::memory_order_relaxed); };
  for (const load_kind load : options.loads)
    for (int repeat = 0; repeat < options.repeats && !stop_asked(); ++repeat)
      for (const handoff_kind handoff : options.handoffs)
        for (const wake_kind wake : options.wakes) {
          if (stop_asked()) break;
          report.runs.push_back(run_one(options, input, info.sample_rate, load, handoff, wake, repeat, interrupt));
          report.device = report.runs.back().report.device;
          if (report.runs.back().report.half_frames > 0) report.half_frames = report.runs.back().report.half_frames;
          if (on_run) on_run(report.runs.back(), int(report.runs.size()), report.planned_runs);
        }
  report.summary = summarize_scenarios(report);
  return report;
}

}  // namespace pingpong::player
