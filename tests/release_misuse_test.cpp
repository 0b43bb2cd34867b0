// Misuse in a release build: this file is compiled with NDEBUG and
// PINGPONG_CHECKS=0 (tests/CMakeLists.txt), with no misuse handler
// installed — the default release report, which counts and returns. Every
// misuse must be refused (nothing changes, nothing undefined), counted by
// misuse_count(), and the buffer must work normally afterwards.
#if !defined(NDEBUG) || PINGPONG_CHECKS != 0
#error "release_misuse_test.cpp must be built with NDEBUG and PINGPONG_CHECKS=0"
#endif
#include <doctest/doctest.h>

#include <pingpong/pingpong.hpp>

#include <string>
#include <vector>

using pingpong::config;
using pingpong::double_buffer;

#define POLICIES pingpong::lockfree, pingpong::mutex, pingpong::mutex_pi, pingpong::trylock

namespace {
// Publishes `frames` frames numbered from `first`, then plays them back and
// checks them: the proof that the buffer still works after a misuse.
template <class Buffer>
void still_works(Buffer& buffer, float first) {
  for (int round = 0; round < 3; ++round) {
    auto slot = buffer.writer().try_acquire();
    REQUIRE(slot);
    for (std::size_t i = 0; i < slot.capacity(); ++i) slot.data()[i] = first + float(i);
    REQUIRE(slot.commit(slot.capacity()));
    std::vector<float> out(buffer.settings().half_frames);
    const auto r = buffer.reader().read(out.data(), out.size());
    REQUIRE(r.frames == out.size());
    CHECK(out.front() == first);
    CHECK(out.back() == first + float(out.size() - 1));
  }
}
std::string last() {
  return pingpong::last_misuse() ? pingpong::last_misuse() : "";
}
}  // namespace

TEST_CASE_TEMPLATE("release misuse: request_flush() while a slot is held is refused, nothing wedges", H, POLICIES) {
  double_buffer<H> buffer(config{.half_frames = 8, .channels = 1});
  const auto before = pingpong::misuse_count();
  {
    auto slot = buffer.writer().try_acquire();
    REQUIRE(slot);
    CHECK_FALSE(buffer.writer().request_flush());
    CHECK(pingpong::misuse_count() == before + 1);
    CHECK(last().find("request_flush() while a slot is held") != std::string::npos);
    CHECK_FALSE(buffer.writer().flush_pending());
    for (std::size_t i = 0; i < 8; ++i) slot.data()[i] = -1.0f - float(i);
    CHECK(slot.commit(8));
  }
  std::vector<float> out(8);
  CHECK(buffer.reader().read(out.data(), 8).frames == 8);
  CHECK(out[7] == -8.0f);
  // The wedge: with the check compiled out, half 0 stayed "playing"
  // for ever and no frame was read again. Refused, the stream goes on:
  still_works(buffer, 1.0f);
  CHECK(buffer.stats().underrun_events == 0);
}

TEST_CASE_TEMPLATE("release misuse: commit() on an empty slot is refused, not a null dereference", H, POLICIES) {
  double_buffer<H> buffer(config{.half_frames = 8, .channels = 1});
  const auto before = pingpong::misuse_count();
  typename double_buffer<H>::write_slot empty;
  CHECK_FALSE(empty.commit(4));
  auto slot = buffer.writer().try_acquire();
  REQUIRE(slot);
  auto moved = std::move(slot);
  CHECK_FALSE(slot.commit(1));  // NOLINT(bugprone-use-after-move): the misuse under test
  CHECK(moved.commit(8));
  CHECK_FALSE(moved.commit(8));  // twice
  CHECK(pingpong::misuse_count() == before + 3);
  CHECK(last().find("commit() on an empty slot") != std::string::npos);
  std::vector<float> out(8);
  CHECK(buffer.reader().read(out.data(), 8).frames == 8);
  still_works(buffer, 100.0f);
}

TEST_CASE_TEMPLATE("release misuse: acquiring a second slot, and too many frames", H, POLICIES) {
  double_buffer<H> buffer(config{.half_frames = 8, .channels = 1});
  const auto before = pingpong::misuse_count();
  auto first = buffer.writer().try_acquire();
  REQUIRE(first);
  CHECK_FALSE(buffer.writer().try_acquire());
  CHECK_FALSE(buffer.writer().acquire_for(std::chrono::milliseconds(1)));
  CHECK(pingpong::misuse_count() >= before + 2);
  CHECK(first.commit(1000));  // clamped to 8, reported
  CHECK(last().find("frames > capacity()") != std::string::npos);
  std::vector<float> out(16);
  CHECK(buffer.reader().read(out.data(), 16).frames == 8);
  still_works(buffer, 7.0f);
}

TEST_CASE_TEMPLATE("release misuse: a second connect() and empty handles are refused", H, POLICIES) {
  double_buffer<H> buffer(config{.half_frames = 8, .channels = 1});
  const auto before = pingpong::misuse_count();
  auto [producer, consumer] = buffer.connect();
  auto [p2, c2] = buffer.connect();
  CHECK_FALSE(p2);
  CHECK_FALSE(c2);
  CHECK_FALSE(p2.acquire());
  CHECK_FALSE(p2.request_flush());
  float out[8];
  CHECK(c2.read(out, 8).frames == 0);
  CHECK_FALSE(c2.peek());
  CHECK(c2.consume(3) == 0);
  CHECK(pingpong::misuse_count() == before + 6);
  // consume() beyond what peek() returned: clamped.
  auto slot = producer.try_acquire();
  REQUIRE(slot);
  CHECK(slot.commit(8));
  REQUIRE(consumer.peek().frames == 8);
  CHECK(consumer.consume(9) == 8);
  CHECK(pingpong::misuse_count() == before + 7);
}

TEST_CASE("release misuse: a handler installed in a release build is called") {
  static int calls = 0;
  const auto previous = pingpong::set_misuse_handler([](const char*) noexcept { ++calls; });
  pingpong::double_buffer<>::write_slot empty;
  CHECK_FALSE(empty.commit(1));
  pingpong::set_misuse_handler(previous);
  CHECK(calls == 1);
}
