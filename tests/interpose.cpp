// Interposes the allocator and the pthread lock/condvar entry points for the
// RT-safety test. Every wrapper forwards to the real function; it counts only
// while the calling thread has called interpose::start().
#include "interpose.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>

namespace {
thread_local interpose::counts* current = nullptr;

template <class F>
F real(const char* name) {
  return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}
}  // namespace

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
void __libc_free(void*);

void* malloc(size_t size) {
  if (current) ++current->allocations;
  return __libc_malloc(size);
}
void* calloc(size_t count, size_t size) {
  if (current) ++current->allocations;
  return __libc_calloc(count, size);
}
void* realloc(void* p, size_t size) {
  if (current) ++current->allocations;
  return __libc_realloc(p, size);
}
void* aligned_alloc(size_t alignment, size_t size) {
  if (current) ++current->allocations;
  return __libc_memalign(alignment, size);
}
int posix_memalign(void** out, size_t alignment, size_t size) {
  if (current) ++current->allocations;
  *out = __libc_memalign(alignment, size);
  return *out ? 0 : ENOMEM;
}
void free(void* p) {
  if (current && p) ++current->frees;
  __libc_free(p);
}

int pthread_mutex_lock(pthread_mutex_t* m) {
  static auto fn = real<int (*)(pthread_mutex_t*)>("pthread_mutex_lock");
  if (current) ++current->mutex_calls;
  return fn(m);
}
int pthread_mutex_trylock(pthread_mutex_t* m) {
  static auto fn = real<int (*)(pthread_mutex_t*)>("pthread_mutex_trylock");
  if (current) ++current->mutex_calls;
  return fn(m);
}
int pthread_mutex_unlock(pthread_mutex_t* m) {
  static auto fn = real<int (*)(pthread_mutex_t*)>("pthread_mutex_unlock");
  if (current) ++current->mutex_calls;
  return fn(m);
}
int pthread_cond_signal(pthread_cond_t* c) {
  static auto fn = real<int (*)(pthread_cond_t*)>("pthread_cond_signal");
  if (current) ++current->cond_calls;
  return fn(c);
}
int pthread_cond_broadcast(pthread_cond_t* c) {
  static auto fn = real<int (*)(pthread_cond_t*)>("pthread_cond_broadcast");
  if (current) ++current->cond_calls;
  return fn(c);
}
int pthread_cond_wait(pthread_cond_t* c, pthread_mutex_t* m) {
  static auto fn = real<int (*)(pthread_cond_t*, pthread_mutex_t*)>("pthread_cond_wait");
  if (current) ++current->cond_calls;
  return fn(c, m);
}
int pthread_cond_timedwait(pthread_cond_t* c, pthread_mutex_t* m, const struct timespec* t) {
  static auto fn = real<int (*)(pthread_cond_t*, pthread_mutex_t*, const struct timespec*)>("pthread_cond_timedwait");
  if (current) ++current->cond_calls;
  return fn(c, m, t);
}
int pthread_cond_clockwait(pthread_cond_t* c, pthread_mutex_t* m, clockid_t clock, const struct timespec* t) {
  static auto fn =
      real<int (*)(pthread_cond_t*, pthread_mutex_t*, clockid_t, const struct timespec*)>("pthread_cond_clockwait");
  if (current) ++current->cond_calls;
  return fn(c, m, clock, t);
}
}  // extern "C"

// operator new/delete go through malloc/free in libstdc++, but replace them
// too so that a different C++ runtime is still counted.
void* operator new(std::size_t size) {
  if (void* p = malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  return operator new(size);
}
void operator delete(void* p) noexcept {
  free(p);
}
void operator delete[](void* p) noexcept {
  free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  free(p);
}

namespace interpose {

void start(counts& into) noexcept {
  current = &into;
}
void stop() noexcept {
  current = nullptr;
}

syscall_counter::syscall_counter() {
  int id = -1;
  for (const char* path : {"/sys/kernel/tracing/events/raw_syscalls/sys_enter/id",
                           "/sys/kernel/debug/tracing/events/raw_syscalls/sys_enter/id"}) {
    std::ifstream in(path);
    if (in >> id) break;
  }
  if (id < 0) {
    why_ = "tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)";
    return;
  }
  perf_event_attr attr{};
  attr.type = PERF_TYPE_TRACEPOINT;
  attr.size = sizeof(attr);
  attr.config = std::uint64_t(id);
  attr.sample_period = 0;
  attr.disabled = 0;
  const pid_t tid = pid_t(::syscall(SYS_gettid));
  fd_ = int(::syscall(SYS_perf_event_open, &attr, tid, -1, -1, 0));
  if (fd_ < 0) why_ = std::string("perf_event_open: ") + std::strerror(errno);
}

syscall_counter::~syscall_counter() {
  if (fd_ >= 0) ::close(fd_);
}

std::uint64_t syscall_counter::read() {
  std::uint64_t value = 0;
  if (fd_ < 0 || ::read(fd_, &value, sizeof(value)) != sizeof(value)) return 0;
  ++reads_;  // this read entered the kernel too
  return value - reads_;
}

}  // namespace interpose
