// pingpong probe --streams: how many simultaneous streams of one file stay
// glitch-free through pingpong::streamer (one producer thread) on a device
// at a period: N doubles from 1 until a run glitches, then bisects between
// the last clean N and the first glitched one. Per run: CPU (% of one core,
// the whole process), producer wake-ups per second, RSS, the longest mix().
//
// A run glitches if a stream underran (starved after it started), a
// callback overran its period, or the device failed.
//
// Thread: control.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace pingpong::player {

struct stream_probe_options {
  std::string file;    ///< "": a generated signal (lab/input.hpp)
  std::string device;  ///< "sim", "" (default), a PortAudio name/index
  std::size_t period_frames = 256;
  std::size_t half_frames = 0;  ///< per stream; 0: 8 × period, at least 2048
  double duration_s = 3.0;      ///< per run
  std::size_t max_streams = 1024;
  int producer_fifo_priority = 1;  ///< the pool thread: SCHED_FIFO 1 where permitted (as play); 0: normal
};

struct stream_probe_run {
  std::size_t streams = 0;
  bool clean = false;
  std::uint64_t underrun_events = 0, deadline_misses = 0, callbacks = 0;
  double cpu_percent = 0;    ///< process CPU over the run, % of one core
  double wakeups_per_s = 0;  ///< producer pool wake-ups
  double rss_mb = 0;         ///< resident set at the end of the run
  double max_mix_us = 0;     ///< the longest callback (mix + clip count)
  std::string failure;       ///< the device failed
};

struct stream_probe_report {
  std::string file, device, host_api;
  int sample_rate = 0, channels = 0;
  std::size_t period_frames = 0, half_frames = 0;
  double duration_s = 0;
  std::vector<stream_probe_run> runs;  ///< in the order run
  std::size_t max_streams = 0;         ///< the most streams that ran clean (0: not even one)
  double cpu_per_stream = 0;           ///< CPU % of one core per stream, at max_streams
  double rss_mb_per_stream = 0;        ///< (RSS at max_streams - RSS at 1 stream) / (max_streams - 1)
  bool interrupted = false;
};

/// Runs the search. `on_run` is called after each run (progress). Throws
/// input_error, device_error.
stream_probe_report probe_streams(const stream_probe_options& options, const std::atomic<bool>* interrupt,
                                  const std::function<void(const stream_probe_run&)>& on_run = {});

std::string stream_probe_json(const stream_probe_report& report, const std::string& version);
std::string stream_probe_text(const stream_probe_report& report);

}  // namespace pingpong::player
