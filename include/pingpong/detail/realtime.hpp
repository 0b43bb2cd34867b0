// Marking the real-time path for RealtimeSanitizer (clang 20+).
//
//   PINGPONG_NONBLOCKING     after a function's parameter list (and noexcept):
//                            [[clang::nonblocking]] where the compiler knows
//                            it, else nothing. With -fsanitize=realtime every
//                            allocation, lock, system call or I/O made while
//                            such a function runs is reported (and, with
//                            RTSAN_OPTIONS=halt_on_error=1, aborts).
//   pingpong::detail::rtsan_allowed   a scope whose calls are intended on the
//                            real-time thread (say why beside it, and count
//                            it where the user can see it); nothing without
//                            RealtimeSanitizer.
#pragma once

#if defined(__has_cpp_attribute)
#if __has_cpp_attribute(clang::nonblocking)
#define PINGPONG_NONBLOCKING [[clang::nonblocking]]
#endif
#endif
#ifndef PINGPONG_NONBLOCKING
#define PINGPONG_NONBLOCKING
#endif

#if defined(__has_feature)
#if __has_feature(realtime_sanitizer)
#define PINGPONG_RTSAN 1
#include <sanitizer/rtsan_interface.h>
#endif
#endif

namespace pingpong::detail {

/// Calls in this scope are not real-time violations (RealtimeSanitizer's
/// scoped disabler); every use says why. Costs nothing in other builds.
struct rtsan_allowed {
#if PINGPONG_RTSAN
  rtsan_allowed() noexcept {
    __rtsan_disable();
  }
  ~rtsan_allowed() {
    __rtsan_enable();
  }
#else
  rtsan_allowed() noexcept {}  // user-provided: a scope guard, never "unused"
  ~rtsan_allowed() {}
#endif
  rtsan_allowed(const rtsan_allowed&) = delete;
  rtsan_allowed& operator=(const rtsan_allowed&) = delete;
};

}  // namespace pingpong::detail
