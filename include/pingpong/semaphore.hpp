// pingpong::wake_semaphore — the producer's wake-up, posted from the
// real-time thread.
//
// A binary semaphore for exactly one waiter (the producer) and any number of
// posters. post() is wait-free and makes a system call (one futex wake) only
// when the waiter is actually asleep; otherwise it is a single atomic
// exchange. Posts do not accumulate beyond one: the waiter re-checks the
// buffer state after every wake, so one pending wake is all it needs.
#pragma once

#include <pingpong/detail/realtime.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <ctime>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#else
#include <condition_variable>
#include <mutex>
#endif

namespace pingpong {

class wake_semaphore {
 public:
  using clock = std::chrono::steady_clock;

  wake_semaphore() = default;
  wake_semaphore(const wake_semaphore&) = delete;
  wake_semaphore& operator=(const wake_semaphore&) = delete;

  /// Wakes the waiter, or lets its next wait return at once.
  /// Thread: any, real-time included. Wait-free. Returns true when it made a
  /// system call (the waiter was asleep) — the cost the poll wake avoids.
  bool post() noexcept {
    // release: publishes everything the poster did before (a freed half) to
    // the waiter, whose consuming exchange/CAS (acquire) pairs with this.
    const std::uint32_t previous = state_.exchange(posted, std::memory_order_release);
    if (previous != sleeping) return false;
    wake_one();
    // relaxed: a statistic, read by the control thread only.
    syscalls_.fetch_add(1, std::memory_order_relaxed);
    return true;
  }

  /// Consumes a pending post without waiting. Thread: the waiter. Wait-free.
  bool try_wait() noexcept {
    std::uint32_t expected = posted;
    // acquire: pairs with the release exchange in post().
    return state_.compare_exchange_strong(expected, empty, std::memory_order_acquire, std::memory_order_relaxed);
  }

  /// Waits for a post until `deadline`. Returns false on time-out.
  /// Thread: the waiter (one thread at a time). Blocking.
  bool wait_until(clock::time_point deadline) noexcept {
    for (;;) {
      if (try_wait()) return true;
      std::uint32_t expected = empty;
      // relaxed: announcing sleep publishes nothing; the futex call re-checks
      // the word in the kernel, so a post between here and the sleep is seen.
      if (!state_.compare_exchange_strong(expected, sleeping, std::memory_order_relaxed) && expected == posted) {
        continue;  // a post arrived: consume it on the next turn
      }
      const auto now = clock::now();
      if (now >= deadline) {
        expected = sleeping;
        // relaxed: withdraws the sleep announcement; nothing is published.
        state_.compare_exchange_strong(expected, empty, std::memory_order_relaxed);
        return try_wait();
      }
      // Capped so a far deadline (time_point::max()) cannot overflow timespec.
      sleep_while_sleeping(std::min<clock::duration>(deadline - now, std::chrono::hours(1)));
    }
  }

  bool wait_for(clock::duration timeout) noexcept { return wait_until(clock::now() + timeout); }

  /// Number of posts that had to enter the kernel. Thread: any.
  std::uint64_t syscalls() const noexcept {
    // relaxed: a statistic.
    return syscalls_.load(std::memory_order_relaxed);
  }

 private:
  static constexpr std::uint32_t empty = 0;
  static constexpr std::uint32_t posted = 1;
  static constexpr std::uint32_t sleeping = 2;

#if defined(__linux__)
  void wake_one() noexcept {
    // The one system call the real-time side may make, by design: a
    // FUTEX_WAKE when (and only when) the producer sleeps, counted in
    // syscalls() and reported as wake_syscalls. The poll wake makes none.
    // RealtimeSanitizer is told so here.
    const detail::rtsan_allowed counted_wake;
    ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&state_), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
  }
  void sleep_while_sleeping(clock::duration timeout) noexcept {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
    timespec relative{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    // Returns at once (EAGAIN) if the word is no longer `sleeping`.
    ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&state_), FUTEX_WAIT_PRIVATE, sleeping, &relative, nullptr,
              0);
  }
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
#else
  // Portable fallback: not wait-free for the poster (it takes a mutex).
  void wake_one() noexcept {
    std::lock_guard lock(fallback_mutex_);
    fallback_cv_.notify_one();
  }
  void sleep_while_sleeping(clock::duration timeout) noexcept {
    std::unique_lock lock(fallback_mutex_);
    fallback_cv_.wait_for(lock, timeout, [&] {
      return state_.load(std::memory_order_relaxed) != sleeping;  // relaxed: re-checked by CAS
    });
  }
  std::mutex fallback_mutex_;
  std::condition_variable fallback_cv_;
#endif

  static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
  std::atomic<std::uint32_t> state_{empty};
  std::atomic<std::uint64_t> syscalls_{0};
};

}  // namespace pingpong
