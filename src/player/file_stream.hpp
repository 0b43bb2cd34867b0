// pingpong::player::file_stream — a file (decoded with libsndfile, resampled
// with libsoxr, channel-mapped: a player::source) as one stream of a
// pingpong::streamer. The core's streamer knows only "fill this span"; this
// is the libsndfile-backed convenience.
//
// Thread: the streamer's pool (one thread at a time); construction on the
// control thread (opens and checks the files: throws input_error).
#pragma once

#include <pingpong/streamer.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "player/source/source.hpp"

namespace pingpong::player {

class file_stream final : public pingpong::stream_source {
 public:
  /// Opens `options` (output_rate / output_channels: the mix's). Throws input_error.
  explicit file_stream(source_options options);
  ~file_stream() override;
  file_stream(const file_stream&) = delete;
  file_stream& operator=(const file_stream&) = delete;

  /// Decodes up to a span of frames; a short read is the end (or an error
  /// the decoder reported: error() says which).
  fill_result fill(std::span<float> out, std::size_t channels) override;
  /// Reopens the files at `frame` (output frames from the start of the
  /// first file's trimmed start; accurate to the decoder's seek).
  bool seek(std::uint64_t frame) override;

  int output_rate() const noexcept { return rate_; }
  int output_channels() const noexcept { return channels_; }
  /// Output frames of one pass; -1 if unknown.
  std::int64_t frames_per_pass() const noexcept { return frames_per_pass_; }
  /// The decode error that ended the stream early; empty if none. Thread: any.
  std::string error() const;

 private:
  source_options options_;
  std::unique_ptr<source> source_;
  int rate_ = 0, channels_ = 0;
  std::int64_t frames_per_pass_ = -1;
  mutable std::mutex error_mutex_;  // pool thread writes, control reads: never the RT thread
  std::string error_;
};

}  // namespace pingpong::player
