#include "player/threads.hpp"
#include "player/text.hpp"

#include <linux/perf_event.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace pingpong::player {

int current_tid() noexcept {
  return int(::syscall(SYS_gettid));
}

bool set_fifo_priority(int priority) noexcept {
  sched_param param{};
  param.sched_priority = priority;
  return pthread_setschedparam(pthread_self(), SCHED_FIFO, &param) == 0;
}

bool pin_to_cpu(int cpu) noexcept {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
}

std::string describe_scheduling() {
  int policy = 0;
  sched_param param{};
  pthread_getschedparam(pthread_self(), &policy, &param);
  if (policy == SCHED_FIFO) return "SCHED_FIFO " + std::to_string(param.sched_priority);
  if (policy == SCHED_RR) return "SCHED_RR " + std::to_string(param.sched_priority);
  return "SCHED_OTHER";
}

thread_syscall_counter::thread_syscall_counter(int tid) {
  int id = -1;
  for (const char* path : {"/sys/kernel/tracing/events/raw_syscalls/sys_enter/id",
                           "/sys/kernel/debug/tracing/events/raw_syscalls/sys_enter/id"}) {
    std::ifstream in(path);
    if (in >> id) break;
  }
  if (id < 0) {
    why_ = "tracefs not mounted (mount -t tracefs nodev /sys/kernel/tracing)";
    return;
  }
  perf_event_attr attr{};
  attr.type = PERF_TYPE_TRACEPOINT;
  attr.size = sizeof(attr);
  attr.config = std::uint64_t(id);
  fd_ = int(::syscall(SYS_perf_event_open, &attr, tid, -1, -1, 0));
  if (fd_ < 0) why_ = std::string("perf_event_open: ") + error_text(errno);
}

thread_syscall_counter::~thread_syscall_counter() {
  if (fd_ >= 0) ::close(fd_);
}

std::uint64_t thread_syscall_counter::read() const noexcept {
  std::uint64_t value = 0;
  if (fd_ < 0 || ::read(fd_, &value, sizeof(value)) != sizeof(value)) return 0;
  return value;  // counted on the observed thread only: our read() is not in it
}

}  // namespace pingpong::player
