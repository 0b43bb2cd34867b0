// Thread scheduling helpers and a per-thread system-call counter.
// Control-side only (they make system calls), except where noted.
#pragma once

#include <cstdint>
#include <string>

namespace pingpong::player {

/// The calling thread's kernel id (one gettid syscall).
int current_tid() noexcept;
/// SCHED_FIFO at `priority` (1..99) for the calling thread; false if not permitted.
bool set_fifo_priority(int priority) noexcept;
/// Pins the calling thread to `cpu`; false if not permitted / no such CPU.
bool pin_to_cpu(int cpu) noexcept;
/// "SCHED_FIFO 70" / "SCHED_OTHER" — the calling thread's policy.
std::string describe_scheduling();

/// Counts system calls entered by one thread (perf raw_syscalls:sys_enter
/// tracepoint), opened from another thread. Needs tracefs and permission
/// (root or perf_event_paranoid ≤ 1); why_unavailable() says what is missing.
class thread_syscall_counter {
 public:
  explicit thread_syscall_counter(int tid);
  ~thread_syscall_counter();
  thread_syscall_counter(const thread_syscall_counter&) = delete;
  thread_syscall_counter& operator=(const thread_syscall_counter&) = delete;
  bool available() const noexcept { return fd_ >= 0; }
  const std::string& why_unavailable() const noexcept { return why_; }
  std::uint64_t read() const noexcept;

 private:
  int fd_ = -1;
  std::string why_;
};

}  // namespace pingpong::player
