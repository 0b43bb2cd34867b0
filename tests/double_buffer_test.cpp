// Unit tests of pingpong::double_buffer, run for every handoff policy.
#include <doctest/doctest.h>

#include <pingpong/pingpong.hpp>

#include <atomic>
#include <chrono>
#include <numeric>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using pingpong::config;
using pingpong::double_buffer;

#define POLICIES pingpong::lockfree, pingpong::mutex, pingpong::mutex_pi, pingpong::trylock

namespace {

// Fills a slot with frames numbered from `first`, the same value on every channel.
template <class Slot>
void fill_ramp(Slot& slot, std::size_t frames, float first) {
  for (std::size_t f = 0; f < frames; ++f)
    for (std::size_t c = 0; c < slot.channels(); ++c) slot.data()[f * slot.channels() + c] = first + float(f);
}

template <class Buffer>
void publish_ramp(Buffer& buffer, std::size_t frames, float first, bool end = false) {
  auto slot = buffer.writer().try_acquire();
  REQUIRE(slot);
  fill_ramp(slot, frames, first);
  slot.commit(frames, end);
}

}  // namespace

TEST_CASE_TEMPLATE("double_buffer plays published frames in order", H, POLICIES) {
  double_buffer<H> buffer(config{.half_frames = 256, .channels = 2});
  publish_ramp(buffer, 256, 1.0f);
  publish_ramp(buffer, 256, 257.0f);
  CHECK_FALSE(buffer.writer().try_acquire());  // both halves queued

  std::vector<float> out(100 * 2);
  std::vector<float> played;
  for (int call = 0; call < 5; ++call) {  // 500 frames: crosses the swap mid-call
    auto r = buffer.reader().read(out.data(), 100);
    CHECK(r.frames == 100);
    CHECK_FALSE(r.underrun);
    for (std::size_t i = 0; i < 100; ++i) {
      CHECK(out[2 * i] == out[2 * i + 1]);
      played.push_back(out[2 * i]);
    }
  }
  for (std::size_t i = 0; i < played.size(); ++i) REQUIRE(played[i] == float(i + 1));

  SUBCASE("the first half is free again once played") {
    auto slot = buffer.writer().try_acquire();
    REQUIRE(slot);
    CHECK(slot.half() == 0);
  }
  auto stats = buffer.stats();
  CHECK(stats.swaps == 2);
  CHECK(stats.underrun_events == 0);
  CHECK(stats.frames_read == 500);
}

TEST_CASE_TEMPLATE("double_buffer records an underrun and keeps going", H, POLICIES) {
  double_buffer<H> buffer(config{.half_frames = 128, .channels = 1});
  std::vector<float> out(64);

  SUBCASE("silence before the first half is priming, not an underrun") {
    auto r = buffer.reader().read(out.data(), 64);
    CHECK(r.silence == 64);
    CHECK_FALSE(r.underrun);
    CHECK(buffer.stats().underrun_events == 0);
  }

  publish_ramp(buffer, 128, 1.0f);
  CHECK(buffer.reader().read(out.data(), 64).frames == 64);
  CHECK(buffer.reader().read(out.data(), 64).frames == 64);
  // The producer is late: the next read finds nothing ready.
  auto r = buffer.reader().read(out.data(), 64);
  CHECK(r.underrun);
  CHECK(r.frames == 0);
  CHECK(r.silence == 64);
  CHECK(std::all_of(out.begin(), out.end(), [](float s) { return s == 0.0f; }));
  // The producer catches up; the stream resumes where it was, nothing lost.
  publish_ramp(buffer, 128, 129.0f);
  r = buffer.reader().read(out.data(), 64);
  CHECK_FALSE(r.underrun);
  CHECK(out[0] == 129.0f);
  auto stats = buffer.stats();
  CHECK(stats.underrun_events == 1);
  CHECK(stats.underrun_frames == 64);
}

TEST_CASE_TEMPLATE("double_buffer ends the stream after a short last half", H, POLICIES) {
  double_buffer<H> buffer(config{.half_frames = 512, .channels = 2});
  publish_ramp(buffer, 512, 1.0f);
  publish_ramp(buffer, 300, 513.0f, /*end=*/true);
  CHECK_FALSE(buffer.end_of_stream());

  std::vector<float> out(1024 * 2, -1.0f);
  auto r = buffer.reader().read(out.data(), 1024);
  CHECK(r.frames == 812);
  CHECK(r.silence == 212);
  CHECK_FALSE(r.underrun);
  CHECK(r.end_of_stream);
  CHECK(buffer.end_of_stream());
  CHECK(out[2 * 811] == 812.0f);
  CHECK(out[2 * 812] == 0.0f);
  // Reads after the end are silence, never underruns.
  r = buffer.reader().read(out.data(), 64);
  CHECK(r.end_of_stream);
  CHECK_FALSE(r.underrun);
  CHECK(buffer.stats().underrun_events == 0);
}

TEST_CASE_TEMPLATE("double_buffer ends the stream on an empty last half", H, POLICIES) {
  double_buffer<H> buffer(config{.half_frames = 64, .channels = 1});
  publish_ramp(buffer, 64, 1.0f);
  {
    auto slot = buffer.writer().try_acquire();
    REQUIRE(slot);
    slot.commit(0, true);
  }
  std::vector<float> out(64);
  auto r = buffer.reader().read(out.data(), 64);
  CHECK(r.frames == 64);
  // The end marker is taken on the next read.
  r = buffer.reader().read(out.data(), 64);
  CHECK(r.end_of_stream);
  CHECK_FALSE(r.underrun);
}

TEST_CASE_TEMPLATE("double_buffer planar read deinterleaves", H, POLICIES) {
  double_buffer<H> buffer(config{.half_frames = 32, .channels = 3});
  {
    auto slot = buffer.writer().try_acquire();
    REQUIRE(slot);
    for (std::size_t f = 0; f < 32; ++f)
      for (std::size_t c = 0; c < 3; ++c) slot.data()[f * 3 + c] = float(c * 100 + f);
    slot.commit(32);
  }
  std::vector<float> left(40), centre(40), right(40);
  float* planes[] = {left.data(), centre.data(), right.data()};
  auto r = buffer.reader().read_planar(planes, 40);
  CHECK(r.frames == 32);
  CHECK(r.silence == 8);
  CHECK(r.underrun);  // half 2 was never published
  for (std::size_t f = 0; f < 32; ++f) {
    CHECK(left[f] == float(f));
    CHECK(centre[f] == float(100 + f));
    CHECK(right[f] == float(200 + f));
  }
  CHECK(left[35] == 0.0f);
}

TEST_CASE_TEMPLATE("double_buffer gives back an uncommitted slot", H, POLICIES) {
  double_buffer<H> buffer(config{.half_frames = 16, .channels = 1});
  {
    auto slot = buffer.writer().try_acquire();
    REQUIRE(slot);
    CHECK(buffer.half_state(0) == pingpong::state::filling);
  }  // dropped
  CHECK(buffer.half_state(0) == pingpong::state::free);
  auto again = buffer.writer().try_acquire();
  REQUIRE(again);
  CHECK(again.half() == 0);
}

TEST_CASE_TEMPLATE("double_buffer flush discards queued halves without blocking the reader", H, POLICIES) {
  double_buffer<H> buffer(config{.half_frames = 64, .channels = 1});
  publish_ramp(buffer, 64, 1.0f);
  publish_ramp(buffer, 64, 65.0f);
  std::vector<float> out(16);
  CHECK(buffer.reader().read(out.data(), 16).frames == 16);  // half 0 playing

  buffer.writer().request_flush();
  CHECK(buffer.writer().flush_pending());
  CHECK_FALSE(buffer.writer().try_acquire());  // waits for the reader to apply it

  auto r = buffer.reader().read(out.data(), 16);  // applies the flush
  CHECK(r.silence == 16);
  CHECK_FALSE(r.underrun);  // silence after a flush is expected
  CHECK_FALSE(buffer.writer().flush_pending());
  CHECK(buffer.stats().flushes == 1);

  // The new stream starts at half 0 on both sides.
  publish_ramp(buffer, 64, 1000.0f);
  r = buffer.reader().read(out.data(), 16);
  CHECK(r.frames == 16);
  CHECK(out[0] == 1000.0f);
  CHECK(buffer.stats().underrun_events == 0);
}

TEST_CASE_TEMPLATE("double_buffer acquire times out and can be cancelled", H, POLICIES) {
  for (auto wake : {pingpong::wake_kind::semaphore, pingpong::wake_kind::poll}) {
    CAPTURE(wake);
    double_buffer<H> buffer(config{.half_frames = 16, .channels = 1, .wake = wake});
    publish_ramp(buffer, 16, 1.0f);
    publish_ramp(buffer, 16, 17.0f);

    const auto start = std::chrono::steady_clock::now();
    CHECK_FALSE(buffer.writer().acquire_for(20ms));
    CHECK(std::chrono::steady_clock::now() - start >= 20ms);

    std::atomic<bool> returned{false};
    std::thread producer([&] {
      auto slot = buffer.writer().acquire();  // no deadline
      CHECK_FALSE(slot);
      returned = true;
    });
    std::this_thread::sleep_for(5ms);
    buffer.cancel_writer();
    producer.join();
    CHECK(returned);
  }
}

TEST_CASE_TEMPLATE("double_buffer wakes a waiting producer when a half frees", H, POLICIES) {
  for (auto wake : {pingpong::wake_kind::semaphore, pingpong::wake_kind::poll}) {
    CAPTURE(wake);
    double_buffer<H> buffer(config{.half_frames = 48, .channels = 1, .wake = wake, .sample_rate = 48000});
    publish_ramp(buffer, 48, 1.0f);
    publish_ramp(buffer, 48, 49.0f);
    std::atomic<bool> got{false};
    std::thread producer([&] {
      auto slot = buffer.writer().acquire_for(5s);
      got = bool(slot);
    });
    std::vector<float> out(48);
    std::this_thread::sleep_for(2ms);
    buffer.reader().read(out.data(), 48);  // frees half 0
    producer.join();
    CHECK(got);
  }
}

TEST_CASE("trylock counts a refused swap as an underrun") {
  double_buffer<pingpong::trylock> buffer(config{.half_frames = 32, .channels = 1});
  publish_ramp(buffer, 32, 1.0f);
  std::vector<float> out(32);
  CHECK(buffer.reader().read(out.data(), 32).frames == 32);  // plays and releases half 0
  publish_ramp(buffer, 32, 33.0f);

  // The producer holds the lock at the swap (the lab's interface for it).
  pingpong::read_result r;
  CHECK(buffer.handoff().lab_stall_inside([&] { r = buffer.reader().read(out.data(), 32); }));
  CHECK(r.underrun);
  CHECK(r.frames == 0);
  CHECK(buffer.stats().lock_busy >= 1);

  r = buffer.reader().read(out.data(), 32);  // lock free again: half 1 plays
  CHECK(r.frames == 32);
  CHECK(out[0] == 33.0f);
}

TEST_CASE("handoff and wake names parse both ways") {
  using pingpong::handoff_kind;
  for (auto kind : {handoff_kind::lockfree, handoff_kind::mutex, handoff_kind::mutex_pi, handoff_kind::trylock}) {
    auto parsed = pingpong::parse_handoff(pingpong::to_string(kind));
    REQUIRE(parsed);
    CHECK(*parsed == kind);
    pingpong::with_handoff(kind, [&](auto tag) { CHECK(decltype(tag)::type::kind == kind); });
  }
  CHECK_FALSE(pingpong::parse_handoff("spinlock"));
  CHECK(pingpong::parse_wake("poll") == pingpong::wake_kind::poll);
  CHECK_FALSE(pingpong::parse_wake("futex"));
}

TEST_CASE("double_buffer rejects zero sizes") {
  CHECK_THROWS_AS(double_buffer<>(config{.half_frames = 0}), std::invalid_argument);
  CHECK_THROWS_AS(double_buffer<>(config{.channels = 0}), std::invalid_argument);
}
