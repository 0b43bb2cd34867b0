// pingpong probe: sweeps period × half on one policy to find the smallest
// configuration that plays clean. The reports are in report/ (text, JSON).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "player/lab/load.hpp"
#include "player/player.hpp"

namespace pingpong::player {

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

/// Plays each configuration for options.duration_s (less when it clearly
/// fails), smallest latency first; stops at the first clean half per period
/// and at periods that cannot beat the best. Throws input_error / device_error
/// if the input or device is unusable. Thread: the control thread; blocks.
probe_report run_probe(const probe_options& options, const std::atomic<bool>* interrupt,
                       const std::function<void(const probe_step&)>& on_step);

}  // namespace pingpong::player
