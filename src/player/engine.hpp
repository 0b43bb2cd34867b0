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
#include <vector>

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

  // ---- live controls (the keys): control thread → callback, atomics only ----
  //
  // Pause: the callback ramps its output to silence over fade_frames, then
  // stops reading (the device keeps running and plays silence; nothing is
  // consumed, so nothing is an underrun) and ramps back in on resume, from
  // the frame after the last one heard. Gain: the callback moves its gain
  // towards the target by at most gain_step per sample (no zipper noise).
  // Seek: see request_seek().

  /// Control thread. Wait-free (one relaxed store each).
  void set_paused(bool paused) noexcept {
    paused_.store(paused, std::memory_order_relaxed);  // relaxed: a polled flag, nothing published with it
  }
  bool paused() const noexcept {
    return paused_.load(std::memory_order_relaxed);  // relaxed: a polled flag
  }
  /// Linear output gain (volume × mute), reached by a per-sample ramp.
  void set_gain(float linear) noexcept {
    target_gain_.store(linear, std::memory_order_relaxed);  // relaxed: a polled value, nothing published with it
  }

  /// One seek command: `seconds` relative to the position heard (clamped
  /// to the file's start; past its end: the next file), or `files` files
  /// on from the current one (to its start; before the first: its start).
  struct seek_command {
    double seconds = 0.0;
    int files = 0;
  };
  /// What the producer needs to turn positions into files: each file's
  /// trimmed length in seconds (-1 unknown: not seekable), the loop count
  /// (0: forever) and the output rate. Set before produce() starts.
  struct seek_map {
    std::vector<double> seconds;
    int loops = 1;
    int rate = 48000;
    bool interactive = false;  ///< seeks may come: the producer polls for them and waits at the end
  };
  void set_seek_map(seek_map map) { seek_map_ = std::move(map); }
  /// Control thread. The callback fades out and stops reading; the producer
  /// then repositions the source, flushes the double buffer (request_flush:
  /// the stale halves are dropped by the reader, which never waits) and
  /// refills; the callback resumes with a fade-in. Commands given before
  /// the producer gets to them are applied in order. Locks seek_mutex_
  /// (control and producer only, never the callback).
  void request_seek(seek_command command) {
    std::lock_guard held(seek_mutex_);
    seek_commands_.push_back(command);
    ++seek_issued_;
    // release: the command (under the mutex) is issued before the callback
    // sees the epoch; pairs with the acquire load in measured().
    seek_req_.store(seek_issued_, std::memory_order_release);
  }
  /// Where the audio being heard is: file `file`, `seconds` into it (after
  /// --start), plus the frames played since `played` — see position_at().
  struct position_base {
    std::size_t file = 0;
    double seconds = 0.0;
    std::uint64_t played = 0;
    bool ended = false;  ///< a seek went past the last file: nothing more plays
  };
  /// Control thread: which file is heard now and where in it (seeks
  /// included), from the frames the callback has played. -1 length: unknown.
  struct heard_position {
    std::size_t file = 0;
    double seconds = 0.0;
  };
  heard_position position_now() const {
    position_base base;
    {
      std::lock_guard held(seek_mutex_);
      base = base_;
    }
    return advance(base, source_frames_played.load());
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
    // acquire: pairs with finish_producer(), or with the release store of
    // at_end_ (the end is committed; an interactive producer waits for seeks).
    return producer_done_.load(std::memory_order_acquire) || at_end_.load(std::memory_order_acquire);
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
  // Real-time: measure around the read. Wait-free apart from the policy's
  // read. `read(n)` reads n ≤ frames frames into out.
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
    // acquire (both): the seek epoch pairs with request_seek()'s release
    // (the command exists); the flushed epoch with the producer's release
    // after request_flush() (the flush is requested before we read again).
    const std::uint32_t seek_req = seek_req_.load(std::memory_order_acquire);
    const bool seeking = seek_req != seek_flushed_.load(std::memory_order_acquire);
    const bool quiet = seeking || paused_.load(std::memory_order_relaxed);  // relaxed: see set_paused()
    // Quiet: read only what the fade-out still needs (every frame read is
    // heard, so the position is exact), then silence without reading.
    const std::size_t to_read = quiet ? std::min(frames, level_) : frames;
    read_result r;
    if (to_read > 0) r = read(to_read);
    std::fill(out + r.frames * channels_, out + frames * channels_, 0.0f);
    r.silence = frames - r.frames;
    shape(out, r.frames, quiet);
    if (fade_requested_.load(std::memory_order_relaxed)) {  // relaxed: see request_fade()
      if (to_read == 0) {
        // Already silent (paused, or mid-seek): the stop needs no ramp.
        fade_done_.store(true, std::memory_order_relaxed);  // relaxed: a polled flag
        r.end_of_stream = true;
      } else {
        const faded f = fade(out, frames, r);
        r = read_result{.frames = f.frames, .silence = frames - f.frames, .end_of_stream = f.ended};
      }
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
    if (seeking && level_ == 0 && seek_faded_rt_ != seek_req) {
      seek_faded_rt_ = seek_req;
      // release: publishes source_frames_played as of the last frame heard
      // (we read no more until the flush); pairs with the producer's acquire.
      seek_faded_.store(seek_req, std::memory_order_release);
    }
    return render_result{.frames = r.frames, .end = r.end_of_stream};
  }
  /// Real-time: the declick level (pause and seek: a linear ramp over
  /// fade_frames, down while `quiet`, up otherwise; each frame read gets a
  /// non-zero level, so what is read is heard) times the volume (moved to
  /// its target by at most gain_step_ per sample). Costs nothing at rest
  /// at unity gain (a bit-exact path).
  void shape(float* out, std::size_t frames, bool quiet) noexcept PINGPONG_NONBLOCKING {
    const float target = target_gain_.load(std::memory_order_relaxed);  // relaxed: see set_gain()
    if (frames == 0 || (level_ == fade_frames_ && !quiet && gain_ == target && gain_ == 1.0f)) return;
    const float full = static_cast<float>(fade_frames_);
    for (std::size_t f = 0; f < frames; ++f) {
      float level = 1.0f;
      if (quiet) {
        level = static_cast<float>(level_) / full;  // level_ > 0: only ramp frames are read when quiet
        --level_;
      } else if (level_ < fade_frames_) {
        ++level_;
        level = static_cast<float>(level_) / full;
      }
      if (gain_ < target) {
        gain_ = std::min(target, gain_ + gain_step_);
      } else if (gain_ > target) {
        gain_ = std::max(target, gain_ - gain_step_);
      }
      const float g = level * gain_;
      for (std::size_t c = 0; c < channels_; ++c) out[f * channels_ + c] *= g;
    }
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
  // Live controls. The callback's own state:
  std::size_t level_ = fade_frames_;  // declick level in frames, 0..fade_frames_
  float gain_ = 1.0f;                 // the volume now
  float gain_step_ = 1.0f / 480.0f;   // full scale in 10 ms at 48 kHz (set_gain_ramp)
  std::uint32_t seek_faded_rt_ = 0;   // the last seek epoch this side faded out for
  // Shared (each with one writer):
  std::atomic<bool> paused_{false};       // control
  std::atomic<float> target_gain_{1.0f};  // control
  static_assert(std::atomic<float>::is_always_lock_free && std::atomic<std::uint32_t>::is_always_lock_free);

 protected:
  std::atomic<std::uint32_t> seek_req_{0};      // control: commands issued
  std::atomic<std::uint32_t> seek_faded_{0};    // callback: silent since this epoch, nothing read after
  std::atomic<std::uint32_t> seek_flushed_{0};  // producer: commands applied and flushed up to here
  std::atomic<bool> at_end_{false};             // producer: the end is committed, waiting for seeks
  mutable std::mutex seek_mutex_;               // control and producer only, never the callback
  std::vector<seek_command> seek_commands_;     // under seek_mutex_
  std::uint32_t seek_issued_ = 0;               // under seek_mutex_
  position_base base_;                          // under seek_mutex_
  seek_map seek_map_;                           // set before produce()

  /// `base` moved on by the frames played since it, across the files of
  /// known length (and the passes of a loop).
  heard_position advance(const position_base& base, std::uint64_t played) const {
    heard_position at{base.file, base.seconds};
    const std::vector<double>& len = seek_map_.seconds;
    if (base.ended || len.empty()) return at;
    at.seconds += double(played - std::min(played, base.played)) / seek_map_.rate;
    for (std::size_t guard = 0; guard < 2 * len.size() + 2; ++guard) {
      const double l = len[at.file];
      if (l < 0 || at.seconds < l) break;
      if (at.file + 1 == len.size()) {
        if (seek_map_.loops == 1) break;  // no further pass: the end stays put
        at.seconds -= l;
        at.file = 0;
        continue;
      }
      at.seconds -= l;
      ++at.file;
    }
    return at;
  }

 public:
  /// The volume's ramp: full scale in `frames` frames (default 10 ms at 48 kHz).
  void set_gain_ramp(std::size_t frames) noexcept {
    gain_step_ = 1.0f / static_cast<float>(std::max<std::size_t>(frames, 1));
  }

 private:
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
