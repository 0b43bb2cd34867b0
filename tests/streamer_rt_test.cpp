// streamer::mix() never allocates, frees, locks or enters the kernel except
// for the one intended wake (a futex wake when the pool's first thread
// sleeps, at most one per call) — proven by counting on the mixing thread
// every call into malloc & co, pthread mutexes/condvars and every system
// call (perf tracepoint; interpose.cpp), while the control thread adds,
// removes, seeks and re-gains streams and the pool refills them.
#include <doctest/doctest.h>

#include <pingpong/streamer.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "interpose.hpp"
#include "streamer_sources.hpp"

namespace {

using namespace std::chrono_literals;

struct mix_report {
  interpose::counts counts;
  bool syscalls_measured = false;
  std::string why_no_syscalls;
  std::uint64_t syscalls = 0;
  std::uint64_t callbacks = 0;
  pingpong::streamer_stats before, after;
  std::size_t most_streams = 0;
};

mix_report run_paced(std::size_t streams, unsigned threads) {
  constexpr std::size_t period = 64, channels = 2, callbacks = 3000;
  // 4× faster than 48 kHz so the test is short.
  const auto period_time = std::chrono::nanoseconds(std::int64_t(1e9 * period / 192000.0));
  pingpong::streamer mixer({.channels = channels, .half_frames = 512, .max_streams = 2 * streams, .threads = threads});
  std::vector<pingpong::stream_id> ids;
  for (std::size_t i = 0; i < streams; ++i)
    ids.push_back(*mixer.add(std::make_unique<streamer_test::level_source>(0.01f)));
  mixer.start();
  while (mixer.available() < 512) std::this_thread::sleep_for(1ms);

  std::atomic<bool> counting_done{false};
  mix_report report;
  // Control: changes the set of streams while the real-time side mixes.
  std::thread control([&] {
    std::size_t turn = 0;
    // relaxed: a test's polled flag.
    while (!counting_done.load(std::memory_order_relaxed)) {
      std::this_thread::sleep_for(3ms);
      auto& id = ids[turn % ids.size()];
      switch (turn++ % 4) {
        case 0:
          mixer.set_gain(id, 0.5f);
          break;
        case 1:
          mixer.seek(id, 0);
          break;
        case 2:  // a stream leaves and a new one arrives (the RT side learns of it with no lock)
          mixer.remove(id);
          if (auto fresh = mixer.add(std::make_unique<streamer_test::level_source>(0.02f))) id = *fresh;
          break;
        default:
          mixer.set_gain(id, 1.0f);
          break;
      }
    }
  });
  std::thread rt([&] {
    std::vector<float> out(period * channels);  // allocated before counting starts
    mixer.mix(out.data(), period);              // warm-up
    interpose::syscall_counter syscalls;
    report.syscalls_measured = syscalls.available();
    report.why_no_syscalls = syscalls.why_unavailable();
    report.before = mixer.totals();
    const std::uint64_t before = syscalls.read();
    interpose::start(report.counts);
    auto next = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < callbacks; ++i) {
      next += period_time;
      const auto r = mixer.mix(out.data(), period);
      report.most_streams = std::max(report.most_streams, r.streams);
      while (std::chrono::steady_clock::now() < next) {
      }  // spin: a sleep would be a syscall of the test, not of mix()
    }
    interpose::stop();
    report.syscalls = syscalls.read() - before;
    report.after = mixer.totals();
    report.callbacks = callbacks;
  });
  rt.join();
  counting_done = true;
  control.join();
  return report;
}

bool can_count_syscalls() {
  const interpose::syscall_counter probe;
  if (!probe.available())
    std::printf("streamer rt-safety: system calls not countable: %s\n", probe.why_unavailable().c_str());
  return probe.available();
}
const bool syscalls_countable = can_count_syscalls();

void report_line(const char* name, const mix_report& r) {
  const auto posts = r.after.wake_posts - r.before.wake_posts;
  const auto wakes = r.after.wake_syscalls - r.before.wake_syscalls;
  std::printf(
      "streamer rt-safety %s: %llu mix calls, allocations %llu frees %llu mutex %llu cond %llu syscalls %s; posts %llu "
      "futex wakes %llu halves %llu underruns %llu\n",
      name, (unsigned long long)r.callbacks, (unsigned long long)r.counts.allocations,
      (unsigned long long)r.counts.frees, (unsigned long long)r.counts.mutex_calls,
      (unsigned long long)r.counts.cond_calls, r.syscalls_measured ? std::to_string(r.syscalls).c_str() : "n/a",
      (unsigned long long)posts, (unsigned long long)wakes,
      (unsigned long long)(r.after.halves_filled - r.before.halves_filled),
      (unsigned long long)(r.after.underrun_events - r.before.underrun_events));
}

void check_clean(const mix_report& r) {
  CHECK(r.counts.allocations == 0);
  CHECK(r.counts.frees == 0);
  CHECK(r.counts.mutex_calls == 0);
  CHECK(r.counts.cond_calls == 0);
  const auto posts = r.after.wake_posts - r.before.wake_posts;
  const auto wakes = r.after.wake_syscalls - r.before.wake_syscalls;
  CHECK(posts > 0);                                             // the path with the post was taken
  CHECK(posts <= r.callbacks);                                  // at most one per mix()
  CHECK(r.after.halves_filled - r.before.halves_filled > 100);  // the pool really refilled while we counted
  if (r.syscalls_measured) CHECK(r.syscalls <= wakes);          // every system call is a counted futex wake
}

}  // namespace

TEST_CASE("streamer rt-safety: mix() of 32 streams, one pool thread: no allocation, lock or syscall but the wake") {
  const auto r = run_paced(32, 1);
  report_line("32 streams, 1 thread", r);
  CHECK(r.most_streams >= 31);
  check_clean(r);
}

TEST_CASE("streamer rt-safety: the same with two pool threads (chained wakes stay off the RT thread)") {
  const auto r = run_paced(16, 2);
  report_line("16 streams, 2 threads", r);
  check_clean(r);
}

TEST_CASE("streamer rt-safety: syscall counting really counts (the test can fail)" *
          doctest::skip(!syscalls_countable)) {
  interpose::syscall_counter sc;
  const auto before = sc.read();
  std::this_thread::sleep_for(1ms);
  CHECK(sc.read() - before >= 1);
}
