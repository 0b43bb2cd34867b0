// pingpong — misuse checks shared by every primitive.
//
// Every precondition is checked in every build: each check is one
// predictable branch, and a failed check refuses the call (the primitive's
// state is left as it was), so misuse is never undefined behaviour. What is
// configurable is only the *report*:
//   - a handler installed with set_misuse_handler() is called (any build);
//   - otherwise, with PINGPONG_CHECKS=1 (the default without NDEBUG), the
//     message is printed and the process aborts;
//   - otherwise (release builds) the misuse is counted — misuse_count() and
//     last_misuse() tell the control thread — and the call returns its
//     "refused" value (an empty slot, false, zero frames).
// PINGPONG_CHECKS=1 also turns on the role guard (two threads inside one
// role at once), which costs two RMWs per call and is off in release builds.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#ifndef PINGPONG_CHECKS
#ifdef NDEBUG
#define PINGPONG_CHECKS 0
#else
#define PINGPONG_CHECKS 1
#endif
#endif

#if defined(__GNUC__) || defined(__clang__)
#define PINGPONG_LIKELY(x) __builtin_expect(!!(x), 1)
/// The few steps of a read or a handoff: inlined into their caller, so a
/// swap costs its loads and stores, not a call with a register spill.
#define PINGPONG_HOT [[gnu::always_inline]] inline
#else
#define PINGPONG_LIKELY(x) (!!(x))
#define PINGPONG_HOT inline
#endif

namespace pingpong {

/// Called with a sentence that says what the caller did wrong.
/// Thread: any (it may run on the real-time thread: keep it short).
using misuse_handler = void (*)(const char* message) noexcept;

namespace detail {
struct misuse_record {
  std::atomic<misuse_handler> handler{nullptr};
  std::atomic<std::uint64_t> count{0};
  std::atomic<const char*> last{nullptr};
};
inline misuse_record& misuse_state() noexcept {
  static misuse_record record;
  return record;
}
/// Reports a refused call. Not inlined into the callers' fast paths.
#if defined(__GNUC__) || defined(__clang__)
[[gnu::noinline, gnu::cold]]
#endif
inline void
report_misuse(const char* message, bool abort_by_default) noexcept {
  misuse_record& r = misuse_state();
  // relaxed: a statistic; the message pointer is a string literal (static
  // storage), so publishing the pointer needs no ordering.
  r.count.fetch_add(1, std::memory_order_relaxed);
  r.last.store(message, std::memory_order_relaxed);
  // acquire: sees the handler installed by set_misuse_handler (acq_rel).
  if (misuse_handler handler = r.handler.load(std::memory_order_acquire)) {
    handler(message);
    return;
  }
  if (abort_by_default) {
    std::fprintf(stderr, "pingpong: misuse: %s\n", message);
    std::abort();
  }
}
}  // namespace detail

/// Replaces the misuse handler (nullptr: the default report); returns the
/// previous one. Thread: control.
inline misuse_handler set_misuse_handler(misuse_handler handler) noexcept {
  // acq_rel: publishes the new handler to report_misuse (acquire) and returns
  // the old one with whatever it captured.
  return detail::misuse_state().handler.exchange(handler, std::memory_order_acq_rel);
}

/// Refused calls so far, in any build. Thread: any. Wait-free.
inline std::uint64_t misuse_count() noexcept {
  return detail::misuse_state().count.load(std::memory_order_relaxed);  // relaxed: a statistic
}
/// The message of the last refused call, or nullptr. Thread: any. Wait-free.
inline const char* last_misuse() noexcept {
  return detail::misuse_state().last.load(std::memory_order_relaxed);  // relaxed: a string literal
}

namespace detail {

/// Catches two threads inside the same role at once (two producers, or two
/// callbacks). Costs two RMWs per call when PINGPONG_CHECKS=1, nothing
/// otherwise (the typed producer/consumer handles make the mistake hard to
/// make in the first place).
class role_guard {
 public:
  class scope {
   public:
    scope(role_guard& guard, const char* message) noexcept : guard_(guard) {
#if PINGPONG_CHECKS
      // acquire: pairs with the release in ~scope of the previous holder, so
      // a correct hand-over between threads is not reported.
      if (guard_.busy_.exchange(true, std::memory_order_acquire)) {
        report_misuse(message, true);
        owns_ = false;
      }
#else
      (void)message;
#endif
    }
    ~scope() {
#if PINGPONG_CHECKS
      // release: hands the role over; pairs with the acquire exchange above.
      if (owns_) guard_.busy_.store(false, std::memory_order_release);
#endif
    }
    scope(const scope&) = delete;
    scope& operator=(const scope&) = delete;

   private:
    [[maybe_unused]] role_guard& guard_;  // unused when the checks are off
#if PINGPONG_CHECKS
    bool owns_ = true;
#endif
  };

 private:
#if PINGPONG_CHECKS
  std::atomic<bool> busy_{false};
#endif
};

}  // namespace detail
}  // namespace pingpong

/// Checks a precondition in every build; on failure reports `message` (see
/// the top of this file) and evaluates to false, so the caller refuses.
#define PINGPONG_EXPECT(condition, message) \
  (PINGPONG_LIKELY(condition) ? true : (::pingpong::detail::report_misuse(message, PINGPONG_CHECKS != 0), false))
