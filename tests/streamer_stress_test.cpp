// Stress: N streams through one streamer, each source writing a running
// frame counter on a channel pair of its own (so the mix, a sum, keeps each
// counter intact), with random mix sizes, stalls on both sides, short
// fills, and seeks, removals and new streams while playing.
// Invariant, per stream: the non-silent frames are exactly 1, 2, 3, … in
// order (after a seek to f: f+1, f+2, …), none lost, repeated or torn, the
// last one is the source's last; every silent frame in the middle of a
// stream (not priming after a start or a seek) is one the streamer counted
// as that stream's underrun.
//
// Frames per stream: PINGPONG_STRESS_FRAMES / 100 (default 4·10^5).
#include <doctest/doctest.h>

#include <pingpong/streamer.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "streamer_sources.hpp"

namespace {

using namespace std::chrono_literals;
using streamer_test::counter_source;

std::uint64_t frames_per_stream() {
  if (const char* env = std::getenv("PINGPONG_STRESS_FRAMES"))
    return std::max<std::uint64_t>(std::strtoull(env, nullptr, 10) / 100, 1000);
  return 400'000;
}

struct pair_check {
  pingpong::stream_id id;
  std::uint64_t total = 0;
  std::uint64_t expected = 1;
  std::optional<std::uint64_t> seek_to;  // a seek asked, its first frame not seen yet
  std::uint64_t pending_silence = 0;     // silence since the last frame; counted once a frame follows
  std::uint64_t middle_silence = 0;
  std::uint64_t frames = 0;
  bool started = false;
  // Underruns of the streams this pair had before (removed ones).
  std::uint64_t errors = 0;
  std::string first_error;

  void fail(const std::string& what) {
    if (errors++ == 0) first_error = what;
  }
  void frame(const float* pair) {
    if (streamer_test::silent(pair)) {
      if (started && !seek_to) ++pending_silence;
      return;
    }
    const std::uint64_t n = streamer_test::decode(pair);
    if (seek_to && n == *seek_to + 1) {
      seek_to.reset();
    } else if (n != expected) {
      fail("expected frame " + std::to_string(expected) + ", got " + std::to_string(n));
    } else {
      middle_silence += pending_silence;
    }
    pending_silence = 0;
    started = true;
    expected = n + 1;
    ++frames;
  }
};

void run_stress(unsigned threads, unsigned seed) {
  constexpr std::size_t streams = 8, channels = 2 * streams;
  const std::uint64_t length = frames_per_stream();
  pingpong::streamer mixer({.channels = channels,
                            .half_frames = 256,
                            .max_streams = 2 * streams,
                            .threads = threads,
                            .ramp_frames = 0});  // gains stay 1: the counters pass through exactly
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::uint64_t> length_of(length / 2, length);
  std::vector<pair_check> pairs(streams);
  auto start_stream = [&](std::size_t p) {
    pairs[p] = pair_check{};
    pairs[p].total = length_of(rng);
    auto id = mixer.add(std::make_unique<counter_source>(p, pairs[p].total, seed * 31 + unsigned(p), true));
    REQUIRE(id);
    pairs[p].id = *id;
  };
  for (std::size_t p = 0; p < streams; ++p) start_stream(p);
  mixer.start();

  std::uniform_int_distribution<std::size_t> read_size(1, 512);
  std::uniform_int_distribution<int> permille(0, 999);
  std::uniform_int_distribution<std::size_t> which(0, streams - 1);
  std::vector<float> out(512 * channels);
  std::uint64_t seeks = 0, replaced = 0;
  std::size_t calls = 0;
  const auto give_up = std::chrono::steady_clock::now() + 600s;
  auto seek_pending = [&] {
    for (const auto& c : pairs)
      if (c.seek_to) return true;
    return false;
  };
  const std::size_t control_calls = std::size_t(length / 512);  // about the first half of the shortest stream
  while (!mixer.all_ended() || seek_pending()) {
    const std::size_t frames = read_size(rng);
    mixer.mix(out.data(), frames);
    ++calls;
    for (std::size_t f = 0; f < frames; ++f)
      for (std::size_t p = 0; p < streams; ++p) pairs[p].frame(&out[f * channels + 2 * p]);

    // Control, in the first stretch: seeks, and streams replaced by new ones.
    if (calls < control_calls) {
      const int op = permille(rng);
      pair_check& c = pairs[which(rng)];
      if (op < 20 && c.started && !c.seek_to) {
        const std::uint64_t to = std::uniform_int_distribution<std::uint64_t>(0, c.total - 1)(rng);
        REQUIRE(mixer.seek(c.id, to));
        c.seek_to = to;
        c.pending_silence = 0;  // silence before the seek's frames is the flush's, not counted
        ++seeks;
      } else if (op < 30 && c.started) {
        const std::size_t p = std::size_t(&c - pairs.data());
        const auto st = mixer.stats(c.id);
        REQUIRE(st);
        CHECK(c.middle_silence <= st->underrun_frames);
        REQUIRE(c.errors == 0);
        REQUIRE(mixer.remove(c.id));
        start_stream(p);  // the next mix lets the old one go before it reads the new one
        ++replaced;
      }
    }
    const int p = permille(rng);
    if (p < 3)
      std::this_thread::sleep_for(std::chrono::microseconds(p * 300 + 10));
    else if (p < 60)
      std::this_thread::yield();
    if (std::chrono::steady_clock::now() > give_up) {
      FAIL("the streams did not end");
      break;
    }
  }
  std::uint64_t underruns = 0;
  for (auto& c : pairs) {
    INFO("stream " << (&c - pairs.data()) << ": " << c.first_error);
    CHECK(c.errors == 0);
    CHECK(!c.seek_to);
    CHECK(c.expected == c.total + 1);  // the last frame arrived
    const auto st = mixer.stats(c.id);
    REQUIRE(st);
    CHECK(st->ended);
    CHECK(c.middle_silence <= st->underrun_frames);
    underruns += st->underrun_events;
  }
  const auto t = mixer.totals();
  CHECK(t.wake_posts <= t.mix_calls);
  MESSAGE("streamer stress, " << threads << " pool thread(s): " << calls << " mix calls, " << seeks << " seeks, "
                              << replaced << " streams replaced, " << underruns << " underrun events, " << t.wake_posts
                              << " posts (" << t.wake_syscalls << " futex wakes), " << t.pool_wakeups
                              << " pool wake-ups, " << t.halves_filled << " halves");
}

}  // namespace

TEST_CASE("streamer stress: every stream's frames once, in order, through the mix; one pool thread") {
  run_stress(1, 1);
}

TEST_CASE("streamer stress: the same with three pool threads") {
  run_stress(3, 2);
}
