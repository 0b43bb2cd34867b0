// Counts what the calling thread does through malloc & co, pthread mutexes
// and condition variables, and (where the kernel lets us) system calls.
// Linked only into pingpong_rt_safety_tests; see interpose.cpp.
#pragma once

#include <cstdint>
#include <string>

namespace interpose {

struct counts {
  std::uint64_t allocations = 0;  // malloc, calloc, realloc, aligned_alloc, posix_memalign, new
  std::uint64_t frees = 0;        // free, delete
  std::uint64_t mutex_calls = 0;  // pthread_mutex_lock/trylock/unlock
  std::uint64_t cond_calls = 0;   // pthread_cond_signal/broadcast/wait/timedwait/clockwait
};

/// Starts counting on this thread (into `into`); stop() ends it.
void start(counts& into) noexcept;
void stop() noexcept;

/// Counts system calls entered by the calling thread, through the
/// raw_syscalls:sys_enter tracepoint. available() is false (with a reason)
/// when the kernel or permissions do not allow it.
class syscall_counter {
 public:
  syscall_counter();
  ~syscall_counter();
  bool available() const { return fd_ >= 0; }
  const std::string& why_unavailable() const { return why_; }
  /// System calls since construction, not counting the reads of the counter.
  std::uint64_t read();

 private:
  int fd_ = -1;
  std::uint64_t reads_ = 0;
  std::string why_;
};

}  // namespace interpose
