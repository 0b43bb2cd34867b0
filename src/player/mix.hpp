// pingpong play --mix: every file at once, summed by a pingpong::streamer
// (one producer thread decodes them all; the device's callback mixes).
//
// Each file is decoded, resampled to the device rate and mapped to the
// device's channels (a player::source), at unity gain (--gain applies to
// every stream alike, in the decoder): the output is the sample-wise sum of
// the decoded files, in the order given — offline with float output,
// bit-exact. Samples of the sum beyond ±1.0 are counted (clipped_in_mix);
// an integer output format clips them (the device's count).
//
// Thread: control (play_mix() runs the whole play and returns its report).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "player/device/device.hpp"

namespace pingpong::player {

struct mix_options {
  std::vector<std::string> files;
  std::string device;       ///< "" default, "sim", a PortAudio name/index
  std::string output_file;  ///< non-empty: render offline
  std::size_t period_frames = 256;
  std::size_t half_frames = 0;  ///< per stream; 0: 8 × period, at least 2048
  int rate = 0;                 ///< 0: the first file's
  double gain_db = 0.0;         ///< every stream's
  output_encoding encoding = output_encoding::automatic;
  const std::atomic<bool>* interrupt = nullptr;  ///< polled; set: stop
};

struct mix_stream_report {
  std::string file;
  std::uint64_t frames = 0;  ///< frames of the stream played
  std::uint64_t underrun_events = 0, underrun_frames = 0;
  std::string error{};  ///< a decode error that ended it early
};

struct mix_report {
  device_info device;
  std::size_t half_frames = 0;
  std::vector<mix_stream_report> streams;
  std::uint64_t frames = 0;  ///< frames of the mix handed to the device (its length offline)
  std::uint64_t callbacks = 0;
  std::uint64_t clipped_in_mix = 0;  ///< samples of the sum beyond ±1.0 (before any output clipping)
  std::uint64_t clipped_output = 0;  ///< samples an integer output format clipped
  std::int64_t max_mix_ns = 0;       ///< the longest mix() call
  std::uint64_t wake_posts = 0, wake_syscalls = 0, pool_wakeups = 0, halves_filled = 0;
  bool interrupted = false;
  std::string error;  ///< the device failed while running
  int error_code = 0;
  std::uint64_t underrun_events() const noexcept {
    std::uint64_t n = 0;
    for (const auto& s : streams) n += s.underrun_events;
    return n;
  }
};

/// Opens every file and the device, plays the mix to its end (the longest
/// file) or an interrupt. Throws input_error (a file), device_error,
/// output_error; a failure while running is in the report.
mix_report play_mix(const mix_options& options);

/// The report as JSON (`--json`).
std::string mix_json(const mix_report& report, const std::string& version);

/// The summary printed after a mix.
std::string mix_summary_text(const mix_report& report);

}  // namespace pingpong::player
