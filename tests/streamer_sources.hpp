// Test sources for pingpong::streamer: a frame counter on a channel pair of
// its own (so a sum of streams keeps every stream's counter intact), and a
// constant level. Shared by the unit, stress and real-time tests.
#pragma once

#include <pingpong/streamer.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>
#include <thread>

namespace streamer_test {

// A frame number n ≥ 1 over two channels, exact in float: low and high 23
// bits. Silence is (0, 0), which no frame produces.
constexpr std::uint64_t low_bits = 1u << 23;
inline void encode(float* pair, std::uint64_t n) {
  pair[0] = float(n % low_bits);
  pair[1] = float(n / low_bits) + 1.0f;
}
inline std::uint64_t decode(const float* pair) {
  return std::uint64_t(pair[1] - 1.0f) * low_bits + std::uint64_t(pair[0]);
}
inline bool silent(const float* pair) {
  return pair[0] == 0.0f && pair[1] == 0.0f;
}

/// Frames 1..total on channels 2·pair and 2·pair+1, zeros elsewhere;
/// seek(f) makes the next frame f+1. Optionally stalls and fills short, as
/// a decoder at a slow disk or a file edge does.
class counter_source final : public pingpong::stream_source {
 public:
  counter_source(std::size_t pair, std::uint64_t total, unsigned seed = 0, bool hostile = false)
      : pair_(pair), total_(total), rng_(seed), hostile_(hostile) {}
  pingpong::fill_result fill(std::span<float> out, std::size_t channels) override {
    std::size_t frames = out.size() / channels;
    if (hostile_) {
      const int p = percent_(rng_);
      if (p == 0) std::this_thread::sleep_for(std::chrono::microseconds(50 + 5 * percent_(rng_)));
      if (p < 5) frames = std::max<std::size_t>(1, frames * std::size_t(percent_(rng_)) / 100);
    }
    frames = std::size_t(std::min<std::uint64_t>(frames, total_ + 1 - next_));
    std::fill(out.begin(), out.begin() + std::ptrdiff_t(frames * channels), 0.0f);
    for (std::size_t f = 0; f < frames; ++f) encode(out.data() + f * channels + 2 * pair_, next_++);
    return {frames, next_ > total_};
  }
  bool seek(std::uint64_t frame) override {
    next_ = std::min(frame, total_) + 1;
    return true;
  }

 private:
  std::size_t pair_;
  std::uint64_t total_;
  std::uint64_t next_ = 1;
  std::mt19937 rng_;
  std::uniform_int_distribution<int> percent_{0, 99};
  bool hostile_;
};

/// `level` on every channel for `total` frames (forever if 0). Fills
/// nothing while `hold` is set (a source that is late).
class level_source final : public pingpong::stream_source {
 public:
  explicit level_source(float level, std::uint64_t total = 0, const std::atomic<bool>* hold = nullptr)
      : level_(level), total_(total), hold_(hold) {}
  pingpong::fill_result fill(std::span<float> out, std::size_t channels) override {
    // relaxed: a test's polled flag.
    if (hold_ && hold_->load(std::memory_order_relaxed)) return {0, false};
    std::size_t frames = out.size() / channels;
    if (total_ > 0) frames = std::size_t(std::min<std::uint64_t>(frames, total_ - done_));
    std::fill(out.begin(), out.begin() + std::ptrdiff_t(frames * channels), level_);
    done_ += frames;
    return {frames, total_ > 0 && done_ == total_};
  }
  bool seek(std::uint64_t frame) override {
    done_ = total_ > 0 ? std::min(frame, total_) : frame;
    return true;
  }

 private:
  float level_;
  std::uint64_t total_;
  std::uint64_t done_ = 0;
  const std::atomic<bool>* hold_;
};

}  // namespace streamer_test
