// pingpong telemetry — real-time-safe counters and an event log.
//
// The real-time side only ever does relaxed stores/RMWs on counters it owns
// and try_enqueue() into a preallocated moodycamel::ConcurrentQueue through
// an explicit producer token: no allocation, no lock, no system call. When
// the log is full the event is counted as dropped, never allocated.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include <concurrentqueue/concurrentqueue.h>

namespace pingpong {

enum class event_kind : std::uint8_t {
  underrun,       ///< the callback needed frames that were not published; `frames` = silence
  swap,           ///< the reader took a new half; `frames` = frames in it
  flush,          ///< the reader applied a flush request
  end_of_stream,  ///< the last published frame was played
  lock_busy,      ///< trylock only: the swap lock was held by the producer
};

inline const char* to_string(event_kind kind) noexcept {
  switch (kind) {
    case event_kind::underrun:
      return "underrun";
    case event_kind::swap:
      return "swap";
    case event_kind::flush:
      return "flush";
    case event_kind::end_of_stream:
      return "end_of_stream";
    case event_kind::lock_busy:
      return "lock_busy";
  }
  return "?";
}

/// One thing that happened on the real-time side.
struct event {
  event_kind kind{};
  std::uint8_t half = 0;       ///< which half (0 or 1), where it applies
  std::uint32_t frames = 0;    ///< see event_kind
  std::uint64_t position = 0;  ///< reader position at the start of the read call (silence included)
  std::int64_t time_ns = 0;    ///< steady_clock, nanoseconds since its epoch
  /// Frames of audio (silence not counted) the reader had delivered when it
  /// happened: the place in the stream (an underrun: where the gap falls).
  std::uint64_t stream_position = 0;
};

/// steady_clock in nanoseconds. On Linux this is a vDSO read, not a system call.
inline std::int64_t now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

#if defined(__SANITIZE_THREAD__)
#define PINGPONG_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PINGPONG_TSAN 1
#endif
#endif
#ifdef PINGPONG_TSAN
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#endif

/// A bounded, preallocated event log: one real-time producer, one consumer.
class event_log {
 public:
  /// Allocates room for at least `capacity` events. Thread: control.
  explicit event_log(std::size_t capacity) : queue_(std::max<std::size_t>(capacity, 1), 1, 0), token_(queue_) {}

  event_log(const event_log&) = delete;
  event_log& operator=(const event_log&) = delete;

  /// Records an event, or counts it as dropped when the log is full.
  /// Thread: the one real-time producer. Wait-free in practice (bounded
  /// work, no allocation: try_enqueue never allocates).
  bool try_push(const event& e) noexcept {
#ifdef PINGPONG_TSAN
    // ConcurrentQueue reuses a block the consumer emptied after relaxed
    // loads of its empty flags and an acquire fence, which ThreadSanitizer
    // does not model: told here instead that every pop happens-before the
    // pushes after it (the queue's own guarantee), so the reused slot's copy
    // is not reported as a race (nor stalls the callback while TSan
    // symbolises a report to match a suppression).
    __tsan_acquire(&queue_);
#endif
    if (queue_.try_enqueue(token_, e)) return true;
    // relaxed: a statistic, read by the monitor.
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }

  /// Takes the oldest event. Thread: the one consumer (monitor). Lock-free.
  bool try_pop(event& out) noexcept {
    const bool got = queue_.try_dequeue_from_producer(token_, out);
#ifdef PINGPONG_TSAN
    if (got) __tsan_release(&queue_);  // see try_push()
#endif
    return got;
  }

  /// Events lost because the log was full. Thread: any.
  std::uint64_t dropped() const noexcept {
    // relaxed: a statistic.
    return dropped_.load(std::memory_order_relaxed);
  }

 private:
  moodycamel::ConcurrentQueue<event> queue_;
  moodycamel::ProducerToken token_;
  std::atomic<std::uint64_t> dropped_{0};
};

/// A snapshot of the reader's counters.
struct counters {
  std::uint64_t frames_read = 0;      ///< frames handed to the device, silence included
  std::uint64_t underrun_events = 0;  ///< read calls that had to insert silence
  std::uint64_t underrun_frames = 0;  ///< silent frames inserted for those
  std::uint64_t swaps = 0;            ///< halves taken by the reader
  std::uint64_t flushes = 0;          ///< flush requests applied
  std::uint64_t lock_busy = 0;        ///< trylock: swaps refused because the lock was held
  std::uint64_t wake_posts = 0;       ///< semaphore wake: posts made by the reader
  std::uint64_t wake_syscalls = 0;    ///< ... of which entered the kernel (producer asleep)
  std::uint64_t events_dropped = 0;   ///< events lost because the log was full
  std::uint64_t max_swap_ns = 0;      ///< longest swap on the real-time side (lock waits included); locked policies
                                      ///< only: lockfree's wait-free swap is not timed (0)
};

/// A statistic one thread writes and any thread reads: the one definition of
/// that pattern (the buffer's counters, the callback timer, the player's
/// figures and histograms all use it).
/// relaxed everywhere: readers want a recent value, not an ordering with
/// other memory; a load and a store instead of a read-modify-write, so no
/// locked instruction on the writer's side.
template <class T = std::uint64_t>
class single_writer_counter {
 public:
  constexpr single_writer_counter(T initial = T{}) noexcept : value_(initial) {}
  /// Thread: the one writer. Wait-free.
  void add(T by = T{1}) noexcept { add_relaxed(value_, by); }
  /// Thread: the one writer. Wait-free.
  void set(T v) noexcept { value_.store(v, std::memory_order_relaxed); }
  /// Keeps the larger of the value and `v`. Thread: the one writer. Wait-free.
  void raise_to(T v) noexcept {
    if (v > value_.load(std::memory_order_relaxed)) value_.store(v, std::memory_order_relaxed);
  }
  /// Keeps the smaller. Thread: the one writer. Wait-free.
  void lower_to(T v) noexcept {
    if (v < value_.load(std::memory_order_relaxed)) value_.store(v, std::memory_order_relaxed);
  }
  /// Thread: any. Wait-free. A recent value; orders nothing else.
  T load() const noexcept { return value_.load(std::memory_order_relaxed); }

  /// The same for a plain atomic the owner keeps in a struct of its own.
  static void add_relaxed(std::atomic<T>& counter, T by = T{1}) noexcept {
    counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
  }

 private:
  static_assert(std::atomic<T>::is_always_lock_free, "a counter the real-time thread writes must be lock-free");
  std::atomic<T> value_;
};

/// Timing of the device callback, kept by the callback itself.
/// Single writer (the real-time thread); any thread may read.
class callback_timer {
 public:
  /// `period_ns`: the callback's budget; longer callbacks are deadline misses.
  explicit callback_timer(std::int64_t period_ns = 0) noexcept : period_ns_(period_ns) {}

  void set_period_ns(std::int64_t period_ns) noexcept { period_ns_ = period_ns; }

  /// Records one callback that ran from `start_ns` to `end_ns`.
  /// Thread: real-time. Wait-free (relaxed loads/stores of its own counters).
  void record(std::int64_t start_ns, std::int64_t end_ns) noexcept {
    const std::int64_t took = end_ns - start_ns;
    callbacks_.add();
    max_ns_.raise_to(took);
    if (period_ns_ > 0 && took > period_ns_) deadline_misses_.add();
  }

  std::uint64_t callbacks() const noexcept { return callbacks_.load(); }
  std::int64_t max_ns() const noexcept { return max_ns_.load(); }
  std::uint64_t deadline_misses() const noexcept { return deadline_misses_.load(); }

 private:
  std::int64_t period_ns_;
  single_writer_counter<> callbacks_;
  single_writer_counter<std::int64_t> max_ns_;
  single_writer_counter<> deadline_misses_;
};

/// RAII helper for a callback body: `pingpong::timed_scope t(timer);`
class timed_scope {
 public:
  explicit timed_scope(callback_timer& timer) noexcept : timer_(timer), start_(now_ns()) {}
  ~timed_scope() { timer_.record(start_, now_ns()); }
  timed_scope(const timed_scope&) = delete;
  timed_scope& operator=(const timed_scope&) = delete;

 private:
  callback_timer& timer_;
  std::int64_t start_;
};

}  // namespace pingpong
