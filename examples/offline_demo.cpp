// The swapper with no audio device: a "callback" thread paced by a simulated
// clock (64-frame periods at 48 kHz) reads while a producer thread writes a
// running sample counter. Picks the handoff at run time with with_handoff(),
// then checks that every frame arrived once, in order, or was counted as
// underrun silence. Exit status 1 if any frame is wrong.
//   offline_demo [--handoff lockfree|mutex|mutex-pi|trylock|all] [--seconds S]
#include <pingpong/pingpong.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <thread>
#include <vector>

namespace {

constexpr double rate = 48000.0;
constexpr std::size_t period = 64;

template <class H>
bool run(double seconds) {
  pingpong::double_buffer<H> buffer({.half_frames = 512, .channels = 1, .sample_rate = rate});
  auto [producer, consumer] = buffer.connect();  // move-only roles: one producer, one consumer
  const auto total = static_cast<std::size_t>(seconds * rate);

  std::thread producer_thread([&, writer = std::move(producer)]() mutable {
    std::size_t next = 1;  // sample values 1, 2, 3, ...; 0 is silence
    while (next <= total) {
      auto slot = writer.acquire();
      if (!slot) return;
      const std::size_t n = std::min(slot.capacity(), total - next + 1);
      for (std::size_t i = 0; i < n; ++i) slot.data()[i] = float(next + i);  // exact below 2^24
      next += n;
      (void)slot.commit(n, next > total);
    }
  });

  // The simulated device: one period every 1.33 ms, like a real callback.
  std::vector<float> out(period);
  std::size_t expect = 1, silent = 0, wrong = 0;
  auto tick = std::chrono::steady_clock::now();
  for (bool ended = false; !ended;) {
    tick += std::chrono::nanoseconds(std::int64_t(1e9 * period / rate));
    std::this_thread::sleep_until(tick);
    const auto r = consumer.read(out.data(), period);
    for (std::size_t i = 0; i < period; ++i) {
      if (out[i] == 0.0f) {
        ++silent;
        continue;
      }
      if (out[i] != float(expect)) ++wrong;
      expect = std::size_t(out[i]) + 1;
    }
    ended = r.end_of_stream;
  }
  producer_thread.join();
  const auto s = buffer.stats();
  const bool ok = wrong == 0 && expect == total + 1;
  std::printf(
      "%-9s %zu frames: %zu in order, %zu wrong, %llu underruns (%llu frames), %llu swaps, max swap %llu ns: %s\n",
      std::string(pingpong::to_string(H::kind)).c_str(), total, expect - 1, wrong,
      (unsigned long long)s.underrun_events, (unsigned long long)s.underrun_frames, (unsigned long long)s.swaps,
      (unsigned long long)s.max_swap_ns, ok ? "ok" : "FAILED");
  (void)silent;
  return ok;
}

}  // namespace

// An example kept short: std::bad_alloc or a misuse exception ends it with
// std::terminate's message, as a reader would expect.
int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape): see above
  std::string_view which = "lockfree";
  double seconds = 1.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--handoff")
      which = argv[i + 1];
    else if (flag == "--seconds")
      seconds = std::atof(argv[i + 1]);
  }
  if (seconds <= 0 || seconds > 300) {
    std::fprintf(stderr, "offline_demo: --seconds must be in (0, 300]\n");
    return 2;
  }
  std::vector<pingpong::handoff_kind> kinds;
  if (which == "all") {
    kinds = {pingpong::handoff_kind::lockfree, pingpong::handoff_kind::mutex, pingpong::handoff_kind::mutex_pi,
             pingpong::handoff_kind::trylock};
  } else if (auto kind = pingpong::parse_handoff(which)) {
    kinds = {*kind};
  } else {
    std::fprintf(stderr, "offline_demo: unknown handoff '%.*s'\n", int(which.size()), which.data());
    return 2;
  }
  bool ok = true;
  for (auto kind : kinds)
    ok &= pingpong::with_handoff(kind, [&](auto policy) { return run<typename decltype(policy)::type>(seconds); });
  return ok ? 0 : 1;
}
