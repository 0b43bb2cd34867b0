// A deliberately BROKEN double buffer that "synchronises" with volatile —
// built only as a test, never offered to users (docs/semaphore-mutex-volatile.md).
//
// The halves are handed over with a `volatile` count of ready halves: the
// producer fills a half and does `ready = ready + 1`, the consumer plays one
// and does `ready = ready - 1`. It looks like the lockfree policy and is
// what "why not use volatile all the time?" leads to. It is wrong twice:
//   1. no atomicity: `ready = ready + 1` is a load, an add and a store; the
//      other thread's update between the load and the store is lost, so the
//      count drifts and a half is read twice, skipped, or overwritten while
//      it plays;
//   2. no ordering: volatile orders volatile accesses against each other in
//      the compiler only; the half's (non-volatile) samples may be written
//      after the count, and on a weakly ordered CPU (ARM) become visible
//      after it even when the compiler kept the order.
//
// It moves a running frame counter (as tests/stress_test.cpp does) and
// checks the same invariant: every frame once, in order.
//   pingpong_volatile_handoff [--frames N]     (default 5·10^7)
// Exit status: 0 when the invariant was violated (the breakage was caught:
// what the ctest expects), 1 when N frames passed intact (the test fails:
// the demonstration did not demonstrate). Under ThreadSanitizer the race on
// `ready` and on the samples is reported at the first handoff (the TSan
// build's test checks for that report).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace {

constexpr std::size_t half_frames = 64;

struct volatile_double_buffer {
  std::uint32_t half[2][half_frames];
  volatile unsigned ready = 0;  // BROKEN: halves ready; both threads read-modify-write it
  volatile bool stop = false;
};

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t frames = 50'000'000;
  for (int i = 1; i + 1 < argc; i += 2)
    if (std::strcmp(argv[i], "--frames") == 0) frames = std::strtoull(argv[i + 1], nullptr, 10);
  const std::uint64_t halves = frames / half_frames;

  auto* buffer = new volatile_double_buffer{};
  std::uint64_t errors = 0, first_error_at = 0, checked = 0;

  std::thread producer([&] {
    std::uint32_t next = 1;
    unsigned w = 0;
    for (std::uint64_t h = 0; h < halves && !buffer->stop; ++h) {
      while (buffer->ready == 2 && !buffer->stop) {
      }  // wait for a free half
      for (std::size_t i = 0; i < half_frames; ++i) buffer->half[w][i] = next++;
      buffer->ready = buffer->ready + 1;  // BROKEN: not atomic, orders nothing
      w ^= 1u;
    }
  });

  const auto start = std::chrono::steady_clock::now();
  std::uint32_t expect = 1;
  unsigned r = 0;
  for (std::uint64_t h = 0; h < halves; ++h) {
    bool timed_out = false;
    const auto waiting_since = std::chrono::steady_clock::now();
    for (auto spins = 0ull; buffer->ready == 0; ++spins) {
      // A lost increment can leave the consumer waiting for a half the
      // producer will never count: that is a failure too.
      if (spins % 4096 == 0 && std::chrono::steady_clock::now() - waiting_since > std::chrono::seconds(3)) {
        timed_out = true;
        break;
      }
    }
    if (timed_out) {
      if (errors++ == 0) first_error_at = checked;
      std::printf("volatile handoff: deadlock after %llu frames (a lost update of `ready`)\n",
                  (unsigned long long)checked);
      break;
    }
    for (std::size_t i = 0; i < half_frames; ++i, ++checked) {
      const std::uint32_t got = buffer->half[r][i];
      if (got != expect && errors++ == 0) {
        first_error_at = checked;
        std::printf("volatile handoff: frame %llu: expected %u, got %u\n", (unsigned long long)checked, expect, got);
      }
      expect = got + 1;
    }
    buffer->ready = buffer->ready - 1;  // BROKEN: races with the producer's increment
    r ^= 1u;
    if (errors > 0) break;  // caught: stop early
  }
  buffer->stop = true;
  producer.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  delete buffer;
  if (errors > 0) {
    std::printf("volatile handoff: invariant violated after %llu of %llu frames (%.3f s): caught, as expected\n",
                (unsigned long long)first_error_at, (unsigned long long)frames, seconds);
    return 0;
  }
  std::printf("volatile handoff: %llu frames passed intact in %.3f s: the breakage was NOT caught this run\n",
              (unsigned long long)checked, seconds);
  return 1;
}
