// Unit tests of pingpong::streamer: the sum, gains and ramps, priming vs
// underruns, the end, seeks, removal and slot reuse, capacity, wake-ups.
#include <doctest/doctest.h>

#include <pingpong/streamer.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "streamer_sources.hpp"

using namespace std::chrono_literals;
using pingpong::streamer;
using streamer_test::level_source;

namespace {

/// Waits (as an offline consumer may) until every stream can deliver `frames`.
void wait_ready(streamer& mixer, std::size_t frames) {
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  while (mixer.available() < frames) {
    REQUIRE(std::chrono::steady_clock::now() < give_up);
    std::this_thread::sleep_for(200us);
  }
}

}  // namespace

TEST_CASE("pingpong::streamer") {
  SUBCASE("mix() is the sample-wise sum of the streams, in the order they were added") {
    streamer mixer({.channels = 2, .half_frames = 128, .max_streams = 4});
    REQUIRE(mixer.add(std::make_unique<level_source>(0.25f, 1000)));
    REQUIRE(mixer.add(std::make_unique<level_source>(0.5f, 600)));
    REQUIRE(mixer.add(std::make_unique<level_source>(-0.125f, 800)));
    CHECK(mixer.size() == 3);
    mixer.start();
    std::vector<float> out(100 * 2);
    std::vector<float> left;
    while (!mixer.all_ended()) {
      wait_ready(mixer, 100);
      mixer.mix(out.data(), 100);
      for (std::size_t f = 0; f < 100; ++f) {
        CHECK(out[2 * f] == out[2 * f + 1]);
        left.push_back(out[2 * f]);
      }
      REQUIRE(left.size() < 10000);
    }
    REQUIRE(left.size() >= 1000);
    for (std::size_t f = 0; f < left.size(); ++f) {
      float expect = 0.0f;
      if (f < 1000) expect += 0.25f;
      if (f < 600) expect += 0.5f;
      if (f < 800) expect += -0.125f;
      REQUIRE(left[f] == expect);
    }
    CHECK(mixer.totals().underrun_events == 0);
  }

  SUBCASE("a gain change ramps linearly over ramp_frames; remove() ramps out, then the slot is reclaimed") {
    streamer mixer({.channels = 1, .half_frames = 64, .max_streams = 1, .ramp_frames = 4});
    auto id = mixer.add(std::make_unique<level_source>(1.0f));
    REQUIRE(id);
    mixer.start();
    std::vector<float> out(8);
    wait_ready(mixer, 8);
    mixer.mix(out.data(), 8);
    CHECK(out == std::vector<float>(8, 1.0f));  // added at its gain, no ramp in
    REQUIRE(mixer.set_gain(*id, 0.0f));
    wait_ready(mixer, 8);
    mixer.mix(out.data(), 8);
    CHECK(out == std::vector<float>{0.75f, 0.5f, 0.25f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f});
    REQUIRE(mixer.set_gain(*id, 1.0f));
    REQUIRE(mixer.remove(*id));  // the ramp starts from 0 towards 0: nothing to ramp
    CHECK_FALSE(mixer.remove(*id));
    CHECK(mixer.stats(*id)->removing);
    CHECK_FALSE(mixer.add(std::make_unique<level_source>(1.0f)));  // the one slot is still ramping out
    mixer.mix(out.data(), 8);
    CHECK(out == std::vector<float>(8, 0.0f));
    CHECK(mixer.collect() == 1);
    CHECK_FALSE(mixer.stats(*id));  // the id is gone with its slot
    auto again = mixer.add(std::make_unique<level_source>(0.5f));
    REQUIRE(again);
    CHECK(again->slot == id->slot);
    CHECK(again->generation != id->generation);
    CHECK_FALSE(mixer.set_gain(*id, 1.0f));  // the old id does not reach the new stream
    wait_ready(mixer, 8);
    mixer.mix(out.data(), 8);
    CHECK(out == std::vector<float>(8, 0.5f));
  }

  SUBCASE("remove() ramps a playing stream out over ramp_frames") {
    streamer mixer({.channels = 1, .half_frames = 64, .max_streams = 2, .ramp_frames = 4});
    auto id = mixer.add(std::make_unique<level_source>(1.0f));
    mixer.start();
    std::vector<float> out(6);
    wait_ready(mixer, 6);
    REQUIRE(mixer.remove(*id));
    mixer.mix(out.data(), 6);
    CHECK(out == std::vector<float>{0.75f, 0.5f, 0.25f, 0.0f, 0.0f, 0.0f});
    CHECK(mixer.collect() == 0);  // the real-time side lets it go at its next mix
    mixer.mix(out.data(), 6);
    CHECK(mixer.collect() == 1);
  }

  SUBCASE("silence before the first half is priming; a late source afterwards is an underrun") {
    std::atomic<bool> hold{true};
    streamer mixer({.channels = 2, .half_frames = 64, .max_streams = 2});
    auto id = mixer.add(std::make_unique<level_source>(0.5f, 0, &hold));
    mixer.start();
    std::vector<float> out(32 * 2);
    for (int i = 0; i < 5; ++i) mixer.mix(out.data(), 32);
    CHECK(mixer.stats(*id)->underrun_events == 0);
    CHECK(mixer.stats(*id)->frames_played == 0);
    CHECK(mixer.totals().wake_posts == 5);  // a starved stream wakes the pool, once per call
    hold = false;
    wait_ready(mixer, 32);
    mixer.mix(out.data(), 32);
    CHECK(out[0] == 0.5f);
    hold = true;
    // Play out what is queued (two halves at most), then starve.
    for (int i = 0; i < 8; ++i) mixer.mix(out.data(), 32);
    const auto st = *mixer.stats(*id);
    CHECK(st.frames_played >= 32);
    CHECK(st.frames_played <= 32 + 2 * 64);
    CHECK(st.underrun_events > 0);
    CHECK(st.underrun_frames >= 32);
    CHECK(mixer.totals().underrun_events == st.underrun_events);
    CHECK(mixer.totals().wake_posts <= mixer.totals().mix_calls);
  }

  SUBCASE("a stream plays its last frame, then ends; seek() plays it again, primed anew") {
    streamer mixer({.channels = 2, .half_frames = 64, .max_streams = 2});
    auto id = mixer.add(std::make_unique<streamer_test::counter_source>(0, 150));
    mixer.start();
    std::vector<float> out(40 * 2);
    std::vector<std::uint64_t> seen;
    auto play = [&](int calls) {
      for (int i = 0; i < calls; ++i) {
        wait_ready(mixer, 40);
        mixer.mix(out.data(), 40);
        for (std::size_t f = 0; f < 40; ++f)
          if (!streamer_test::silent(&out[2 * f])) seen.push_back(streamer_test::decode(&out[2 * f]));
      }
    };
    play(5);  // 200 frames asked, 150 there
    REQUIRE(seen.size() == 150);
    for (std::size_t i = 0; i < seen.size(); ++i) REQUIRE(seen[i] == i + 1);
    CHECK(mixer.stats(*id)->ended);
    CHECK(mixer.all_ended());
    CHECK(mixer.stats(*id)->underrun_events == 0);  // silence after the end is not an underrun
    seen.clear();
    REQUIRE(mixer.seek(*id, 100));
    // The flush is applied by the next mix; the refill follows.
    for (int i = 0; i < 200 && seen.empty(); ++i) {
      mixer.mix(out.data(), 40);
      for (std::size_t f = 0; f < 40; ++f)
        if (!streamer_test::silent(&out[2 * f])) seen.push_back(streamer_test::decode(&out[2 * f]));
      std::this_thread::sleep_for(1ms);
    }
    play(2);
    REQUIRE(seen.size() == 50);
    for (std::size_t i = 0; i < seen.size(); ++i) REQUIRE(seen[i] == 101 + i);
    CHECK(mixer.stats(*id)->ended);
    CHECK(mixer.stats(*id)->underrun_events == 0);  // the seek's silence was priming
  }

  SUBCASE("earliest deadline first: the pool fills the stream that runs out soonest before the others") {
    // A plays (32 frames left in its front half, one half outstanding); B
    // was just added and has nothing (it runs out now). Both sources are
    // held, then released together: the pool must fill B first, though A
    // has the lower slot.
    std::mutex log_mutex;
    std::string order;
    std::atomic<bool> hold_a{false}, hold_b{true};
    auto source = [&](char name, std::atomic<bool>& hold) {
      return pingpong::make_source([&, name](std::span<float> out, std::size_t) -> pingpong::fill_result {
        if (hold.load()) return {0, false};
        std::fill(out.begin(), out.end(), 0.25f);
        std::lock_guard held(log_mutex);
        order += name;
        return {out.size(), false};
      });
    };
    streamer mixer({.channels = 1, .half_frames = 64, .max_streams = 2, .idle_timeout = std::chrono::seconds(30)});
    auto a = mixer.add(source('A', hold_a));
    mixer.start();
    std::vector<float> out(96);
    wait_ready(mixer, 64);
    const auto prefilled = std::chrono::steady_clock::now() + 10s;
    while (mixer.stats(*a)->halves_filled < 2) {
      REQUIRE(std::chrono::steady_clock::now() < prefilled);
      std::this_thread::sleep_for(1ms);
    }
    hold_a = true;
    mixer.mix(out.data(), 96);  // A: one half played out, 32 frames left in the next
    auto b = mixer.add(source('B', hold_b));
    std::this_thread::sleep_for(20ms);  // the pool tries both, is refused, sleeps
    {
      std::lock_guard held(log_mutex);
      order.clear();
    }
    hold_a = false;
    hold_b = false;
    mixer.mix(out.data(), 1);  // B starves: the one post
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    for (;;) {
      {
        std::lock_guard held(log_mutex);
        if (order.size() >= 3) break;
      }
      REQUIRE(std::chrono::steady_clock::now() < give_up);
      std::this_thread::sleep_for(1ms);
    }
    std::lock_guard held(log_mutex);
    CHECK(order.substr(0, 3) == "BBA");  // B (nothing queued) twice, then A (32 frames left)
    CHECK(mixer.stats(*b)->halves_filled == 2);
  }

  SUBCASE("capacity: add() beyond max_streams is refused; ids of other streams are refused") {
    streamer mixer({.channels = 2, .half_frames = 64, .max_streams = 2});
    REQUIRE(mixer.add(std::make_unique<level_source>(0.1f)));
    REQUIRE(mixer.add(std::make_unique<level_source>(0.1f)));
    CHECK_FALSE(mixer.add(std::make_unique<level_source>(0.1f)));
    CHECK_FALSE(mixer.remove({.slot = 7, .generation = 1}));
    CHECK_FALSE(mixer.seek({.slot = 0, .generation = 9}, 0));
    CHECK_THROWS_AS(mixer.add(nullptr), std::invalid_argument);
    CHECK_THROWS_AS(streamer({.channels = 0}), std::invalid_argument);
  }

  SUBCASE("a source that throws ends its stream, marked failed; the others play on") {
    streamer mixer({.channels = 1, .half_frames = 32, .max_streams = 2});
    auto bad = mixer.add(pingpong::make_source(
        [](std::span<float>, std::size_t) -> pingpong::fill_result { throw std::runtime_error("decode error"); }));
    auto good = mixer.add(std::make_unique<level_source>(0.5f, 64));
    mixer.start();
    std::vector<float> out(16);
    for (int i = 0; i < 4; ++i) {
      wait_ready(mixer, 16);
      mixer.mix(out.data(), 16);
      CHECK(out == std::vector<float>(16, 0.5f));
    }
    mixer.mix(out.data(), 16);
    CHECK(mixer.stats(*bad)->failed);
    CHECK(mixer.stats(*bad)->ended);
    CHECK(mixer.stats(*good)->ended);
    CHECK_FALSE(mixer.stats(*good)->failed);
  }

  SUBCASE("several pool threads fill many streams; mix() posts at most once per call") {
    streamer mixer({.channels = 2, .half_frames = 64, .max_streams = 32, .threads = 3});
    for (int i = 0; i < 32; ++i) REQUIRE(mixer.add(std::make_unique<level_source>(1.0f / 32, 64 * 20)));
    mixer.start();
    std::vector<float> out(64 * 2);
    std::size_t calls = 0;
    while (!mixer.all_ended()) {
      wait_ready(mixer, 64);
      mixer.mix(out.data(), 64);
      ++calls;
      if (calls <= 20) REQUIRE(out[0] == doctest::Approx(1.0f));
      REQUIRE(calls < 1000);
    }
    const auto t = mixer.totals();
    CHECK(t.mix_calls == calls);
    CHECK(t.wake_posts <= t.mix_calls);
    CHECK(t.halves_filled == 32 * 20);
    CHECK(t.underrun_events == 0);
  }
}
