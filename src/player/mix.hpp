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

#include <pingpong/streamer.hpp>

#include "player/device/device.hpp"

namespace pingpong::player {

/// A device's callback that plays a streamer's mix: mix(), timed, with the
/// sum's samples beyond ±1.0 counted; ends when every stream has ended.
/// render()/available(): the device's real-time thread; the rest: any.
class mix_target final : public render_target {
 public:
  explicit mix_target(pingpong::streamer& mixer, std::int64_t period_ns = 0) : mixer_(mixer), period_ns_(period_ns) {}
  render_result render(float* out, std::size_t frames, const callback_status&) noexcept PINGPONG_NONBLOCKING override {
    const std::int64_t start = now_ns();
    const mix_result r = mixer_.mix(out, frames);
    const std::size_t samples = frames * mixer_.settings().channels;
    std::uint64_t clipped = 0;
    for (std::size_t i = 0; i < samples; ++i) clipped += out[i] > 1.0f || out[i] < -1.0f ? 1u : 0u;
    if (clipped) clipped_.add(clipped);
    const bool end = mixer_.all_ended();
    // The last callback holds only the longest stream's rest; earlier ones are whole.
    const std::size_t played = end ? r.frames : frames;
    frames_.add(played);
    callbacks_.add();
    const std::int64_t took = now_ns() - start;
    max_ns_.raise_to(took);
    if (period_ns_ > 0 && took > period_ns_) deadline_misses_.add();
    return {.frames = played, .end = end};
  }
  std::size_t available() noexcept PINGPONG_NONBLOCKING override { return mixer_.available(); }
  bool producer_done() const noexcept override { return mixer_.sources_done(); }

  std::uint64_t clipped() const noexcept { return clipped_.load(); }
  std::uint64_t frames() const noexcept { return frames_.load(); }
  std::uint64_t callbacks() const noexcept { return callbacks_.load(); }
  std::int64_t max_ns() const noexcept { return max_ns_.load(); }
  std::uint64_t deadline_misses() const noexcept { return deadline_misses_.load(); }

 private:
  pingpong::streamer& mixer_;
  std::int64_t period_ns_;
  single_writer_counter<> clipped_, frames_, callbacks_, deadline_misses_;  // the real-time thread writes
  single_writer_counter<std::int64_t> max_ns_;
};

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
