// pingpong::double_buffer — a producer fills one half while the real-time
// callback plays the other.
//
//   pingpong::double_buffer<pingpong::lockfree> buffer({.half_frames = 1024, .channels = 2});
//   auto [producer, consumer] = buffer.connect();  // move-only; one of each per buffer
//   // producer thread                          // real-time callback
//   while (auto slot = producer.acquire())       auto r = consumer.read(out, frames);
//     { fill(slot.data()); slot.commit(n); }     // or consumer.peek(max) ... consume(n)
//
// Roles: exactly one producer thread uses the producer handle, exactly one
// real-time thread the consumer handle; any thread may call the observers
// (stats(), ...). The handles carry the role in their type: connect() hands
// out one of each, a second connect() while they live is refused, and they
// cannot be copied. writer()/reader() are the older untyped way to the same
// calls (kept for source compatibility); with them, PINGPONG_CHECKS=1 builds
// report two threads in one role.
//
// Misuse (acquiring while a slot is held, committing an empty slot,
// flushing with a slot out, frames > capacity) is refused in every build;
// see detail/checks.hpp for how it is reported.
//
// Storage: `Sample` is float (default), std::int16_t or std::int32_t,
// interleaved; reads copy it out unconverted.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <span>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <utility>

#include "detail/checks.hpp"
#include "handoff.hpp"
#include "telemetry.hpp"

namespace pingpong {

/// Sizes and policies fixed when the buffer is built.
struct config {
  std::size_t half_frames = 1024;  ///< frames in each half; at least the device period
  std::size_t channels = 2;        ///< interleaved channels per frame
  wake_kind wake = wake_kind::semaphore;
  double sample_rate = 48000.0;               ///< poll wake: turns frames into sleep time
  std::chrono::microseconds poll_floor{200};  ///< poll wake: shortest sleep between checks
  std::size_t event_capacity = 0;             ///< events kept for the monitor; 0 = no event log
  /// semaphore wake: a blocking acquire spins (with a CPU pause) this long
  /// for a half to free before it sleeps on the futex; 0 = sleep at once.
  std::chrono::microseconds spin_before_sleep{20};
};

/// What one read did.
struct read_result {
  std::size_t frames = 0;      ///< frames copied from published halves
  std::size_t silence = 0;     ///< frames of silence written after them
  bool underrun = false;       ///< some of that silence is an underrun (producer late)
  bool end_of_stream = false;  ///< the producer marked the end and every published frame was played
};

/// Producer-side figures. Written by the producer; read by any thread.
struct writer_counters {
  std::uint64_t halves_committed = 0;
  std::uint64_t frames_committed = 0;
  std::int64_t min_slack_frames =
      -1;  ///< least frames the reader still had queued at a publish (0 if it was waiting); -1 = none yet
};

/// An in-place view of frames in the front half (consumer::peek()).
template <class Sample>
struct basic_read_view {
  const Sample* data = nullptr;  ///< frames × channels interleaved samples, valid until consume()
  std::size_t frames = 0;        ///< contiguous frames readable in place (0: none ready)
  std::size_t channels = 0;
  bool end_of_stream = false;  ///< no frames, and the producer's end has been played
  explicit operator bool() const noexcept { return frames != 0; }
  std::span<const Sample> samples() const noexcept { return {data, frames * channels}; }
};

namespace detail {
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}
}  // namespace detail

template <class Handoff = lockfree, class Sample = float>
class double_buffer {
  static_assert(std::is_same_v<Sample, float> || std::is_same_v<Sample, std::int16_t> ||
                    std::is_same_v<Sample, std::int32_t>,
                "pingpong::double_buffer stores float, std::int16_t or std::int32_t samples");

 public:
  using handoff_type = Handoff;
  using sample_type = Sample;
  using clock = std::chrono::steady_clock;
  using read_view = basic_read_view<Sample>;
  class write_slot;
  class write_end;
  class read_end;
  class producer;
  class consumer;

  /// Allocates both halves (and the event log). Thread: control. Throws
  /// std::invalid_argument on a zero size, std::bad_alloc on no memory.
  explicit double_buffer(const config& cfg);
  ~double_buffer() = default;
  double_buffer(const double_buffer&) = delete;
  double_buffer& operator=(const double_buffer&) = delete;

  /// The typed roles: a move-only producer and consumer handle. At most one
  /// of each exists per buffer; while either lives, connect() is refused
  /// (misuse) and returns two empty handles. Thread: control. Wait-free.
  [[nodiscard]] std::pair<producer, consumer> connect() noexcept;

  /// The untyped producer side (same calls as `producer`). Thread: the producer only.
  write_end writer() noexcept { return write_end(*this); }
  /// The untyped real-time side (same calls as `consumer`). Thread: the real-time callback only.
  read_end reader() noexcept { return read_end(*this); }

  // Observers. Thread: any. Wait-free (relaxed loads of single-writer counters).
  const config& settings() const noexcept { return config_; }
  counters stats() const noexcept;
  writer_counters writer_stats() const noexcept;
  // relaxed: a single-writer position for display; acquire: pairs with the
  // release store of ended_flag in finish_read() (the final counters are visible).
  std::uint64_t position() const noexcept { return handoff_.frames_read(); }
  bool end_of_stream() const noexcept { return reader_.ended_flag.load(std::memory_order_acquire); }
  /// The state of `half` (state::free/filling/ready/playing), for display.
  std::uint32_t half_state(unsigned half) const noexcept { return handoff_.half_state(half); }
  /// Events for the monitor thread (nullptr when config.event_capacity == 0).
  event_log* events() noexcept { return events_.get(); }
  /// The policy object, for load scenarios and tests.
  Handoff& handoff() noexcept { return handoff_; }

  /// Makes the producer's blocking acquires return empty (now and until
  /// resume_writer()), e.g. to stop a producer thread. Thread: any.
  void cancel_writer() noexcept;
  // release: pairs with the acquire loads in acquire_until()/wait().
  void resume_writer() noexcept { writer_cancel_.store(false, std::memory_order_release); }
  /// True between cancel_writer() and resume_writer(). Thread: any.
  // acquire: pairs with the release store in cancel_writer()/resume_writer().
  bool writer_cancelled() const noexcept { return writer_cancel_.load(std::memory_order_acquire); }

  // ---------------------------------------------------------------------
  /// A claimed half. Fill data()[0 .. frames*channels) and commit(). Dropped
  /// uncommitted, the half goes back to free. Thread: the producer.
  class [[nodiscard]] write_slot {
   public:
    write_slot() = default;
    write_slot(write_slot&& other) noexcept { *this = std::move(other); }
    write_slot& operator=(write_slot&& other) noexcept;
    ~write_slot() { reset(); }

    explicit operator bool() const noexcept { return owner_ != nullptr; }
    Sample* data() const noexcept { return data_; }
    std::size_t capacity() const noexcept { return owner_ ? owner_->config_.half_frames : 0; }
    std::size_t channels() const noexcept { return owner_ ? owner_->config_.channels : 0; }
    unsigned half() const noexcept { return half_; }

    /// Publishes the first `frames` frames (≤ capacity(); more is clamped
    /// and reported); `end_of_stream` marks them as the last. On an empty
    /// slot: refused (misuse), returns false. Non-blocking (lock-free or one
    /// short lock). The whole half is published at once: a partial fill is
    /// not visible to the reader (publishing in pieces would make the
    /// reader's frame count a moving target; it stays one acquire load).
    bool commit(std::size_t frames, bool end_of_stream = false) noexcept;
    /// Gives the half back unpublished.
    void reset() noexcept;

   private:
    friend class double_buffer;
    write_slot(double_buffer* owner, unsigned half, Sample* data) noexcept : owner_(owner), half_(half), data_(data) {}
    double_buffer* owner_ = nullptr;
    unsigned half_ = 0;
    Sample* data_ = nullptr;
  };

  /// The producer's side. Thread: one producer thread at a time.
  class write_end {
   public:
    /// A free half, or an empty slot if none is free (or a slot is already
    /// held: refused, misuse). Non-blocking.
    write_slot try_acquire() noexcept { return buffer_.try_acquire(); }
    /// Waits for a free half until `deadline`; empty on time-out or cancel.
    /// Semaphore wake: spins up to config.spin_before_sleep, then sleeps.
    write_slot acquire_until(clock::time_point deadline) noexcept { return buffer_.acquire_until(deadline); }
    write_slot acquire_for(clock::duration timeout) noexcept { return acquire_until(clock::now() + timeout); }
    /// Waits for a free half; empty only after cancel_writer() or once the
    /// end of the stream is committed (see stream_ended()).
    write_slot acquire() noexcept { return acquire_until(clock::time_point::max()); }
    /// True from a commit(…, end_of_stream = true) until the next
    /// request_flush(): every acquire returns an empty slot at once, so
    /// `while (auto slot = acquire())` ends with the stream.
    [[nodiscard]] bool stream_ended() const noexcept { return buffer_.writer_.ended; }
    /// Discards every published half not yet played, and the one playing,
    /// and starts a new stream (stream_ended() is false again).
    /// Applied by the reader at its next read (it never blocks for it); until
    /// then acquires wait. Precondition: no slot held (else refused, misuse:
    /// returns false and nothing changes).
    bool request_flush() noexcept { return buffer_.request_flush(); }
    /// True while a flush is requested and not yet applied.
    [[nodiscard]] bool flush_pending() const noexcept { return buffer_.handoff_.flush_pending(); }

   private:
    friend class double_buffer;
    explicit write_end(double_buffer& buffer) noexcept : buffer_(buffer) {}
    double_buffer& buffer_;
  };

  /// The real-time side. Thread: one real-time thread at a time.
  class read_end {
   public:
    /// Writes `frames` interleaved frames to `out`: published frames, then
    /// silence if the next half is not ready (an underrun) or the stream
    /// ended. Never waits. Wait-free with lockfree; with mutex/mutex_pi it
    /// may block on the lock at a swap; with trylock it never blocks.
    read_result read(Sample* out, std::size_t frames) noexcept {
      return buffer_.read_impl(interleaved_sink{out, buffer_.config_.channels}, frames);
    }
    /// The same into one buffer per channel (`out[c][i]`), as JACK gives.
    read_result read_planar(Sample* const* out, std::size_t frames) noexcept {
      return buffer_.read_impl(planar_sink{out, buffer_.config_.channels}, frames);
    }
    /// Frames a read could deliver now without silence: the rest of the
    /// front half, plus the next half if it is published. For offline
    /// consumers that may wait (a file writer); a device callback just reads.
    /// Thread: the reader. Wait-free (one acquire load).
    [[nodiscard]] std::size_t available() const noexcept { return buffer_.available_impl(); }
    /// See consumer::peek() / consume().
    [[nodiscard]] read_view peek(std::size_t max_frames = std::numeric_limits<std::size_t>::max()) noexcept {
      return buffer_.peek_impl(max_frames);
    }
    std::size_t consume(std::size_t frames) noexcept { return buffer_.consume_impl(frames); }

   private:
    friend class double_buffer;
    explicit read_end(double_buffer& buffer) noexcept : buffer_(buffer) {}
    double_buffer& buffer_;
  };

  /// The producer role, typed: move-only, one per buffer (connect()).
  /// Thread: one producer thread at a time (it may be moved to another).
  /// Empty (default-constructed or moved-from) handles refuse every call.
  class producer {
   public:
    producer() = default;
    producer(producer&& other) noexcept : buffer_(std::exchange(other.buffer_, nullptr)) {}
    producer& operator=(producer&& other) noexcept {
      if (this != &other) {
        release();
        buffer_ = std::exchange(other.buffer_, nullptr);
      }
      return *this;
    }
    producer(const producer&) = delete;
    producer& operator=(const producer&) = delete;
    ~producer() { release(); }
    explicit operator bool() const noexcept { return buffer_ != nullptr; }

    /// A free half, or an empty slot. Non-blocking.
    write_slot try_acquire() noexcept { return ok() ? buffer_->try_acquire() : write_slot{}; }
    /// Waits for a free half until `deadline`; empty on time-out or cancel. Blocking.
    write_slot acquire_until(clock::time_point deadline) noexcept {
      return ok() ? buffer_->acquire_until(deadline) : write_slot{};
    }
    write_slot acquire_for(clock::duration timeout) noexcept { return acquire_until(clock::now() + timeout); }
    /// Waits for a free half; empty only after cancel_writer() or once the
    /// end of the stream is committed. Blocking.
    write_slot acquire() noexcept { return acquire_until(clock::time_point::max()); }
    /// See write_end::stream_ended().
    [[nodiscard]] bool stream_ended() const noexcept { return buffer_ && buffer_->writer_.ended; }
    /// See write_end::request_flush(). Non-blocking.
    bool request_flush() noexcept { return ok() && buffer_->request_flush(); }
    [[nodiscard]] bool flush_pending() const noexcept { return buffer_ && buffer_->handoff_.flush_pending(); }
    /// The buffer (observers, cancel_writer()); nullptr for an empty handle.
    double_buffer* buffer() const noexcept { return buffer_; }

   private:
    friend class double_buffer;
    explicit producer(double_buffer* buffer) noexcept : buffer_(buffer) {}
    bool ok() const noexcept { return PINGPONG_EXPECT(buffer_ != nullptr, "call on an empty producer handle"); }
    void release() noexcept {
      // release: the next connect() (acquire exchange) sees this role's state.
      if (buffer_) buffer_->producer_out_.store(false, std::memory_order_release);
      buffer_ = nullptr;
    }
    double_buffer* buffer_ = nullptr;
  };

  /// The real-time role, typed: move-only, one per buffer (connect()).
  /// Thread: one real-time thread at a time. Every call is wait-free with
  /// `lockfree` (see read_end::read for the locked policies).
  class consumer {
   public:
    consumer() = default;
    consumer(consumer&& other) noexcept : buffer_(std::exchange(other.buffer_, nullptr)) {}
    consumer& operator=(consumer&& other) noexcept {
      if (this != &other) {
        release();
        buffer_ = std::exchange(other.buffer_, nullptr);
      }
      return *this;
    }
    consumer(const consumer&) = delete;
    consumer& operator=(const consumer&) = delete;
    ~consumer() { release(); }
    explicit operator bool() const noexcept { return buffer_ != nullptr; }

    /// Writes `frames` interleaved frames to `out`: published frames, then
    /// silence (an underrun, counted, unless priming or after the end).
    read_result read(Sample* out, std::size_t frames) noexcept {
      if (!ok()) return {};
      return buffer_->read_impl(interleaved_sink{out, buffer_->config_.channels}, frames);
    }
    /// The same into one buffer per channel (`out[c][i]`).
    read_result read_planar(Sample* const* out, std::size_t frames) noexcept {
      if (!ok()) return {};
      return buffer_->read_impl(planar_sink{out, buffer_->config_.channels}, frames);
    }
    /// Frames readable now without silence (front rest + next if published).
    [[nodiscard]] std::size_t available() noexcept { return ok() ? buffer_->available_impl() : 0; }
    /// Effects: applies a pending flush; if the front half is played out,
    /// releases it and takes the next if ready. Returns: up to `max_frames`
    /// contiguous frames of the front half, in place (frames == 0: nothing
    /// ready; end_of_stream tells why). The view stays valid until
    /// consume(). Underruns are the caller's to count here (read() counts
    /// them itself). Wait-free with lockfree.
    [[nodiscard]] read_view peek(std::size_t max_frames = std::numeric_limits<std::size_t>::max()) noexcept {
      return ok() ? buffer_->peek_impl(max_frames) : read_view{};
    }
    /// Marks `frames` (≤ the last peek's) as played; a half played out is
    /// given back at once. More than peek() returned: clamped, misuse.
    /// Returns the frames consumed. Wait-free with lockfree.
    std::size_t consume(std::size_t frames) noexcept { return ok() ? buffer_->consume_impl(frames) : 0; }
    double_buffer* buffer() const noexcept { return buffer_; }

   private:
    friend class double_buffer;
    explicit consumer(double_buffer* buffer) noexcept : buffer_(buffer) {}
    bool ok() const noexcept { return PINGPONG_EXPECT(buffer_ != nullptr, "call on an empty consumer handle"); }
    void release() noexcept {
      // release: the next connect() (acquire exchange) sees this role's state.
      if (buffer_) buffer_->consumer_out_.store(false, std::memory_order_release);
      buffer_ = nullptr;
    }
    double_buffer* buffer_ = nullptr;
  };

  // ===================================================================
  // implementation detail below
  // ===================================================================
 private:
  struct interleaved_sink {
    Sample* out;
    std::size_t channels;
    void copy(const Sample* src, std::size_t at, std::size_t n) const noexcept {
      std::memcpy(out + at * channels, src, n * channels * sizeof(Sample));
    }
    void silence(std::size_t at, std::size_t n) const noexcept {
      std::memset(out + at * channels, 0, n * channels * sizeof(Sample));
    }
  };
  struct planar_sink {
    Sample* const* out;
    std::size_t channels;
    void copy(const Sample* src, std::size_t at, std::size_t n) const noexcept {
      for (std::size_t c = 0; c < channels; ++c) {
        Sample* dst = out[c] + at;
        for (std::size_t i = 0; i < n; ++i) dst[i] = src[i * channels + c];
      }
    }
    void silence(std::size_t at, std::size_t n) const noexcept {
      for (std::size_t c = 0; c < channels; ++c) std::memset(out[c] + at, 0, n * sizeof(Sample));
    }
  };

  // Single-writer counter bump: relaxed load + store, no locked instruction.
  static void bump(std::atomic<std::uint64_t>& counter, std::uint64_t by = 1) noexcept {
    single_writer_counter<>::add_relaxed(counter, by);
  }

  write_slot try_acquire() noexcept;
  write_slot acquire_until(clock::time_point deadline) noexcept;
  void commit(unsigned half, std::size_t frames, bool end) noexcept;
  void abandon(unsigned half) noexcept;
  bool request_flush() noexcept;
  void poll_sleep(clock::time_point deadline) noexcept;
  bool spin_for_free_half(clock::time_point deadline) noexcept;

  template <class Sink>
  read_result read_impl(const Sink& sink, std::size_t frames) noexcept;
  read_view peek_impl(std::size_t max_frames) noexcept;
  std::size_t consume_impl(std::size_t frames) noexcept;
  bool begin_read() noexcept;
  void finish_read() noexcept;
  bool reader_swap() noexcept;
  void reader_wake() noexcept;
  std::size_t available_impl() noexcept {
    std::size_t n = reader_.front >= 0 ? reader_.front_frames - reader_.front_pos : 0;
    // ready(): an acquire load of the writer's counter (when the cached copy
    // says nothing is queued) makes the half's frame count visible.
    if (handoff_.ready()) n += handoff_.frames_of(reader_.next);
    return n;
  }
  void push_event(event_kind kind, std::uint32_t frames, unsigned half) noexcept {
    if (events_)
      events_->try_push(
          event{kind, static_cast<std::uint8_t>(half), frames, reader_.position, now_ns(), reader_.audio_frames});
  }
  Sample* half_data(unsigned half) const noexcept { return samples_.get() + half * half_stride_; }
  /// The next unplayed frame of the front half (reader; front >= 0).
  Sample* front_data() const noexcept {
    return half_data(unsigned(reader_.front)) + reader_.front_pos * config_.channels;
  }

  // The halves: 64-byte aligned, each starting on a cache line of its own, so
  // the producer filling one half never shares a line with the reader
  // playing the other (nor with anything else on the heap).
  static constexpr std::size_t line_samples = 64 / sizeof(Sample);
  struct aligned_delete {
    void operator()(Sample* p) const noexcept { ::operator delete[](p, std::align_val_t{64}); }
  };

  const config config_;
  std::size_t half_stride_ = 0;  ///< samples from one half's start to the next's (a whole number of lines)
  std::unique_ptr<Sample[], aligned_delete> samples_;
  std::unique_ptr<event_log> events_;
  Handoff handoff_;
  std::atomic<bool> writer_cancel_{false};
  // Typed roles handed out by connect(); cleared by the handles' destructors.
  std::atomic<bool> producer_out_{false};
  std::atomic<bool> consumer_out_{false};

  // Producer-owned state, on its own cache line.
  struct alignas(64) writer_state {
    unsigned next = 0;               ///< half the producer fills next
    bool holding = false;            ///< a slot is out
    bool flush_outstanding = false;  ///< requested a flush, not yet seen applied
    bool ended = false;              ///< committed the end of the stream; no acquire until a flush
    detail::role_guard guard;
    std::atomic<std::uint64_t> halves_committed{0};
    std::atomic<std::uint64_t> frames_committed{0};
    std::atomic<std::int64_t> min_slack_frames{-1};
  } writer_;

  // Real-time-owned state, on its own cache line.
  struct alignas(64) reader_state {
    int front = -1;                  ///< half being played, -1 = none
    unsigned next = 0;               ///< half to take next
    std::size_t front_pos = 0;       ///< frames of the front half already played
    std::size_t front_frames = 0;    ///< frames in the front half
    bool front_end = false;          ///< the front half ends the stream
    bool ended = false;              ///< the end has been played
    bool primed = false;             ///< a half was taken since start/flush
    std::uint64_t position = 0;      ///< frames read, local copy
    std::uint64_t audio_frames = 0;  ///< of those, frames of audio (not silence): the stream position
    detail::role_guard guard;
    // Published to other threads (relaxed; single writer):
    // (frames_read and front_end_position live on the policy's reader line,
    // beside `released`: the producer reads them together.)
    std::atomic<std::uint64_t> underrun_events{0};
    std::atomic<std::uint64_t> underrun_frames{0};
    std::atomic<std::uint64_t> swaps{0};
    std::atomic<std::uint64_t> flushes{0};
    std::atomic<std::uint64_t> lock_busy{0};
    std::atomic<std::uint64_t> wake_posts{0};
    std::atomic<std::uint64_t> wake_syscalls{0};
    std::atomic<std::uint64_t> max_swap_ns{0};
    std::atomic<bool> ended_flag{false};
  } reader_;

  // Layout: each side's state on cache lines of its own (no false sharing
  // between the producer's and the real-time thread's hot fields).
  static_assert(alignof(writer_state) == 64 && sizeof(writer_state) % 64 == 0);
  static_assert(alignof(reader_state) == 64 && sizeof(reader_state) % 64 == 0);
  static_assert(alignof(Handoff) >= 64, "the policy's shared word has a cache line of its own");
  static_assert(std::atomic<std::uint64_t>::is_always_lock_free && std::atomic<bool>::is_always_lock_free);
};

// ===========================================================================

template <class H, class S>
double_buffer<H, S>::double_buffer(const config& cfg) : config_(cfg) {
  if (cfg.half_frames == 0 || cfg.channels == 0)
    throw std::invalid_argument("pingpong::double_buffer: half_frames and channels must be > 0");
  half_stride_ = (cfg.half_frames * cfg.channels + line_samples - 1) / line_samples * line_samples;
  const std::size_t bytes = 2 * half_stride_ * sizeof(S);
  samples_.reset(static_cast<S*>(::operator new[](bytes, std::align_val_t{64})));
  std::memset(samples_.get(), 0, bytes);  // silence, and every page touched now, not on the RT thread
  if (cfg.event_capacity > 0) {
    events_ = std::make_unique<event_log>(cfg.event_capacity);
  }
}

template <class H, class S>
counters double_buffer<H, S>::stats() const noexcept {
  // relaxed: each counter has one writer; a monitor wants recent values.
  constexpr auto r = std::memory_order_relaxed;
  counters c;
  c.frames_read = handoff_.frames_read();
  c.underrun_events = reader_.underrun_events.load(r);
  c.underrun_frames = reader_.underrun_frames.load(r);
  c.swaps = reader_.swaps.load(r);
  c.flushes = reader_.flushes.load(r);
  c.lock_busy = reader_.lock_busy.load(r);
  c.wake_posts = reader_.wake_posts.load(r);
  c.wake_syscalls = reader_.wake_syscalls.load(r);
  c.max_swap_ns = reader_.max_swap_ns.load(r);
  c.events_dropped = events_ ? events_->dropped() : 0;
  return c;
}

template <class H, class S>
writer_counters double_buffer<H, S>::writer_stats() const noexcept {
  constexpr auto r = std::memory_order_relaxed;  // relaxed: single-writer statistics
  return {writer_.halves_committed.load(r), writer_.frames_committed.load(r), writer_.min_slack_frames.load(r)};
}

template <class H, class S>
auto double_buffer<H, S>::connect() noexcept -> std::pair<producer, consumer> {
  // acq_rel: acquire pairs with the release store in a previous handle's
  // destructor (the new owner sees that role's state); release orders
  // nothing of ours but makes the exchange a clean hand-over point.
  const bool got_producer = !producer_out_.exchange(true, std::memory_order_acq_rel);
  const bool got_consumer = !consumer_out_.exchange(true, std::memory_order_acq_rel);
  if (!PINGPONG_EXPECT(got_producer && got_consumer,
                       "connect() while a producer or consumer handle of this buffer exists: one of each per buffer")) {
    // release: gives back what we took; pairs with the acquire above.
    if (got_producer) producer_out_.store(false, std::memory_order_release);
    if (got_consumer) consumer_out_.store(false, std::memory_order_release);
    return {};
  }
  return {producer(this), consumer(this)};
}

template <class H, class S>
void double_buffer<H, S>::cancel_writer() noexcept {
  // release: pairs with the acquire loads in acquire_until()/poll_sleep().
  writer_cancel_.store(true, std::memory_order_release);
  handoff_.wake_writer();  // a producer asleep on the semaphore/condvar re-checks
}

// --- producer side ---------------------------------------------------------

template <class H, class S>
PINGPONG_HOT auto double_buffer<H, S>::try_acquire() noexcept -> write_slot {
  detail::role_guard::scope role(writer_.guard, "two threads used writer() at once; one producer thread only");
  if (!PINGPONG_EXPECT(!writer_.holding, "acquire while a slot is held: commit() or reset() it first")) return {};
  if (writer_.ended) return {};  // the stream is over until a flush starts the next
  if (writer_.flush_outstanding) {
    if (handoff_.flush_pending()) return {};
    writer_.flush_outstanding = false;  // the reader applied it: every half is free
  }
  writer_.next = handoff_.writer_half();
  if (!handoff_.try_claim(writer_.next)) return {};
  writer_.holding = true;
  return write_slot(this, writer_.next, half_data(writer_.next));
}

template <class H, class S>
auto double_buffer<H, S>::acquire_until(clock::time_point deadline) noexcept -> write_slot {
  for (;;) {
    // acquire: pairs with the release store in cancel_writer().
    if (writer_cancel_.load(std::memory_order_acquire)) return {};
    if (auto slot = try_acquire()) return slot;
    if (writer_.holding || writer_.ended || clock::now() >= deadline) return {};
    if (config_.wake == wake_kind::semaphore) {
      if (spin_for_free_half(deadline)) continue;
      (void)handoff_.wait(writer_.next, deadline, writer_cancel_);  // the loop re-checks everything
    } else {
      poll_sleep(deadline);
    }
  }
}

/// Spins (with a CPU pause) up to config.spin_before_sleep for the next half
/// to become claimable; true if it did. Reads the word only (no RMW), so the
/// spinning producer does not take the line away from the reader.
template <class H, class S>
bool double_buffer<H, S>::spin_for_free_half(clock::time_point deadline) noexcept {
  if (config_.spin_before_sleep.count() <= 0) return false;
  const auto until = std::min(deadline, clock::now() + config_.spin_before_sleep);
  for (unsigned turn = 1;; ++turn) {
    detail::cpu_relax();
    // claimable(): loads of the reader's counters (acquire); no store to a
    // shared line. The claim re-checks anyway.
    if (handoff_.claimable()) return true;
    if (turn % 64 == 0) {
      // acquire: pairs with the release store in cancel_writer().
      if (writer_cancel_.load(std::memory_order_acquire) || clock::now() >= until) return false;
    }
  }
}

template <class H, class S>
void double_buffer<H, S>::poll_sleep(clock::time_point deadline) noexcept {
  // The front half runs out when the reader reaches front_end_position.
  // relaxed: an estimate; the claim that follows re-checks with acquire.
  const auto end = static_cast<std::int64_t>(handoff_.front_end_position());
  const auto pos = static_cast<std::int64_t>(handoff_.frames_read());
  auto wait = std::chrono::duration_cast<clock::duration>(config_.poll_floor);
  if (end > pos && config_.sample_rate > 0) {
    const auto due = std::chrono::duration<double>(double(end - pos) / config_.sample_rate);
    wait = std::max(wait, std::chrono::duration_cast<clock::duration>(due));
  }
  const auto now = clock::now();
  std::this_thread::sleep_until(std::min(deadline, now + wait));
}

template <class H, class S>
PINGPONG_HOT void double_buffer<H, S>::commit(unsigned half, std::size_t frames, bool end) noexcept {
  detail::role_guard::scope role(writer_.guard, "two threads used writer() at once; one producer thread only");
  PINGPONG_EXPECT(frames <= config_.half_frames, "commit(frames) with frames > capacity(); clamped");
  frames = std::min(frames, config_.half_frames);
  handoff_.publish(half, frames, end);  // the frame count and end flag travel with the counter
  writer_.holding = false;
  writer_.ended = end;
  writer_.next = half ^ 1u;
  bump(writer_.halves_committed);
  bump(writer_.frames_committed, frames);
  // Slack: frames the reader still had queued ahead of this half. Read
  // after the publish, so that fetching the reader's line does not delay
  // it (relaxed snapshots of the reader's single-writer figures: a
  // statistic, ordered by nothing). The position first, then whether the
  // reader has taken the half meanwhile: if it has, it was waiting for it,
  // and the slack is 0; if not, the position was of the half before. Both
  // err low, by the frames read in the nanoseconds since the publish.
  const auto front_end = static_cast<std::int64_t>(handoff_.front_end_position());
  const auto read_pos = static_cast<std::int64_t>(handoff_.frames_read());
  const std::int64_t queued = handoff_.reader_took_last_published() ? 0 : front_end - read_pos;
  handoff_.writer_refresh();  // same line: the next claim finds its answer cached
  const std::int64_t slack = std::max<std::int64_t>(queued, 0);
  // relaxed: single-writer statistics of our own.
  const std::int64_t least = writer_.min_slack_frames.load(std::memory_order_relaxed);
  if (writer_.halves_committed.load(std::memory_order_relaxed) > 2 && (least < 0 || slack < least))
    writer_.min_slack_frames.store(slack, std::memory_order_relaxed);  // relaxed: statistic
}

template <class H, class S>
void double_buffer<H, S>::abandon(unsigned half) noexcept {
  detail::role_guard::scope role(writer_.guard, "two threads used writer() at once; one producer thread only");
  handoff_.abandon(half);
  writer_.holding = false;
}

template <class H, class S>
bool double_buffer<H, S>::request_flush() noexcept {
  detail::role_guard::scope role(writer_.guard, "two threads used writer() at once; one producer thread only");
  if (!PINGPONG_EXPECT(!writer_.holding, "request_flush() while a slot is held: commit() or reset() it first"))
    return false;
  handoff_.request_flush();
  writer_.flush_outstanding = true;
  writer_.ended = false;
  return true;
}

template <class H, class S>
auto double_buffer<H, S>::write_slot::operator=(write_slot&& other) noexcept -> write_slot& {
  if (this != &other) {
    reset();
    owner_ = std::exchange(other.owner_, nullptr);
    half_ = other.half_;
    data_ = std::exchange(other.data_, nullptr);
  }
  return *this;
}

template <class H, class S>
bool double_buffer<H, S>::write_slot::commit(std::size_t frames, bool end_of_stream) noexcept {
  if (!PINGPONG_EXPECT(owner_ != nullptr, "commit() on an empty slot: check the slot with operator bool")) return false;
  owner_->commit(half_, frames, end_of_stream);
  owner_ = nullptr;
  data_ = nullptr;
  return true;
}

template <class H, class S>
void double_buffer<H, S>::write_slot::reset() noexcept {
  if (owner_ == nullptr) return;
  owner_->abandon(half_);
  owner_ = nullptr;
  data_ = nullptr;
}

// --- real-time side --------------------------------------------------------

template <class H, class S>
PINGPONG_HOT void double_buffer<H, S>::reader_wake() noexcept {
  if (config_.wake != wake_kind::semaphore) return;
  bump(reader_.wake_posts);
  if (handoff_.notify()) bump(reader_.wake_syscalls);
}

/// Releases an exhausted front half and takes the next if it is ready.
/// Returns false if the trylock policy refused.
template <class H, class S>
PINGPONG_HOT bool double_buffer<H, S>::reader_swap() noexcept {
  const int release = reader_.front;
  swap_outcome outcome;
  if constexpr (H::kind == handoff_kind::lockfree) {
    // Wait-free (a load and two stores): not timed; the two clock reads
    // would cost more than the swap. max_swap_ns stays 0.
    outcome = handoff_.reader_swap(release, reader_.next);
  } else {
    // The locked swap may wait for the lock: time it (max_swap_ns).
    const std::int64_t started = now_ns();
    outcome = handoff_.reader_swap(release, reader_.next);
    const auto took_ns = static_cast<std::uint64_t>(now_ns() - started);
    // relaxed: our own single-writer statistic.
    if (took_ns > reader_.max_swap_ns.load(std::memory_order_relaxed))
      reader_.max_swap_ns.store(took_ns, std::memory_order_relaxed);  // relaxed: statistic
  }
  if (!outcome.done) {
    bump(reader_.lock_busy);
    push_event(event_kind::lock_busy, 0, reader_.next);
    return false;
  }
  if (release >= 0) {
    reader_.front = -1;
    if (reader_.front_end) {
      reader_.ended = true;
      push_event(event_kind::end_of_stream, 0, unsigned(release));
    }
    reader_wake();
  }
  if (outcome.took) {
    const unsigned half = reader_.next;
    reader_.front = int(half);
    reader_.next = half ^ 1u;
    reader_.front_pos = 0;
    reader_.front_frames = handoff_.frames_of(half);  // ordered by the acquire in reader_swap
    reader_.front_end = handoff_.end_of(half);
    reader_.ended = false;
    reader_.primed = true;
    // The producer's poll estimate and slack statistic; publishes no data.
    handoff_.set_front_end_position(reader_.position + reader_.front_frames);
    bump(reader_.swaps);
    push_event(event_kind::swap, static_cast<std::uint32_t>(reader_.front_frames), half);
  }
  return true;
}

/// Applies a pending flush. Returns false if the trylock policy refused it
/// (the read is then expected silence).
template <class H, class S>
PINGPONG_HOT bool double_buffer<H, S>::begin_read() noexcept {
  if (!handoff_.reader_flush_requested()) return true;  // acquire: see request_flush()
  if (!handoff_.reader_apply_flush()) {
    bump(reader_.lock_busy);
    return false;
  }
  reader_.front = -1;
  reader_.next = handoff_.reader_half();
  reader_.front_end = false;
  reader_.ended = false;
  reader_.primed = false;
  handoff_.set_front_end_position(reader_.position);  // an estimate
  bump(reader_.flushes);
  push_event(event_kind::flush, 0, 0);
  reader_wake();
  return true;
}

/// Publishes the position and the end flag to observers.
template <class H, class S>
PINGPONG_HOT void double_buffer<H, S>::finish_read() noexcept {
  handoff_.set_frames_read(reader_.position);  // for observers and the poll estimate
  if (reader_.ended != reader_.ended_flag.load(std::memory_order_relaxed)) {
    // release: whoever sees end_of_stream() also sees the final counters.
    reader_.ended_flag.store(reader_.ended, std::memory_order_release);
  }
}

template <class H, class S>
template <class Sink>
read_result double_buffer<H, S>::read_impl(const Sink& sink, std::size_t frames) noexcept {
  detail::role_guard::scope role(reader_.guard, "two threads used reader() at once; one real-time thread only");
  // The common case of a device callback: the front half holds more than
  // this read, no flush is pending. One copy, no swap.
  if (reader_.front >= 0 && frames < reader_.front_frames - reader_.front_pos && !handoff_.reader_flush_requested())
      [[likely]] {
    sink.copy(front_data(), 0, frames);
    reader_.front_pos += frames;
    reader_.position += frames;
    reader_.audio_frames += frames;
    handoff_.set_frames_read(reader_.position);  // nothing else changed: see finish_read()
    return {frames, 0, false, false};
  }
  read_result result;
  const bool flush_waiting = !begin_read();  // trylock refused to apply a flush: expected silence

  std::size_t done = 0;
  // Bounded: each turn copies ≥ 1 frame or swaps; swaps are capped.
  for (std::size_t swaps_left = frames + 2; !flush_waiting && done < frames;) {
    if (reader_.front >= 0) {
      const std::size_t n = std::min(frames - done, reader_.front_frames - reader_.front_pos);
      sink.copy(front_data(), done, n);
      done += n;
      reader_.front_pos += n;
      if (reader_.front_pos < reader_.front_frames) break;  // done == frames
    }
    // The front half is exhausted (or there is none): give it back eagerly
    // so the producer can refill it, and take the next if ready.
    if (swaps_left-- == 0) break;
    if (!reader_swap()) break;     // trylock refused: the rest is an underrun
    if (reader_.front < 0) break;  // next half not ready
  }

  result.frames = done;
  reader_.audio_frames += done;
  if (done < frames) {
    const std::size_t missing = frames - done;
    sink.silence(done, missing);
    result.silence = missing;
    // Silence before the first half (start, after a flush) or after the end
    // is expected; anything else means the producer was late.
    // A refused swap of an exhausted last half is the end arriving late.
    const bool at_end = reader_.ended || (reader_.front >= 0 && reader_.front_end);
    if (!flush_waiting && reader_.primed && !at_end) {
      result.underrun = true;
      bump(reader_.underrun_events);
      bump(reader_.underrun_frames, missing);
      push_event(event_kind::underrun, static_cast<std::uint32_t>(missing), reader_.next);
    }
  }
  reader_.position += frames;
  finish_read();
  result.end_of_stream = reader_.ended;
  return result;
}

template <class H, class S>
auto double_buffer<H, S>::peek_impl(std::size_t max_frames) noexcept -> read_view {
  detail::role_guard::scope role(reader_.guard, "two threads used reader() at once; one real-time thread only");
  read_view view;
  view.channels = config_.channels;
  if (begin_read()) {
    // Bounded: at most three swaps (an exhausted front, an empty end half, the next).
    for (int swaps_left = 3; swaps_left > 0; --swaps_left) {
      if (reader_.front >= 0 && reader_.front_pos < reader_.front_frames) {
        view.data = front_data();
        view.frames = std::min(max_frames, reader_.front_frames - reader_.front_pos);
        break;
      }
      if (!reader_swap()) break;     // trylock refused
      if (reader_.front < 0) break;  // next half not ready
    }
  }
  finish_read();
  view.end_of_stream = view.frames == 0 && reader_.ended;
  return view;
}

template <class H, class S>
std::size_t double_buffer<H, S>::consume_impl(std::size_t frames) noexcept {
  detail::role_guard::scope role(reader_.guard, "two threads used reader() at once; one real-time thread only");
  const std::size_t left = reader_.front >= 0 ? reader_.front_frames - reader_.front_pos : 0;
  if (!PINGPONG_EXPECT(frames <= left, "consume(frames) with more frames than peek() returned; clamped")) frames = left;
  if (frames == 0) return 0;
  reader_.front_pos += frames;
  reader_.position += frames;
  reader_.audio_frames += frames;
  if (reader_.front_pos == reader_.front_frames) (void)reader_swap();  // give the half back at once
  finish_read();
  return frames;
}

}  // namespace pingpong
