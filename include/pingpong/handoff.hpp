// pingpong handoff policies — how the two halves change hands.
//
// One state machine for every policy (class detail::handoff_impl): each
// side owns a monotonic counter on a cache line of its own and keeps a
// cached copy of the other side's, as SPSC ring buffers do —
//
//   writer line: published   halves published so far (the writer alone stores it)
//                released'   the writer's cached copy of `released`
//   reader line: released    halves given back so far (the reader alone stores it)
//                taken       halves taken so far (the reader's)
//                the reader's position (frames read, where the front half
//                runs out): statistics the writer reads with `released`
//   reader's own: published' the reader's cached copy of `published`
//   flush line:  flush_req   flush requests made (writer), flush_ack applied (reader);
//                read by both on every call, written only at a flush
//
// The k-th half published is half k % 2. The writer may fill the next half
// while published - released < 2 and no flush is pending (flush_req !=
// flush_ack); the reader may take the next while taken < published. Each
// counter has one writer, so no operation is a read-modify-write: a publish
// is one release store, a take one acquire load (usually of the cached
// copy: none), a release one release store. A flush is an epoch: the writer
// bumps flush_req; the reader drops every half (taken = released =
// published) and acknowledges (flush_ack := flush_req); until then the
// writer does not claim, so `published` cannot move under the reader.
//
//   lockfree   the counters are atomics; the real-time side is wait-free
//   mutex      the same transitions under a std::mutex; condvar wake
//   mutex_pi   the same with a PTHREAD_PRIO_INHERIT mutex
//   trylock    mutex, but the real-time side only try_lock()s; a refused
//              swap is an underrun
//
// v1 kept one state word (2 bits per half) that both sides changed with
// RMWs; measured against this layout in tests/bench (README), it lost.
//
// The protocol is modelled in include/pingpong/handoff.pml (checked with
// spin by tests/model/run_spin.sh); names match.
#pragma once

#include <pingpong/detail/realtime.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
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
    case handoff_kind::lockfree:
      return "lockfree";
    case handoff_kind::mutex:
      return "mutex";
    case handoff_kind::mutex_pi:
      return "mutex-pi";
    case handoff_kind::trylock:
      return "trylock";
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
/// Half states, as half_state() reports them (for display and tests).
inline constexpr std::uint32_t free = 0;
inline constexpr std::uint32_t filling = 1;
inline constexpr std::uint32_t ready = 2;
inline constexpr std::uint32_t playing = 3;
}  // namespace state

/// What the reader's swap did.
struct swap_outcome {
  bool done = true;   ///< false: trylock refused; nothing changed
  bool took = false;  ///< the next half was ready and is now playing
};

// ---------------------------------------------------------------------------
// the locks, and the one state machine
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

/// No lock: the lockfree policy. Its wake is the futex semaphore.
struct no_lock {};

/// The one state machine (see the top of this file), applied by every
/// policy. `Lock` = no_lock: plain atomics, wait-free on both sides (the
/// writer's wait() excepted). Otherwise every transition runs under `Lock`
/// (the reader only try_lock()s when RealtimeTryLock) and the wake is the
/// lock's condition variable. The atomics and their orders are the same in
/// both cases: under a lock they are redundant but harmless, and they let
/// observers (half_state(), available()) read without the lock.
template <class Lock, bool RealtimeTryLock, handoff_kind Kind>
class handoff_impl {
  static constexpr bool locked = !std::is_same_v<Lock, no_lock>;

 public:
  static constexpr handoff_kind kind = Kind;

  // --- writer (producer thread) -------------------------------------------

  /// The half the writer fills next (published % 2). Thread: producer.
  unsigned writer_half() const noexcept {
    return unsigned(w_.published.load(std::memory_order_relaxed) & 1u);
  }  // relaxed: own counter

  /// True while a flush request is not yet applied. Thread: producer (any, as a snapshot).
  [[nodiscard]] bool flush_pending() const noexcept {
    // relaxed: flush_req has one writer (the producer); acquire on
    // flush_ack: pairs with the release store in reader_apply_flush(), so a
    // writer that sees the flush applied also sees `released` = published.
    return f_.flush_req.load(std::memory_order_relaxed) != f_.flush_ack.load(std::memory_order_acquire);
  }

  /// Whether the writer could claim now (no flush pending, a half free).
  /// Reads the reader's counter only when the cached copy says "full".
  /// Thread: producer. Wait-free.
  [[nodiscard]] bool claimable() noexcept {
    if (flush_pending()) return false;
    const std::uint64_t published = w_.published.load(std::memory_order_relaxed);  // relaxed: own counter
    if (published - wp_.released_seen < 2) return true;
    // acquire: pairs with the release stores of `released` in reader_swap()
    // and reader_apply_flush(): the reader's last reads of the half we will
    // refill happen-before our writes to it.
    wp_.released_seen = r_.released.load(std::memory_order_acquire);
    return published - wp_.released_seen < 2;
  }

  /// Writer: claims `half` (which must be writer_half()) if it is free and
  /// no flush is pending. Thread: producer. Lock-free: loads only.
  [[nodiscard]] bool try_claim(unsigned half) noexcept {
    guard held(*this);
    if (!claimable() || half != writer_half()) return false;
    // relaxed: for observers (half_state) only.
    wp_.filling.store(true, std::memory_order_relaxed);
    return true;
  }

  /// Writer: the claimed half is published with its frame count and end
  /// flag. Thread: producer.
  void publish(unsigned half, std::size_t frames, bool end) noexcept {
    guard held(*this);
    wp_.filling.store(false, std::memory_order_relaxed);  // relaxed: observers only
    // Plain stores: the reader reads them only after the acquire load of
    // `published` below, and we write half h's only after the reader's
    // release of h (claimable()). Same line as `published`: one transfer.
    w_.meta[half & 1u] = {frames, end};
    // release: publishes the half's frames and its frame count / end flag;
    // pairs with the acquire load of `published` in reader_swap()/ready().
    w_.published.store(w_.published.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  }

  /// Writer, after a publish: refreshes the cached copy of `released` (the
  /// line is fetched for the slack statistic anyway), so that the next
  /// claim usually needs no load of the reader's line on its way.
  /// Thread: producer. Wait-free.
  void writer_refresh() noexcept {
    // acquire: as in claimable(): pairs with the reader's release stores of
    // `released`; its reads of a half happen-before our refill of it.
    wp_.released_seen = r_.released.load(std::memory_order_acquire);
  }

  /// The frame count / end flag published with `half`. Thread: real-time,
  /// after ready() or a take saw it published.
  std::size_t frames_of(unsigned half) const noexcept { return w_.meta[half & 1u].frames; }
  bool end_of(unsigned half) const noexcept { return w_.meta[half & 1u].end; }

  /// Writer: the claimed half is given back unpublished. Nothing is shared.
  void abandon(unsigned /*half*/) noexcept {
    guard held(*this);
    wp_.filling.store(false, std::memory_order_relaxed);  // relaxed: observers only
  }

  /// Writer: asks the reader to drop every queued half (no slot held).
  void request_flush() noexcept {
    guard held(*this);
    if (flush_pending()) return;
    // release: pairs with the acquire load in reader_flush_requested(); the
    // reader applying it sees every publish made before the request.
    f_.flush_req.store(f_.flush_req.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  }

  // --- reader (real-time thread) ------------------------------------------

  /// The half the reader takes next (taken % 2). Thread: real-time.
  unsigned reader_half() const noexcept {
    return unsigned(r_.taken.load(std::memory_order_relaxed) & 1u);
  }  // relaxed: own counter

  /// Whether the next half is published (for available()). Thread: real-time. Wait-free.
  [[nodiscard]] bool ready() noexcept {
    const std::uint64_t taken = r_.taken.load(std::memory_order_relaxed);  // relaxed: own counter
    if (taken < rp_.published_seen) return true;
    // acquire: pairs with the release store in publish(): the half's frames
    // and its frame count are visible.
    rp_.published_seen = w_.published.load(std::memory_order_acquire);
    return taken < rp_.published_seen;
  }

  /// A flush was requested and not yet applied. Thread: real-time. Wait-free.
  [[nodiscard]] bool reader_flush_requested() const noexcept {
    // acquire: pairs with the release store in request_flush().
    return f_.flush_req.load(std::memory_order_acquire) !=
           f_.flush_ack.load(std::memory_order_relaxed);  // relaxed: own
  }

  /// Reader: gives back the front half (if `release_front`) and takes the
  /// next if it is published. Thread: real-time. Wait-free with lockfree:
  /// at most one acquire load and two release stores, no RMW.
  [[nodiscard]] swap_outcome reader_swap(int release_front, unsigned /*take_half*/) noexcept {
    guard held(*this, reader_role);
    if (!held) return {false, false};
    if (release_front >= 0) {
      // release: our reads of the released half happen-before the writer's
      // refill (pairs with the acquire load of `released` in claimable()).
      r_.released.store(r_.released.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    }
    const bool took = ready();
    // relaxed: `taken` is ours; observers (half_state) read it as a snapshot.
    if (took) r_.taken.store(r_.taken.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    return {true, took};
  }

  /// Reader: applies a pending flush: every half free, acknowledged.
  /// Returns false if trylock refused. Thread: real-time. Wait-free.
  [[nodiscard]] bool reader_apply_flush() noexcept {
    guard held(*this, reader_role);
    if (!held) return false;
    // acquire: pairs with publish(); the writer does not publish while the
    // flush is pending, so this is the final count to drop.
    const std::uint64_t published = w_.published.load(std::memory_order_acquire);
    rp_.published_seen = published;
    r_.taken.store(published, std::memory_order_relaxed);  // relaxed: ours; observers only
    // release: our reads of the dropped halves happen-before their refill
    // (pairs with the acquire load in claimable()).
    r_.released.store(published, std::memory_order_release);
    // release: pairs with the acquire load in flush_pending(): a writer that
    // sees the flush applied also sees `released` above.
    f_.flush_ack.store(f_.flush_req.load(std::memory_order_relaxed),
                       std::memory_order_release);  // relaxed: ordered by the acquire in reader_flush_requested()
    return true;
  }

  // --- the reader's position (a statistic; orders nothing) -------------------

  /// Reader: frames read so far. Thread: real-time. Wait-free.
  void set_frames_read(std::uint64_t frames) noexcept {
    // relaxed: a single-writer position for observers and the poll estimate.
    r_.frames_read.store(frames, std::memory_order_relaxed);
  }
  /// Reader: the position at which the front half runs out. Thread: real-time.
  void set_front_end_position(std::uint64_t frames) noexcept {
    r_.front_end_position.store(frames, std::memory_order_relaxed);  // relaxed: an estimate
  }
  /// Thread: any. Relaxed snapshots of the reader's single-writer figures.
  std::uint64_t frames_read() const noexcept { return r_.frames_read.load(std::memory_order_relaxed); }
  std::uint64_t front_end_position() const noexcept {
    return r_.front_end_position.load(std::memory_order_relaxed);  // relaxed: an estimate
  }
  /// Writer, just after publish(): whether the reader has already taken
  /// that half (then it was waiting for it). Thread: producer. Relaxed
  /// snapshot, for the slack statistic only.
  bool reader_took_last_published() const noexcept {
    return r_.taken.load(std::memory_order_relaxed) >= w_.published.load(std::memory_order_relaxed);
  }

  // --- wake ---------------------------------------------------------------

  /// Reader: wakes the producer after a release. Returns true if that was a
  /// system call (lockfree: the futex semaphore's wake; locked: the condvar
  /// signal, which the policy cannot see, so false). Thread: real-time.
  bool notify() noexcept {
    if constexpr (locked) {
      // The locked policies' condvar signal (a futex wake inside glibc when
      // the producer waits): by design, as their lock; see guard.
      const detail::rtsan_allowed by_design;
      lock_.notify_one();
      return false;
    } else {
      return wake_.post();
    }
  }

  /// Writer: sleeps until a half is claimable, `cancel` is set, or the
  /// deadline. Returns whether a half is claimable; the caller re-checks.
  /// Thread: producer. Blocking.
  [[nodiscard]] bool wait(unsigned /*half*/, std::chrono::steady_clock::time_point deadline,
                          const std::atomic<bool>& cancel) noexcept {
    if constexpr (locked) {
      std::lock_guard held(lock_);
      for (;;) {
        if (claimable()) return true;
        // relaxed: wake_writer() takes the lock, so a cancel set before it is
        // visible here, under the same lock.
        if (cancel.load(std::memory_order_relaxed)) return false;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        lock_.wait_until(deadline);
      }
    } else {
      // acquire: pairs with the release store in cancel_writer(). A cancel
      // after this check still wakes us: wake_writer() leaves a post pending.
      if (claimable() || cancel.load(std::memory_order_acquire)) return claimable();
      (void)wake_.wait_until(deadline);
      return claimable();
    }
  }

  /// Wakes a waiting writer so it re-checks its cancel flag. Thread: any
  /// (locked policies: any but real-time, it locks).
  void wake_writer() noexcept {
    if constexpr (locked) {
      { std::lock_guard held(lock_); }  // closes the window between the writer's check and its sleep
      lock_.notify_one();
    } else {
      (void)wake_.post();
    }
  }

  // --- observers ----------------------------------------------------------

  /// The state of `half`, from snapshots of the counters. Thread: any.
  std::uint32_t half_state(unsigned half) const noexcept {
    // relaxed: a display snapshot; may be momentarily inconsistent.
    const std::uint64_t published = w_.published.load(std::memory_order_relaxed);
    const std::uint64_t released = r_.released.load(std::memory_order_relaxed);
    const std::uint64_t taken = r_.taken.load(std::memory_order_relaxed);
    if (wp_.filling.load(std::memory_order_relaxed) && (published & 1u) == half) return state::filling;
    for (std::uint64_t k = released; k < published && k < released + 2; ++k)
      if ((k & 1u) == half) return k < taken ? state::playing : state::ready;
    return state::free;
  }

  /// Lab interface (load scenarios, tests): runs `stall` inside the critical
  /// section, as a producer that decodes or page-faults while holding the
  /// lock would; returns true. lockfree has none: it runs `stall` and
  /// returns false. Thread: producer (never the real-time thread).
  template <class F>
  bool lab_stall_inside(F&& stall) {
    if constexpr (locked) {
      std::lock_guard held(lock_);
      stall();
      return true;
    } else {
      stall();
      return false;
    }
  }

 private:
  static constexpr bool reader_role = true;
  /// Holds the lock for one transition (nothing for lockfree); the reader's
  /// side only try_lock()s with trylock. `operator bool`: held (or no lock).
  class guard {
   public:
    explicit guard(handoff_impl& h, bool reader = false) noexcept : h_(h) {
      if constexpr (locked) {
        // The locked policies lock on the real-time thread: that is what
        // they are, the baseline `pingpong compare` measures lockfree
        // against. RealtimeSanitizer is told so here, and only here (the
        // lock calls are counted: lock_busy, the RT-safety tests); lockfree
        // has no lock and is checked in full.
        const detail::rtsan_allowed by_design;
        if (reader && RealtimeTryLock) {
          held_ = h_.lock_.try_lock();
        } else {
          h_.lock_.lock();
          held_ = true;
        }
      }
    }
    ~guard() {
      if constexpr (locked) {
        const detail::rtsan_allowed by_design;  // see the constructor
        if (held_) h_.lock_.unlock();
      }
    }
    guard(const guard&) = delete;
    guard& operator=(const guard&) = delete;
    explicit operator bool() const noexcept { return !locked || held_; }

   private:
    handoff_impl& h_;
    bool held_ = false;
  };

  // Each side: one line the other side polls (its counter, stored once per
  // half), one line nobody else touches in the hot path (its cached copy of
  // the other's counter, and what only observers read).
  struct half_meta {
    std::size_t frames = 0;
    bool end = false;
  };
  struct alignas(64) writer_line {
    std::atomic<std::uint64_t> published{0};
    half_meta meta[2];  ///< per half: written before `published` (release), read after it (acquire)
  };
  struct alignas(64) writer_private_line {
    std::uint64_t released_seen = 0;   ///< cached copy of r_.released
    std::atomic<bool> filling{false};  ///< a slot is out (observers only)
  };
  // The reader's position travels on the same line as `released`: the
  // writer reads all three together (a claim that finds the halves full
  // fetches the line anyway), and the reader's read() stores them in one
  // line, so the writer's slack statistic and poll estimate cost no
  // transfer of a line of their own.
  struct alignas(64) reader_line {
    std::atomic<std::uint64_t> released{0};
    std::atomic<std::uint64_t> taken{0};               ///< halves taken (stored with `released`, at a swap)
    std::atomic<std::uint64_t> frames_read{0};         ///< frames read so far (silence included)
    std::atomic<std::uint64_t> front_end_position{0};  ///< frames_read where the front half runs out
  };
  struct alignas(64) reader_private_line {
    std::uint64_t published_seen = 0;  ///< cached copy of w_.published
  };
  // The flush epoch has a line of its own: both sides read it on every call
  // and it changes only at a flush, so it stays in both caches.
  struct alignas(64) flush_line {
    std::atomic<std::uint32_t> flush_req{0};  ///< written by the writer
    std::atomic<std::uint32_t> flush_ack{0};  ///< written by the reader
  };
  static_assert(sizeof(writer_line) == 64 && sizeof(reader_line) == 64 && sizeof(flush_line) == 64 &&
                    sizeof(writer_private_line) == 64 && sizeof(reader_private_line) == 64,
                "each counter on a cache line of its own, one line for the flush epoch");
  static_assert(std::atomic<std::uint64_t>::is_always_lock_free && std::atomic<std::uint32_t>::is_always_lock_free);

  writer_line w_;
  writer_private_line wp_;
  reader_line r_;
  reader_private_line rp_;
  flush_line f_;
  struct empty {};
  using wake_type = std::conditional_t<locked, empty, wake_semaphore>;
  alignas(64) [[no_unique_address]] wake_type wake_;
  alignas(64) [[no_unique_address]] std::conditional_t<locked, Lock, empty> lock_;
};

}  // namespace detail

/// Wait-free on the real-time side: the counters are atomics, no lock, no
/// RMW; the producer sleeps on a futex semaphore (semaphore wake).
using lockfree = detail::handoff_impl<detail::no_lock, false, handoff_kind::lockfree>;
/// std::mutex + condition variable around each transition; the fill happens outside the lock.
using mutex = detail::handoff_impl<detail::std_lock, false, handoff_kind::mutex>;
/// A PTHREAD_PRIO_INHERIT mutex + condition variable.
using mutex_pi = detail::handoff_impl<detail::pi_lock, false, handoff_kind::mutex_pi>;
/// The real-time side only try_lock()s; a refused swap is an underrun.
using trylock = detail::handoff_impl<detail::std_lock, true, handoff_kind::trylock>;

static_assert(alignof(lockfree) == 64 && alignof(mutex) == 64 && alignof(mutex_pi) == 64 && alignof(trylock) == 64,
              "each side's counters (and the wake, and the lock) own a cache line");

/// Calls `f(std::type_identity<Policy>{})` with the policy named by `kind`.
template <class F>
decltype(auto) with_handoff(handoff_kind kind, F&& f) {
  switch (kind) {
    case handoff_kind::mutex:
      return f(std::type_identity<mutex>{});
    case handoff_kind::mutex_pi:
      return f(std::type_identity<mutex_pi>{});
    case handoff_kind::trylock:
      return f(std::type_identity<trylock>{});
    case handoff_kind::lockfree:
      break;
  }
  return f(std::type_identity<lockfree>{});
}

}  // namespace pingpong
