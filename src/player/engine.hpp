// The engine: the real-time side of play() (render() on the device's
// thread: the policy's read, fade-out, timing and counters) and the producer
// loop that fills the halves from a source (produce() on the producer
// thread). One engine per play(), made for the handoff chosen at run time.
//
// Thread rules: render() and available() on the device's real-time thread
// (never block, allocate, lock or do I/O); produce() on the producer thread;
// everything else on the control thread.
#pragma once

#include <pingpong/pingpong.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "player/device/device.hpp"
#include "player/latency_histogram.hpp"
#include "player/player.hpp"
#include "player/source/source.hpp"
#include "player/threads.hpp"

namespace pingpong::player {

/// The measuring side shared by all policies.
class engine_base : public render_target {
 public:
  engine_base(std::int64_t period_ns, std::size_t channels, std::size_t fade_frames)
      : timer(period_ns), channels_(channels), fade_frames_(std::max<std::size_t>(fade_frames, 1)) {}

  /// Control thread: fade the output out over fade_frames, then end the
  /// stream (a stop without a click). fade_done() once the last faded frame
  /// has been handed to the device.
  void request_fade() noexcept {
    fade_requested_.store(true, std::memory_order_relaxed);  // relaxed: a polled flag, nothing published with it
  }
  bool fade_done() const noexcept {
    return fade_done_.load(std::memory_order_relaxed);  // relaxed: a polled flag
  }

  struct producer_setup {
    play_options::stall_plan stall;
    int fifo_priority = 0;
    int cpu = -1;
  };
  virtual void produce(source& input, const producer_setup& setup) = 0;  // producer thread body
  virtual void cancel() noexcept = 0;
  virtual counters buffer_stats() const noexcept = 0;
  virtual writer_counters writer_stats() const noexcept = 0;
  virtual std::uint64_t committed_halves() const noexcept = 0;
  /// Appends the real-time side's logged events (control thread).
  virtual void drain_events(std::vector<event>& into) = 0;

  bool producer_done() const noexcept override {
    return producer_done_.load(std::memory_order_acquire);  // acquire: pairs with finish_producer()
  }
  std::string producer_error() const {
    std::lock_guard held(error_mutex_);
    return producer_error_;
  }

  std::string producer_scheduling() const {
    std::lock_guard held(error_mutex_);
    return producer_scheduling_;
  }

  /// Offline: sleeps on the producer's commits (see notify_audio()).
  void wait_available(std::size_t frames, std::chrono::milliseconds timeout) noexcept override {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (available() < frames && !producer_done()) {
      if (!audio_ready_.wait_until(deadline)) return;
    }
  }

  latency_histogram callback_ns, interval_ns;
  std::atomic<int> rt_tid{0};                              ///< the callback thread, for the syscall counter
  single_writer_counter<> stalls;                          ///< producer
  single_writer_counter<> underflows, overflows, priming;  ///< real-time thread
  callback_timer timer;  ///< callbacks, the longest, deadline misses (the library's, as embedders use it)
  std::uint64_t callbacks() const noexcept { return timer.callbacks(); }
  std::uint64_t deadline_misses() const noexcept { return timer.deadline_misses(); }
  std::atomic<std::int64_t> first_audio_ns{-1};
  single_writer_counter<> source_frames_played;  ///< real-time thread
  std::atomic<std::size_t> max_callback_frames{
      0};  ///< the most frames one callback asked for: the device's real period

 protected:
  // Real-time: measure around the read. Wait-free apart from the policy's read.
  template <class Read>
  render_result measured(float* out, std::size_t frames, const callback_status& status,
                         Read&& read) noexcept PINGPONG_NONBLOCKING {
    const std::int64_t start = now_ns();
    if (last_start_ < 0 && want_tid_) {
      // One gettid system call, at the first callback only, so the control
      // thread can count this thread's system calls from the outside: the
      // lab asked for it (count_rt_syscalls); plain playback never makes it.
      const detail::rtsan_allowed measuring;
      rt_tid.store(current_tid(), std::memory_order_release);  // release: pairs with the control thread's acquire
    }
    if (last_start_ >= 0) interval_ns.record(start - last_start_);
    last_start_ = start;
    if (status.output_underflow) underflows.add();
    if (status.output_overflow) overflows.add();
    if (status.priming) priming.add();
    read_result r = read();
    if (fade_requested_.load(std::memory_order_relaxed)) {  // relaxed: see request_fade()
      const faded f = fade(out, frames, r);
      r = read_result{.frames = f.frames, .silence = frames - f.frames, .end_of_stream = f.ended};
    }
    if (frames > max_callback_frames_) {
      max_callback_frames_ = frames;
      // relaxed: a statistic for the control thread.
      max_callback_frames.store(frames, std::memory_order_relaxed);
    }
    const std::int64_t end = now_ns();
    callback_ns.record(end - start);
    timer.record(start, end);
    if (r.frames > 0) {
      source_frames_played.add(r.frames);
      // relaxed: a statistic for the control thread.
      if (first_audio_ns.load(std::memory_order_relaxed) < 0) first_audio_ns.store(end, std::memory_order_relaxed);
    }
    return render_result{.frames = r.frames, .end = r.end_of_stream};
  }
  /// What fade() leaves of a callback: `frames` faded frames of audio (the
  /// rest is silence), and whether the stream ends here.
  struct faded {
    std::size_t frames = 0;
    bool ended = false;
  };
  /// Real-time: a linear ramp from 1 to 0 over fade_frames_, across as many
  /// callbacks as it takes; the stream ends where the ramp reaches 0.
  faded fade(float* out, std::size_t frames, const read_result& r) noexcept PINGPONG_NONBLOCKING {
    std::size_t f = 0;
    for (; f < r.frames && fade_pos_ < fade_frames_; ++f, ++fade_pos_) {
      const float g = 1.0f - static_cast<float>(fade_pos_ + 1) / static_cast<float>(fade_frames_);
      for (std::size_t c = 0; c < channels_; ++c) out[f * channels_ + c] *= g;
    }
    // Silence after the ramp: the read filled the whole period.
    std::fill(out + f * channels_, out + frames * channels_, 0.0f);
    const bool ended = fade_pos_ >= fade_frames_ || r.end_of_stream;
    if (ended) fade_done_.store(true, std::memory_order_relaxed);  // relaxed: a polled flag
    return faded{.frames = f, .ended = ended};
  }
  void setup_producer_thread(const producer_setup& setup) {
    std::string text;
    bool pinned = true;
    if (setup.cpu >= 0) pinned = pin_to_cpu(setup.cpu);
    if (setup.fifo_priority > 0 && !set_fifo_priority(setup.fifo_priority))
      text = "SCHED_FIFO " + std::to_string(setup.fifo_priority) + " not permitted, ";
    text += describe_scheduling();
    if (setup.cpu >= 0) text += pinned ? ", CPU " + std::to_string(setup.cpu) : ", pinning failed";
    std::lock_guard held(error_mutex_);
    producer_scheduling_ = std::move(text);
  }
  /// Stands for a page fault or slow storage in the producer.
  static void stall_for(double ms, bool busy) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double, std::milli>(ms);
    if (!busy) {
      std::this_thread::sleep_until(until);
      return;
    }
    while (std::chrono::steady_clock::now() < until) {
    }
  }
  void finish_producer(std::string error) {
    if (!error.empty()) {
      std::lock_guard held(error_mutex_);
      producer_error_ = std::move(error);
    }
    producer_done_.store(true, std::memory_order_release);  // release: publishes the last commit
    notify_audio();
  }
  /// Producer, after each commit: wakes an offline device sleeping in
  /// wait_available(). An exchange when nobody sleeps; the device thread
  /// is never real-time, so no real-time thread waits on this.
  void notify_audio() noexcept { (void)audio_ready_.post(); }
  /// The in-place read's bookkeeping, as measured() does for render().
  void count_in_place(std::int64_t start, std::size_t frames) noexcept {
    const std::int64_t end = now_ns();
    callback_ns.record(end - start);
    if (last_start_ >= 0) interval_ns.record(start - last_start_);
    last_start_ = start;
    timer.record(start, end);
    if (frames > max_callback_frames_) {
      max_callback_frames_ = frames;
      max_callback_frames.store(frames, std::memory_order_relaxed);  // relaxed: a statistic
    }
    // relaxed: a statistic for the control thread.
    if (first_audio_ns.load(std::memory_order_relaxed) < 0) first_audio_ns.store(end, std::memory_order_relaxed);
  }
  bool fade_requested() const noexcept {
    return fade_requested_.load(std::memory_order_relaxed);  // relaxed: see request_fade()
  }

 private:
  std::int64_t last_start_ = -1;         // real-time thread only
  std::size_t max_callback_frames_ = 0;  // real-time thread only
  std::size_t channels_;
  std::size_t fade_frames_;
  std::size_t fade_pos_ = 0;  // real-time thread only
  std::atomic<bool> fade_requested_{false}, fade_done_{false};

 public:
  bool want_tid_ = false;  // set before start

 private:
  std::string producer_scheduling_;  // under error_mutex_
  std::atomic<bool> producer_done_{false};
  wake_semaphore audio_ready_;      ///< producer → offline device: a half was committed
  mutable std::mutex error_mutex_;  // control/producer only, never the RT thread
  std::string producer_error_;
};

/// The engine for `kind`: a double buffer of that policy, sized by `cfg`;
/// deadline misses are callbacks longer than `period_ns`; a fade-out takes
/// `fade_frames`. Throws std::bad_alloc if the halves cannot be allocated.
std::unique_ptr<engine_base> make_engine(handoff_kind kind, const config& cfg, std::int64_t period_ns,
                                         std::size_t fade_frames);

}  // namespace pingpong::player
