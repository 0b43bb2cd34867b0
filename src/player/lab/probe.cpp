#include "player/lab/probe.hpp"

#include <algorithm>

#include "player/lab/input.hpp"
#include "player/lab/notes.hpp"
#include "player/source/source.hpp"

namespace pingpong::player {
namespace {

/// The device as play() would open it at `period`, opened and closed again
/// without playing: the period it really runs at (a JACK server's is fixed,
/// whatever is asked). The request mirrors play()'s (a real device gets at
/// least stereo; sim keeps the file's layout).
device_info device_at(const probe_options& options, const file_info& info, std::size_t period) {
  device_request request;
  request.name = options.device;
  request.preferred_rate = info.sample_rate;
  request.period_frames = period;
  request.wanted_channels = options.device == "sim" ? info.channels : std::max(2, info.channels);
  return open_device(request)->info();
}

/// Plays one configuration for options.duration_s (less if it clearly fails).
probe_step run_step(const probe_options& options, const std::string& input, int sample_rate, std::size_t period,
                    std::size_t half, const std::atomic<bool>* interrupt, probe_report& report) {
  play_options o;
  o.files = {input};
  o.device = options.device;
  o.period_frames = period;
  o.half_frames = half;
  o.handoff = options.handoff;
  o.wake = options.wake;
  o.loops = 0;
  o.stop_after_s = options.duration_s;
  o.stop_after_glitches = options.stop_after_glitches;
  report.load_note = prepare_load(options.load, options.load_settings_, o, sample_rate);
  load_runner runner(options.load, options.load_settings_);
  play_hooks hooks;
  hooks.interrupt = interrupt;
  const play_report r = play(o, hooks);
  runner.stop();
  report.device = r.device;
  // What the device and the player really used (a fixed period; a half raised to hold one).
  probe_step step;
  step.requested_period_frames = period;
  step.period_frames = r.device.period_frames;
  step.half_frames = r.half_frames;
  step.underruns = r.underrun_events;
  step.deadline_misses = r.deadline_misses;
  step.device_xruns = r.device_xruns;
  step.worst_callback_us = r.callback_us.max;
  step.period_us = 1e6 * double(step.period_frames) / r.device.sample_rate;
  step.latency_ms = 1000.0 * double(step.period_frames + step.half_frames) / r.device.sample_rate;
  step.seconds = r.wall_s;
  step.interrupted = r.interrupted;
  step.clean = !r.glitched() && r.error.empty() && !r.interrupted;
  step.stopped_early = !step.clean && !r.interrupted && r.wall_s < options.duration_s * 0.95;
  return step;
}

}  // namespace

probe_report run_probe(const probe_options& options, const std::atomic<bool>* interrupt,
                       const std::function<void(const probe_step&)>& on_step) {
  if (options.periods.empty() || options.half_multiples.empty())
    throw input_error("probe: no periods or halves to try");
  const run_input source_file(options.file, options.duration_s);
  const std::string& input = source_file.path();
  const file_info info = probe_file(input);
  probe_report report;
  report.handoff = std::string(to_string(options.handoff));
  report.wake = std::string(to_string(options.wake));
  report.load = std::string(to_string(options.load));

  // Vary only what the device honours: on a device with a period of its own
  // (a JACK server's buffer size) probe the halves at that period alone.
  const std::size_t first_period = options.periods.front();
  report.device = device_at(options, info, first_period);
  report.period_fixed = report.device.host_api.find("JACK") != std::string::npos ||
                        (report.device.period_frames != 0 && report.device.period_frames != first_period);
  if (report.period_fixed) report.period_note = period_note(report.device, first_period);
  const std::size_t device_period = report.device.period_frames ? report.device.period_frames : first_period;
  const std::vector<std::size_t> periods =
      report.period_fixed ? std::vector<std::size_t>{device_period} : options.periods;

  double best_latency = 1e18;
  std::vector<std::size_t> probed;  // real periods with steps
  for (const std::size_t period : periods) {
    // A period whose smallest configuration (half = period) cannot beat the
    // best found so far is not worth running.
    if (1000.0 * double(2 * period) / info.sample_rate >= best_latency) break;
    for (const std::size_t multiple : options.half_multiples) {
      if (interrupt && interrupt->load(std::memory_order_relaxed)) {  // relaxed: polled flag
        report.interrupted = true;
        return report;
      }
      const probe_step step = run_step(options, input, info.sample_rate, period, period * multiple, interrupt, report);
      if (step.interrupted) {  // a part of a run says nothing: leave it out
        report.interrupted = true;
        return report;
      }
      const bool already_probed = std::find(probed.begin(), probed.end(), step.period_frames) != probed.end();
      if (multiple == options.half_multiples.front()) {
        if (already_probed) break;  // the device rounded this period to one probed already
        probed.push_back(step.period_frames);
      }
      report.steps.push_back(step);
      if (on_step) on_step(step);
      if (step.clean) {
        if (step.latency_ms < best_latency) {
          best_latency = step.latency_ms;
          report.best = int(report.steps.size() - 1);
        }
        break;  // larger halves at this period are only slower
      }
    }
  }
  return report;
}

}  // namespace pingpong::player
