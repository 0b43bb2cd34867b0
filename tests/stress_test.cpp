// Stress: every policy × wake moves a running frame counter from a producer
// to a consumer with random read sizes and random stalls on both sides.
// Invariant: the non-silent frames read are exactly 1, 2, 3, … N in order
// (each frame once, none lost, none repeated, none torn), and every silent
// frame in the middle of the stream is one the buffer counted as underrun.
//
// Frames per combination: PINGPONG_STRESS_FRAMES (default 10^7). The soak
// target runs the same with 10^9.
#include <doctest/doctest.h>

#include <pingpong/pingpong.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;

std::uint64_t frames_per_run() {
  if (const char* env = std::getenv("PINGPONG_STRESS_FRAMES")) return std::strtoull(env, nullptr, 10);
  return 10'000'000;
}

// A frame number n ≥ 1 split over two channels, exact in float: low and
// high 23 bits. Silence is (0, 0), which no frame produces.
constexpr std::uint64_t low_bits = 1u << 23;
inline void encode(float* frame, std::uint64_t n) {
  frame[0] = float(n % low_bits);
  frame[1] = float(n / low_bits) + 1.0f;  // +1: frame (0,0) stays silence
}
inline std::uint64_t decode(const float* frame) {
  return std::uint64_t(frame[1] - 1.0f) * low_bits + std::uint64_t(frame[0]);
}

struct stress_result {
  std::uint64_t frames_seen = 0;
  std::uint64_t middle_silence = 0;  // silent frames after the first frame, before the end
  std::uint64_t errors = 0;
  std::string first_error;
};

template <class H>
void run_stress(pingpong::wake_kind wake, std::uint64_t total_frames, unsigned seed) {
  constexpr std::size_t half_frames = 1024;
  pingpong::config cfg{.half_frames = half_frames, .channels = 2, .wake = wake, .sample_rate = 0, .poll_floor = 20us};
  pingpong::double_buffer<H> buffer(cfg);

  std::thread producer([&] {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> percent(0, 99);
    std::uniform_int_distribution<std::size_t> short_fill(1, half_frames);
    std::uint64_t next = 1;
    while (next <= total_frames) {
      auto slot = buffer.writer().acquire_for(30s);
      REQUIRE(slot);
      // Mostly full halves; sometimes a short one (as a decoder at a file edge).
      std::size_t frames = percent(rng) < 5 ? short_fill(rng) : half_frames;
      frames = std::size_t(std::min<std::uint64_t>(frames, total_frames - next + 1));
      for (std::size_t f = 0; f < frames; ++f) encode(slot.data() + 2 * f, next++);
      if (percent(rng) == 0) std::this_thread::sleep_for(std::chrono::microseconds(percent(rng) * 5));
      slot.commit(frames, next > total_frames);
    }
  });

  stress_result result;
  {
    std::mt19937 rng(seed * 7 + 1);
    std::uniform_int_distribution<std::size_t> read_size(1, 512);
    std::uniform_int_distribution<int> percent(0, 999);
    std::vector<float> interleaved(512 * 2), left(512), right(512);
    std::vector<float> planar_frame(2);
    float* planes[] = {left.data(), right.data()};
    std::uint64_t expected = 1;
    std::uint64_t pending_silence = 0;  // silence since the last frame; counted once a frame follows
    auto check = [&](const float* frame) {
      if (frame[0] == 0.0f && frame[1] == 0.0f) {
        if (expected > 1) ++pending_silence;
        return;
      }
      const std::uint64_t n = decode(frame);
      if (n != expected && result.errors++ == 0)
        result.first_error = "expected frame " + std::to_string(expected) + ", got " + std::to_string(n);
      expected = n + 1;
      result.middle_silence += pending_silence;
      pending_silence = 0;
      ++result.frames_seen;
    };
    const auto give_up = std::chrono::steady_clock::now() + 600s;
    for (;;) {
      const std::size_t frames = read_size(rng);
      const bool planar = percent(rng) < 300;
      pingpong::read_result r;
      if (planar) {
        r = buffer.reader().read_planar(planes, frames);
        for (std::size_t i = 0; i < frames; ++i) {
          planar_frame[0] = left[i];
          planar_frame[1] = right[i];
          check(planar_frame.data());
        }
      } else {
        r = buffer.reader().read(interleaved.data(), frames);
        for (std::size_t i = 0; i < frames; ++i) check(interleaved.data() + 2 * i);
      }
      if (r.end_of_stream) break;
      const int p = percent(rng);
      if (p < 2)
        std::this_thread::sleep_for(std::chrono::microseconds(p * 100 + 10));
      else if (p < 50)
        std::this_thread::yield();
      if (std::chrono::steady_clock::now() > give_up) {
        FAIL("consumer gave up waiting for the end of stream");
        break;
      }
    }
  }
  producer.join();

  const auto stats = buffer.stats();
  INFO("first error: " << result.first_error);
  CHECK(result.errors == 0);
  CHECK(result.frames_seen == total_frames);
  // Every silent frame inside the stream is an underrun the buffer counted.
  CHECK(result.middle_silence == stats.underrun_frames);
  CHECK(stats.swaps >= total_frames / half_frames);
  MESSAGE(pingpong::to_string(H::kind) << "+" << pingpong::to_string(wake) << ": " << total_frames << " frames, "
                                       << stats.swaps << " swaps, " << stats.underrun_events << " underruns ("
                                       << stats.underrun_frames << " frames), " << stats.wake_syscalls
                                       << " wake syscalls, lock busy " << stats.lock_busy);
}

}  // namespace

TEST_CASE_TEMPLATE("stress: every frame arrives once, in order", H, pingpong::lockfree, pingpong::mutex,
                   pingpong::mutex_pi, pingpong::trylock) {
  const std::uint64_t frames = frames_per_run();
  SUBCASE("semaphore wake") {
    run_stress<H>(pingpong::wake_kind::semaphore, frames, 1234);
  }
  SUBCASE("poll wake") {
    run_stress<H>(pingpong::wake_kind::poll, frames, 4321);
  }
}
