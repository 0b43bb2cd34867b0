// pingpong_bench — shared helpers: clock, percentiles, pinning, tables.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace ppbench {

// ---- time -------------------------------------------------------------------

/// steady_clock in nanoseconds (a vDSO clock_gettime(CLOCK_MONOTONIC) on Linux).
inline std::int64_t now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// Median cost of one now_ns() call, measured as back-to-back pairs.
std::int64_t measure_timer_overhead_ns();

/// A spin-wait hint for the core (PAUSE on x86, YIELD on Arm).
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  __asm__ __volatile__("yield" ::: "memory");
#endif
}

// ---- statistics -------------------------------------------------------------

struct summary {
  std::size_t n = 0;
  double p50 = 0, p99 = 0, p999 = 0, p9999 = 0, max = 0, mean = 0;
};

/// Nearest-rank percentiles. Sorts `samples` in place.
summary summarize(std::vector<std::int64_t>& samples);

/// The value at quantile q (0..1) of sorted samples, nearest rank.
double quantile_sorted(const std::vector<std::int64_t>& sorted, double q);

// ---- threads ----------------------------------------------------------------

/// The CPUs this process may run on, in order.
std::vector<int> allowed_cpus();
/// Pins the calling thread to `cpu` (no-op for cpu < 0). Returns success.
bool pin_this_thread(int cpu) noexcept;
/// SCHED_FIFO at `priority` for the calling thread. Returns success.
bool make_this_thread_fifo(int priority) noexcept;
/// Involuntary context switches of the calling thread so far.
long involuntary_switches() noexcept;
/// Voluntary context switches of the calling thread so far.
long voluntary_switches() noexcept;

/// Both threads spin here until `parties` have arrived, so that timed loops
/// start together. One use per gate.
class start_gate {
 public:
  void arrive_and_wait(int parties) noexcept {
    // acq_rel: our setup before the gate happens-before the other party's
    // work after it; pairs with the acquire loads below (in the other thread).
    arrived_.fetch_add(1, std::memory_order_acq_rel);
    // acquire: pairs with the other party's acq_rel fetch_add above.
    while (arrived_.load(std::memory_order_acquire) < parties) cpu_relax();
  }

 private:
  alignas(64) std::atomic<int> arrived_{0};
};

/// Runs `a` on a thread pinned to `cpu_a` and `b` on one pinned to `cpu_b`,
/// and joins both. The calling thread's own affinity is left alone.
template <class A, class B>
void run_pair(int cpu_a, A&& a, int cpu_b, B&& b) {
  std::thread tb([&] {
    pin_this_thread(cpu_b);
    b();
  });
  std::thread ta([&] {
    pin_this_thread(cpu_a);
    a();
  });
  ta.join();
  tb.join();
}

// ---- machine ---------------------------------------------------------------

struct machine_info {
  std::string cpu_model;
  unsigned cores = 0;    ///< online CPUs
  unsigned allowed = 0;  ///< CPUs in our affinity mask
  std::string kernel;    ///< uname: sysname release machine
  std::string date;      ///< UTC, ISO 8601
  std::string compiler;
  std::string build_type;
  std::string command;  ///< argv joined, shell-quoted where needed
};

machine_info describe_machine(int argc, char** argv);

/// The 1, 5 and 15 minute load averages from /proc/loadavg ("?" if unreadable).
std::string load_average();

// ---- output ----------------------------------------------------------------

/// A plain-text / Markdown table. The first column is left-aligned, the rest
/// right-aligned.
struct table {
  std::string title;
  std::vector<std::string> head;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> notes;

  void print_plain(std::FILE* out) const;
  void print_markdown(std::FILE* out) const;
};

/// printf into a std::string.
std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

/// Minimal JSON writer: objects and arrays of numbers/strings.
class json_writer {
 public:
  void begin_object(const char* key = nullptr);
  void end_object();
  void begin_array(const char* key);
  void end_array();
  void field(const char* key, const std::string& value);
  void field(const char* key, const char* value) { field(key, std::string(value)); }
  void field(const char* key, double value);
  void field(const char* key, std::uint64_t value);
  void field(const char* key, bool value);
  const std::string& str() const { return out_; }

 private:
  void comma_and_key(const char* key);
  std::string out_;
  std::vector<bool> first_{};  ///< per open scope: nothing written yet
};

}  // namespace ppbench
