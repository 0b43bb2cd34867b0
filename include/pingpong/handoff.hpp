// pingpong handoff policies — how the two halves change hands.
//
// Every policy keeps the same state word: two bits per half plus a flush
// request/acknowledge pair. What differs is how the word is changed:
//
//   lockfree   single atomic RMWs; the real-time side is wait-free
//   mutex      std::mutex + std::condition_variable around each transition
//   mutex_pi   the same with a PTHREAD_PRIO_INHERIT mutex
//   trylock    mutex, but the real-time side only try_lock()s; a refused
//              swap is an underrun
//
// Half states (per half, 2 bits):  free → filling → ready → playing → free
//   writer: free→filling (claim), filling→ready (publish), filling→free (abandon)
//   reader: ready→playing (take), playing→free (release)
// Flush: the writer sets `flush requested != flush acknowledged`; the reader
// applies it (every half → free, acknowledged := requested) in one step.
// The writer never touches a ready or playing half and never changes the
// word while a flush is pending, so the reader's changes need no CAS loop.
//
// The protocol is modelled in include/pingpong/handoff.pml (checked with spin by tests/model/run_spin.sh); names match.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>
#include <type_traits>

#include <cerrno>
#include <string>
#include <system_error>

#include <pthread.h>
#include <time.h>

#include "detail/checks.hpp"
#include "semaphore.hpp"

namespace pingpong {

/// The handoff policies, for run-time selection (see with_handoff()).
enum class handoff_kind { lockfree, mutex, mutex_pi, trylock };

/// How the producer learns that a half became free.
enum class wake_kind {
  semaphore,  ///< the reader posts after each release (a futex wake if the producer sleeps)
  poll,       ///< the producer sleeps until the front half is due to run out; no RT syscall
};

inline constexpr std::string_view to_string(handoff_kind kind) noexcept {
  switch (kind) {
    case handoff_kind::lockfree: return "lockfree";
    case handoff_kind::mutex: return "mutex";
    case handoff_kind::mutex_pi: return "mutex-pi";
    case handoff_kind::trylock: return "trylock";
  }
  return "?";
}

inline constexpr std::string_view to_string(wake_kind kind) noexcept {
  return kind == wake_kind::semaphore ? "semaphore" : "poll";
}

/// Parses "lockfree", "mutex", "mutex-pi" (or "mutex_pi"), "trylock".
inline std::optional<handoff_kind> parse_handoff(std::string_view name) noexcept {
  if (name == "lockfree") return handoff_kind::lockfree;
  if (name == "mutex") return handoff_kind::mutex;
  if (name == "mutex-pi" || name == "mutex_pi") return handoff_kind::mutex_pi;
  if (name == "trylock") return handoff_kind::trylock;
  return std::nullopt;
}

/// Parses "semaphore" or "poll".
inline std::optional<wake_kind> parse_wake(std::string_view name) noexcept {
  if (name == "semaphore") return wake_kind::semaphore;
  if (name == "poll") return wake_kind::poll;
  return std::nullopt;
}

namespace state {
inline constexpr std::uint32_t free = 0;
inline constexpr std::uint32_t filling = 1;
inline constexpr std::uint32_t ready = 2;
inline constexpr std::uint32_t playing = 3;
inline constexpr std::uint32_t flush_requested = 1u << 4;
inline constexpr std::uint32_t flush_acknowledged = 1u << 5;

constexpr unsigned shift(unsigned half) noexcept { return 2 * half; }
constexpr std::uint32_t of(std::uint32_t word, unsigned half) noexcept {
  return (word >> shift(half)) & 3u;
}
constexpr bool flush_pending(std::uint32_t word) noexcept {
  return ((word >> 4) ^ (word >> 5)) & 1u;
}
/// The word after the reader applied a flush: halves free, ack := request.
constexpr std::uint32_t flushed(std::uint32_t word) noexcept {
  const std::uint32_t requested = word & flush_requested;
  return requested | (requested ? flush_acknowledged : 0u);
}
}  // namespace state

/// What the reader's swap did.
struct swap_outcome {
  bool done = true;   ///< false: trylock refused; nothing changed
  bool took = false;  ///< the asked half was ready and is now playing
};

/// The one state machine. Each transition looks at a snapshot of the word
/// and returns the XOR that performs it (0: not allowed / nothing to do).
/// Every policy applies these same functions: `lockfree` with one
/// fetch_xor (store for the flush), the locked policies with a store of
/// `word ^ delta` under their lock. XOR deltas commute: the writer's and the
/// reader's deltas touch disjoint bits, which is why no CAS loop is needed.
namespace transition {
/// Writer: free → filling, unless a flush is pending.
constexpr std::uint32_t claim(std::uint32_t word, unsigned half) noexcept {
  return state::flush_pending(word) || state::of(word, half) != state::free ? 0u
                                                                            : state::filling << state::shift(half);
}
/// Writer: filling → ready.
constexpr std::uint32_t publish(unsigned half) noexcept {
  return (state::filling ^ state::ready) << state::shift(half);
}
/// Writer: filling → free.
constexpr std::uint32_t abandon(unsigned half) noexcept { return state::filling << state::shift(half); }
/// Writer: request a flush (0 if one is pending already).
constexpr std::uint32_t request_flush(std::uint32_t word) noexcept {
  return state::flush_pending(word) ? 0u : state::flush_requested;
}
/// Reader: playing → free for `release_half` (if ≥ 0), ready → playing for
/// `take_half` if it is ready. `took` tells whether the take happened.
constexpr std::uint32_t reader_swap(std::uint32_t word, int release_half, unsigned take_half, bool& took) noexcept {
  std::uint32_t delta = 0;
  if (release_half >= 0) delta |= state::playing << state::shift(unsigned(release_half));
  took = state::of(word, take_half) == state::ready;
  if (took) delta |= (state::ready ^ state::playing) << state::shift(take_half);
  return delta;
}
/// Reader: apply a pending flush (every half free, acknowledged := requested).
constexpr std::uint32_t apply_flush(std::uint32_t word) noexcept { return word ^ state::flushed(word); }

static_assert(claim(0, 1) == state::filling << 2);
static_assert((publish(0) ^ (state::filling)) == state::ready);
static_assert(apply_flush(state::flush_requested | (state::playing << 2)) ==
              ((state::playing << 2) | state::flush_acknowledged));
}  // namespace transition

// ---------------------------------------------------------------------------
// lockfree
// ---------------------------------------------------------------------------

/// One atomic word; the reader's operations are one load and at most one
/// RMW (wait-free); the writer's are a load plus one RMW.
class lockfree {
 public:
  static constexpr handoff_kind kind = handoff_kind::lockfree;
  static_assert(std::atomic<std::uint32_t>::is_always_lock_free);

  /// A snapshot of the word. Thread: any. Wait-free.
  std::uint32_t load() const noexcept {
    // acquire: a writer that sees a half free also sees the reader's last
    // reads of it as done (pairs with the release RMWs in reader_swap /
    // reader_apply_flush); a reader that sees a half ready sees its frames
    // (pairs with the release in publish()).
    return word_.load(std::memory_order_acquire);
  }

  /// Writer: free → filling unless a flush is pending. Thread: producer.
  [[nodiscard]] bool try_claim(unsigned half) noexcept {
    const std::uint32_t delta = transition::claim(load(), half);
    if (delta == 0) return false;
    // relaxed: marks ownership for observers; the acquire load above already
    // ordered our coming writes after the reader's release of this half.
    word_.fetch_xor(delta, std::memory_order_relaxed);
    return true;
  }

  /// Writer: filling → ready. Thread: producer.
  void publish(unsigned half) noexcept {
    // release: publishes the half's frames and its frame count / end flag;
    // pairs with the acquire load in reader_swap().
    word_.fetch_xor(transition::publish(half), std::memory_order_release);
  }

  /// Writer: filling → free (the slot was dropped uncommitted). Thread: producer.
  void abandon(unsigned half) noexcept {
    // relaxed: the reader never saw this half; nothing to publish.
    word_.fetch_xor(transition::abandon(half), std::memory_order_relaxed);
  }

  /// Writer: asks the reader to drop every queued half. Thread: producer.
  void request_flush() noexcept {
    const std::uint32_t delta = transition::request_flush(load());
    if (delta == 0) return;
    // release: orders the writer's earlier word changes before the request;
    // pairs with the acquire load in reader_swap()/reader_apply_flush().
    word_.fetch_xor(delta, std::memory_order_release);
  }

  /// Reader: releases `release_half` (if ≥ 0) and takes `take_half` if it is
  /// ready. Thread: real-time. Wait-free: one load, at most one RMW.
  [[nodiscard]] swap_outcome reader_swap(int release_half, unsigned take_half) noexcept {
    bool took = false;
    const std::uint32_t delta = transition::reader_swap(load(), release_half, take_half, took);  // acquire: see publish()
    // XOR flips exactly our own bits: playing→free, ready→playing. The writer
    // changes only bits of halves it owns, so no CAS loop is needed.
    // release: our reads of the released half happen-before the writer's
    // refill of it (pairs with the acquire load in try_claim()).
    if (delta != 0) word_.fetch_xor(delta, std::memory_order_release);
    return {true, took};
  }

  /// Reader: applies a pending flush. Thread: real-time. Wait-free.
  [[nodiscard]] bool reader_apply_flush() noexcept {
    const std::uint32_t word = load();
    // The writer does not change the word while the flush is pending.
    // release: our reads of the dropped halves happen-before their refill;
    // pairs with the acquire load in try_claim().
    word_.store(word ^ transition::apply_flush(word), std::memory_order_release);
    return true;
  }

  /// Reader: wakes the producer. Returns true if that was a system call.
  /// Thread: real-time. Wait-free.
  bool notify() noexcept { return wake_.post(); }

  /// Writer: sleeps until `half` is free with no flush pending, `cancel` is
  /// set, or the deadline. Returns whether the half is claimable; the caller
  /// re-checks everything. Thread: producer. Blocking.
  bool wait(unsigned half, std::chrono::steady_clock::time_point deadline,
            const std::atomic<bool>& cancel) noexcept {
    const auto claimable = [&] {
      const std::uint32_t word = load();
      return !state::flush_pending(word) && state::of(word, half) == state::free;
    };
    // acquire: pairs with the release store in cancel_writer(). A cancel
    // after this check still wakes us: wake_writer() leaves a post pending.
    if (claimable() || cancel.load(std::memory_order_acquire)) return claimable();
    wake_.wait_until(deadline);
    return claimable();
  }

  /// Wakes a waiting writer so it re-checks its cancel flag. Thread: any.
  void wake_writer() noexcept { wake_.post(); }

  /// Lab interface (load scenarios, tests): runs `stall` where a producer
  /// that stalls "inside the handoff" would. lockfree has no critical
  /// section, so it just runs it and returns false. Thread: producer.
  template <class F>
  bool lab_stall_inside(F&& stall) {
    stall();
    return false;
  }

 private:
  alignas(64) std::atomic<std::uint32_t> word_{0};
  alignas(64) wake_semaphore wake_;
};
static_assert(alignof(lockfree) == 64, "the word and the semaphore each own a cache line");

// ---------------------------------------------------------------------------
// locked policies
// ---------------------------------------------------------------------------

namespace detail {

/// A pthread mutex with priority inheritance and a monotonic condvar.
/// Every pthread call's result is checked: the constructor throws
/// std::system_error if priority inheritance (or the monotonic clock) is not
/// available, instead of silently running without it; a failing lock or
/// unlock at run time is reported as misuse (it means the lock is broken or
/// used from the wrong thread).
class pi_lock {
 public:
  pi_lock() {
    pthread_mutexattr_t attr;
    check(pthread_mutexattr_init(&attr), "pthread_mutexattr_init");
    int rc = pthread_mutexattr_setprotocol(&attr, PTHREAD_PRIO_INHERIT);
    if (rc == 0) rc = pthread_mutex_init(&mutex_, &attr);
    pthread_mutexattr_destroy(&attr);
    check(rc, "PTHREAD_PRIO_INHERIT mutex");
    pthread_condattr_t cattr;
    rc = pthread_condattr_init(&cattr);
    if (rc == 0) {
      rc = pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
      if (rc == 0) rc = pthread_cond_init(&cond_, &cattr);
      pthread_condattr_destroy(&cattr);
    }
    if (rc != 0) {
      pthread_mutex_destroy(&mutex_);
      check(rc, "CLOCK_MONOTONIC condition variable");
    }
  }
  ~pi_lock() {
    pthread_cond_destroy(&cond_);
    pthread_mutex_destroy(&mutex_);
  }
  pi_lock(const pi_lock&) = delete;
  pi_lock& operator=(const pi_lock&) = delete;

  void lock() noexcept {
    const int rc = pthread_mutex_lock(&mutex_);
    (void)PINGPONG_EXPECT(rc == 0, "pthread_mutex_lock failed on the PI mutex (EDEADLK: this thread holds it already)");
  }
  [[nodiscard]] bool try_lock() noexcept {
    const int rc = pthread_mutex_trylock(&mutex_);
    if (rc == 0) return true;
    (void)PINGPONG_EXPECT(rc == EBUSY, "pthread_mutex_trylock failed on the PI mutex");
    return false;
  }
  void unlock() noexcept {
    const int rc = pthread_mutex_unlock(&mutex_);
    (void)PINGPONG_EXPECT(rc == 0, "pthread_mutex_unlock failed on the PI mutex (EPERM: not the owner)");
  }
  void notify_one() noexcept { pthread_cond_signal(&cond_); }  // cannot fail on an initialised condvar
  /// Called with the lock held; returns with it held.
  void wait_until(std::chrono::steady_clock::time_point deadline) noexcept {
    int rc = 0;
    if (deadline == std::chrono::steady_clock::time_point::max()) {
      rc = pthread_cond_wait(&cond_, &mutex_);
    } else {
      const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline.time_since_epoch()).count();
      timespec abs{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
      rc = pthread_cond_timedwait(&cond_, &mutex_, &abs);  // steady_clock is CLOCK_MONOTONIC
    }
    (void)PINGPONG_EXPECT(rc == 0 || rc == ETIMEDOUT, "pthread_cond_wait failed on the PI condvar");
  }

 private:
  static void check(int rc, const char* what) {
    if (rc != 0) throw std::system_error(rc, std::generic_category(), std::string("pingpong::mutex_pi: ") + what);
  }
  pthread_mutex_t mutex_;
  pthread_cond_t cond_;
};

/// std::mutex + std::condition_variable behind the same face.
class std_lock {
 public:
  void lock() noexcept { mutex_.lock(); }
  [[nodiscard]] bool try_lock() noexcept { return mutex_.try_lock(); }
  void unlock() noexcept { mutex_.unlock(); }
  void notify_one() noexcept { cond_.notify_one(); }
  void wait_until(std::chrono::steady_clock::time_point deadline) noexcept {
    std::unique_lock<std::mutex> held(mutex_, std::adopt_lock);
    if (deadline == std::chrono::steady_clock::time_point::max()) {
      cond_.wait(held);
    } else {
      cond_.wait_until(held, deadline);
    }
    held.release();  // still locked; the caller unlocks
  }

 private:
  std::mutex mutex_;
  std::condition_variable cond_;
};

/// The word changes under a lock. The word stays an atomic so that any
/// thread may take a snapshot without the lock. Loads under the lock are
/// relaxed (the lock orders them); stores are release, so that a lock-free
/// acquire load() — observers, the reader's flush check, available() — that
/// sees a change also sees what was written before it (a half's samples and
/// frame count before publish()).
template <class Lock, bool RealtimeTryLock, handoff_kind Kind>
class locked_handoff {
 public:
  static constexpr handoff_kind kind = Kind;

  std::uint32_t load() const noexcept {
    // acquire: a lock-free snapshot for observers, the reader's per-call
    // flush check and available(); pairs with the release stores below.
    return word_.load(std::memory_order_acquire);
  }

  // Each transition: under the lock, a relaxed load (the lock orders it), the
  // shared transition function, then a release store of `word ^ delta` (see
  // load(): a lock-free observer that sees the change sees what preceded it).
  [[nodiscard]] bool try_claim(unsigned half) noexcept {
    std::lock_guard held(lock_);
    return apply(transition::claim(word_.load(std::memory_order_relaxed), half)) != 0;  // relaxed: under the lock
  }

  void publish(unsigned half) noexcept {
    // release (in apply): publishes the frames and frame count to a lock-free
    // acquire load() (available()); the reader's swap gets them through the lock.
    std::lock_guard held(lock_);
    apply(transition::publish(half));
  }

  void abandon(unsigned half) noexcept {
    std::lock_guard held(lock_);
    apply(transition::abandon(half));
  }

  void request_flush() noexcept {
    std::lock_guard held(lock_);
    apply(transition::request_flush(word_.load(std::memory_order_relaxed)));  // relaxed: under the lock
  }

  [[nodiscard]] swap_outcome reader_swap(int release_half, unsigned take_half) noexcept {
    if (!lock_for_reader()) return {false, false};
    bool took = false;
    apply(transition::reader_swap(word_.load(std::memory_order_relaxed), release_half, take_half, took));  // relaxed: under the lock
    lock_.unlock();
    return {true, took};
  }

  [[nodiscard]] bool reader_apply_flush() noexcept {
    if (!lock_for_reader()) return false;
    apply(transition::apply_flush(word_.load(std::memory_order_relaxed)));  // relaxed: under the lock
    lock_.unlock();
    return true;
  }

  /// Signals the condition variable (a syscall only if the producer waits;
  /// the policy cannot tell which, so it returns false).
  bool notify() noexcept {
    lock_.notify_one();
    return false;
  }

  bool wait(unsigned half, std::chrono::steady_clock::time_point deadline,
            const std::atomic<bool>& cancel) noexcept {
    std::lock_guard held(lock_);
    for (;;) {
      const std::uint32_t word = word_.load(std::memory_order_relaxed);  // relaxed: under the lock
      if (!state::flush_pending(word) && state::of(word, half) == state::free) return true;
      // relaxed: wake_writer() stores nothing but takes the lock, so a cancel
      // set before it is visible here, under the same lock.
      if (cancel.load(std::memory_order_relaxed)) return false;
      if (std::chrono::steady_clock::now() >= deadline) return false;
      lock_.wait_until(deadline);
    }
  }

  /// Wakes a waiting writer so it re-checks its cancel flag. Taking the lock
  /// closes the window between the writer's check and its sleep.
  /// Thread: any but real-time (it locks).
  void wake_writer() noexcept {
    { std::lock_guard held(lock_); }
    lock_.notify_one();
  }

  /// Lab interface (load scenarios, tests): runs `stall` inside the critical
  /// section, as a producer that decodes or page-faults while holding the
  /// lock would; returns true. Thread: producer (never the real-time thread).
  template <class F>
  bool lab_stall_inside(F&& stall) {
    std::lock_guard held(lock_);
    stall();
    return true;
  }

  /// The lock itself. Deprecated in favour of lab_stall_inside(); kept until
  /// the player's stall injection switches.
  Lock& native_lock() noexcept { return lock_; }

 private:
  bool lock_for_reader() noexcept {
    if constexpr (RealtimeTryLock) {
      return lock_.try_lock();
    } else {
      lock_.lock();
      return true;
    }
  }
  /// Under the lock: applies `delta` (0: nothing) and returns it.
  std::uint32_t apply(std::uint32_t delta) noexcept {
    // relaxed load: under the lock. release store: see load().
    if (delta != 0) word_.store(word_.load(std::memory_order_relaxed) ^ delta, std::memory_order_release);
    return delta;
  }

  alignas(64) std::atomic<std::uint32_t> word_{0};
  alignas(64) Lock lock_;
};

}  // namespace detail

/// std::mutex + condition variable; the fill happens outside the lock.
using mutex = detail::locked_handoff<detail::std_lock, false, handoff_kind::mutex>;
/// A PTHREAD_PRIO_INHERIT mutex + condition variable.
using mutex_pi = detail::locked_handoff<detail::pi_lock, false, handoff_kind::mutex_pi>;
/// The real-time side only try_lock()s; a refused swap is an underrun.
using trylock = detail::locked_handoff<detail::std_lock, true, handoff_kind::trylock>;

static_assert(alignof(mutex) == 64 && alignof(mutex_pi) == 64 && alignof(trylock) == 64,
              "the word and the lock each own a cache line");

/// Calls `f(std::type_identity<Policy>{})` with the policy named by `kind`.
template <class F>
decltype(auto) with_handoff(handoff_kind kind, F&& f) {
  switch (kind) {
    case handoff_kind::mutex: return f(std::type_identity<mutex>{});
    case handoff_kind::mutex_pi: return f(std::type_identity<mutex_pi>{});
    case handoff_kind::trylock: return f(std::type_identity<trylock>{});
    case handoff_kind::lockfree: break;
  }
  return f(std::type_identity<lockfree>{});
}

}  // namespace pingpong
