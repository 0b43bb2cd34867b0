#include "player/file_stream.hpp"

#include <utility>

namespace pingpong::player {

file_stream::file_stream(source_options options)
    : options_(std::move(options)), source_(std::make_unique<source>(options_)) {
  rate_ = source_->output_rate();
  channels_ = source_->output_channels();
  frames_per_pass_ = source_->frames_per_pass();
  options_.output_rate = rate_;  // a reopen (seek) keeps the rate and layout of the first open
  options_.output_channels = channels_;
}

file_stream::~file_stream() = default;

fill_result file_stream::fill(std::span<float> out, std::size_t channels) {
  if (channels != static_cast<std::size_t>(channels_))
    throw input_error("file_stream: the mix's channel count changed");
  const std::size_t want = out.size() / channels;
  const std::size_t got = source_->read(out.data(), want);
  if (got < want) {
    std::string why = source_->take_error();
    if (!why.empty()) {
      std::lock_guard held(error_mutex_);
      error_ = std::move(why);
    }
    return {got, true};
  }
  return {got, false};
}

bool file_stream::seek(std::uint64_t frame) {
  source_options at = options_;
  at.start_s = options_.start_s + static_cast<double>(frame) / rate_;
  if (options_.end_s >= 0 && at.start_s >= options_.end_s) at.start_s = options_.end_s;
  source_ = std::make_unique<source>(at);
  return true;
}

std::string file_stream::error() const {
  std::lock_guard held(error_mutex_);
  return error_;
}

}  // namespace pingpong::player
