// pingpong — misuse checks shared by every primitive.
//
// Checks are on when NDEBUG is not defined, or when PINGPONG_CHECKS=1.
// A failed check calls the misuse handler (default: print and abort). Tests
// install a recording handler to prove that misuse is caught; the primitive
// then refuses the call instead of corrupting its state.
#pragma once

#include <atomic>
#include <cstdio>
#include <cstdlib>

#ifndef PINGPONG_CHECKS
#ifdef NDEBUG
#define PINGPONG_CHECKS 0
#else
#define PINGPONG_CHECKS 1
#endif
#endif

namespace pingpong {

/// Called with a sentence that says what the caller did wrong.
/// Thread: any (it may run on the real-time thread: keep it short).
using misuse_handler = void (*)(const char* message) noexcept;

namespace detail {
inline void default_misuse_handler(const char* message) noexcept {
  std::fprintf(stderr, "pingpong: misuse: %s\n", message);
  std::abort();
}
inline std::atomic<misuse_handler>& misuse_handler_slot() noexcept {
  static std::atomic<misuse_handler> handler{&default_misuse_handler};
  return handler;
}
inline void report_misuse(const char* message) noexcept {
  // acquire: sees the handler installed by set_misuse_handler (release).
  misuse_handler_slot().load(std::memory_order_acquire)(message);
}
}  // namespace detail

/// Replaces the misuse handler; returns the previous one. Thread: control.
inline misuse_handler set_misuse_handler(misuse_handler handler) noexcept {
  // acq_rel: publishes the new handler to report_misuse (acquire) and returns
  // the old one with whatever it captured.
  return detail::misuse_handler_slot().exchange(handler, std::memory_order_acq_rel);
}

namespace detail {

constexpr bool checks_off() noexcept { return true; }

/// Catches two threads inside the same role at once (two producers, or two
/// callbacks). Costs two relaxed RMWs per call when checks are on, nothing
/// when they are off.
class role_guard {
 public:
  class scope {
   public:
    scope(role_guard& guard, const char* message) noexcept : guard_(guard) {
#if PINGPONG_CHECKS
      // acquire: pairs with the release in ~scope of the previous holder, so
      // a correct hand-over between threads is not reported.
      if (guard_.busy_.exchange(true, std::memory_order_acquire)) {
        report_misuse(message);
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

/// Checks a precondition; on failure reports `message` and evaluates to false.
#if PINGPONG_CHECKS
#define PINGPONG_EXPECT(condition, message) \
  ((condition) ? true : (::pingpong::detail::report_misuse(message), false))
#else
#define PINGPONG_EXPECT(condition, message) ::pingpong::detail::checks_off()
#endif
