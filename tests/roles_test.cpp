// The typed roles (connect() → producer + consumer), in-place reads
// (peek/consume) and integer storage, for every handoff policy.
#include <doctest/doctest.h>

#include <pingpong/pingpong.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <type_traits>
#include <vector>

using pingpong::config;
using pingpong::double_buffer;

#define POLICIES pingpong::lockfree, pingpong::mutex, pingpong::mutex_pi, pingpong::trylock

namespace {
// Records misuse reports instead of aborting (these tests build with PINGPONG_CHECKS=1).
int& reports() {
  static int n = 0;
  return n;
}
void count(const char*) noexcept {
  ++reports();
}
struct counting_handler {
  pingpong::misuse_handler previous;
  counting_handler() : previous(pingpong::set_misuse_handler(&count)) { reports() = 0; }
  ~counting_handler() { pingpong::set_misuse_handler(previous); }
};

template <class Producer>
void publish(Producer& producer, std::size_t frames, float first, bool end = false) {
  auto slot = producer.try_acquire();
  REQUIRE(slot);
  for (std::size_t i = 0; i < frames; ++i) slot.data()[i] = first + float(i);
  CHECK(slot.commit(frames, end));
}
}  // namespace

using buffer_t = double_buffer<pingpong::lockfree>;
static_assert(!std::is_copy_constructible_v<buffer_t::producer>, "a role cannot be copied to a second thread");
static_assert(!std::is_copy_assignable_v<buffer_t::consumer>);
static_assert(std::is_nothrow_move_constructible_v<buffer_t::producer>);
static_assert(std::is_nothrow_move_constructible_v<buffer_t::consumer>);

TEST_CASE_TEMPLATE("connect() hands out one producer and one consumer", H, POLICIES) {
  counting_handler handler;
  double_buffer<H> buffer(config{.half_frames = 8, .channels = 1});
  auto [producer, consumer] = buffer.connect();
  REQUIRE(producer);
  REQUIRE(consumer);

  SUBCASE("a second connect() while they live is refused with empty handles") {
    auto [p2, c2] = buffer.connect();
    CHECK_FALSE(p2);
    CHECK_FALSE(c2);
    CHECK(reports() == 1);
    // The empty handles refuse every call, and the real ones still work.
    CHECK_FALSE(p2.try_acquire());
    CHECK(reports() == 2);
    publish(producer, 8, 1.0f);
    std::vector<float> out(8);
    CHECK(consumer.read(out.data(), 8).frames == 8);
    CHECK(out[7] == 8.0f);
  }
  SUBCASE("moving a handle moves the role; dropping both frees it") {
    auto moved = std::move(producer);
    CHECK(moved);
    CHECK_FALSE(producer);  // NOLINT(bugprone-use-after-move): the point of the test
    publish(moved, 4, 1.0f);
    {
      auto gone = std::move(moved);
      auto gone_too = std::move(consumer);
    }
    auto [p3, c3] = buffer.connect();
    CHECK(p3);
    CHECK(c3);
    CHECK(reports() == 0);
    std::vector<float> out(4);
    CHECK(c3.read(out.data(), 4).frames == 4);  // the role's state carried over
  }
}

TEST_CASE_TEMPLATE("consumer peek/consume reads the front half in place", H, POLICIES) {
  double_buffer<H> buffer(config{.half_frames = 16, .channels = 2});
  auto [producer, consumer] = buffer.connect();
  CHECK_FALSE(consumer.peek());  // nothing yet (priming)

  for (unsigned h = 0; h < 2; ++h) {
    auto slot = producer.try_acquire();
    REQUIRE(slot);
    for (std::size_t f = 0; f < 16; ++f) slot.data()[2 * f] = slot.data()[2 * f + 1] = float(h * 16 + f + 1);
    CHECK(slot.commit(16, h == 1));
  }
  auto view = consumer.peek(10);
  REQUIRE(view);
  CHECK(view.frames == 10);
  CHECK(view.channels == 2);
  CHECK(view.samples().size() == 20);
  CHECK(view.data[0] == 1.0f);
  // In place: the view points into the half itself, no copy.
  CHECK(consumer.consume(10) == 10);
  view = consumer.peek();  // the rest of half 0 only: contiguous
  CHECK(view.frames == 6);
  CHECK(view.data[0] == 11.0f);
  CHECK(consumer.consume(6) == 6);
  // Half 0 was given back at once: the producer can refill it.
  CHECK(buffer.half_state(0) == pingpong::state::free);
  view = consumer.peek();
  CHECK(view.frames == 16);
  CHECK(view.data[2 * 15] == 32.0f);
  CHECK(consumer.consume(16) == 16);
  view = consumer.peek();
  CHECK_FALSE(view);
  CHECK(view.end_of_stream);
  CHECK(buffer.end_of_stream());
  CHECK(buffer.position() == 32);
  CHECK(buffer.stats().underrun_events == 0);
}

TEST_CASE("consume more than peek returned is clamped and reported") {
  counting_handler handler;
  double_buffer<> buffer(config{.half_frames = 8, .channels = 1});
  auto [producer, consumer] = buffer.connect();
  publish(producer, 8, 1.0f);
  auto view = consumer.peek();
  REQUIRE(view.frames == 8);
  CHECK(consumer.consume(100) == 8);
  CHECK(reports() == 1);
  CHECK(buffer.position() == 8);
}

TEST_CASE_TEMPLATE("peek/consume and read mix, and a flush applies at peek", H, POLICIES) {
  double_buffer<H> buffer(config{.half_frames = 8, .channels = 1});
  auto [producer, consumer] = buffer.connect();
  publish(producer, 8, 1.0f);
  publish(producer, 8, 9.0f);
  float out[4];
  CHECK(consumer.read(out, 4).frames == 4);
  auto view = consumer.peek();
  REQUIRE(view.frames == 4);
  CHECK(view.data[0] == 5.0f);
  CHECK(consumer.consume(2) == 2);
  CHECK(consumer.read(out, 4).frames == 4);  // 7, 8 | 9, 10
  CHECK(out[0] == 7.0f);
  CHECK(out[3] == 10.0f);
  CHECK(producer.request_flush());
  CHECK(producer.flush_pending());
  CHECK_FALSE(consumer.peek());  // applies the flush: nothing left
  CHECK_FALSE(producer.flush_pending());
  publish(producer, 8, 100.0f);
  view = consumer.peek();
  REQUIRE(view);
  CHECK(view.data[0] == 100.0f);
}

TEST_CASE("peek/consume across threads: every frame once, in order") {
  double_buffer<> buffer(config{.half_frames = 64, .channels = 1});
  auto [producer, consumer] = buffer.connect();
  constexpr std::uint32_t total = 200'000;
  std::thread writer([p = std::move(producer)]() mutable {
    for (std::uint32_t next = 1; next <= total;) {
      auto slot = p.acquire();
      REQUIRE(slot);
      const std::size_t n = std::min<std::size_t>(slot.capacity(), total - next + 1);
      for (std::size_t i = 0; i < n; ++i) slot.data()[i] = float(next++);
      CHECK(slot.commit(n, next > total));
    }
  });
  std::uint32_t expect = 1;
  std::size_t wrong = 0;
  for (;;) {
    auto view = consumer.peek(37);
    if (view.end_of_stream) break;
    for (std::size_t i = 0; i < view.frames; ++i) wrong += view.data[i] != float(expect++);
    consumer.consume(view.frames);
  }
  writer.join();
  CHECK(wrong == 0);
  CHECK(expect == total + 1);
}

TEST_CASE_TEMPLATE("int16 and int32 storage move samples unconverted", S, std::int16_t, std::int32_t) {
  double_buffer<pingpong::lockfree, S> buffer(config{.half_frames = 4, .channels = 2});
  auto [producer, consumer] = buffer.connect();
  auto slot = producer.try_acquire();
  REQUIRE(slot);
  static_assert(std::is_same_v<decltype(slot.data()), S*>);
  for (int i = 0; i < 8; ++i) slot.data()[i] = S(-1000 * i);
  CHECK(slot.commit(4));
  S out[8] = {};
  CHECK(consumer.read(out, 4).frames == 4);
  for (int i = 0; i < 8; ++i) CHECK(out[i] == S(-1000 * i));
  S left[4], right[4];
  S* planes[] = {left, right};
  CHECK(consumer.read_planar(planes, 4).silence == 4);  // an underrun: silence is 0
  CHECK(left[0] == 0);
}

// The README's producer loop, `while (auto slot = producer.acquire()) { … commit(n, n == 0); }`,
// must end with the stream. It used to acquire again after the end and then
// wait forever for a half the finished consumer would never give back.
TEST_CASE_TEMPLATE("after the end of the stream acquire() returns empty until a flush", H, POLICIES) {
  double_buffer<H> buffer(config{.half_frames = 64, .channels = 1, .wake = pingpong::wake_kind::semaphore});
  auto [producer, consumer] = buffer.connect();
  constexpr std::size_t total = 1000;
  std::atomic<bool> producer_done{false}, go_on{false};
  std::thread t([&, p = std::move(producer)]() mutable {
    std::size_t made = 0;
    while (auto slot = p.acquire()) {
      const std::size_t n = std::min(slot.capacity(), total - made);
      for (std::size_t i = 0; i < n; ++i) slot.data()[i] = float(made + i);
      made += n;
      (void)slot.commit(n, n == 0);
    }
    CHECK(p.stream_ended());
    producer_done.store(true);
    // A flush starts a new stream (once the consumer has played this one:
    // a flush drops what is queued); acquires work again once it is applied.
    while (!go_on.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    REQUIRE(p.request_flush());
    CHECK_FALSE(p.stream_ended());
    auto slot = p.acquire_for(std::chrono::seconds(10));
    CHECK(slot);
    if (slot) {
      slot.data()[0] = -1.0f;
      (void)slot.commit(1, true);
    }
    CHECK_FALSE(p.acquire_for(std::chrono::seconds(10)));  // ended again: empty at once
  });
  std::vector<float> out(48);
  std::size_t got = 0, wrong = 0;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!buffer.end_of_stream() && std::chrono::steady_clock::now() < give_up) {
    const auto r = consumer.read(out.data(), out.size());
    for (std::size_t i = 0; i < r.frames; ++i) wrong += out[i] != float(got + i);
    got += r.frames;
    if (r.frames == 0) std::this_thread::yield();
  }
  CHECK(got == total);
  CHECK(wrong == 0);
  // The consumer has stopped reading, as a finished callback does: the
  // producer's loop must have ended on its own.
  const auto wait_until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!producer_done.load() && std::chrono::steady_clock::now() < wait_until)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const bool ended_on_its_own = producer_done.load();
  go_on.store(true);
  if (!ended_on_its_own) {
    buffer.cancel_writer();  // unblock it, then fail
    t.join();
    FAIL("the producer's acquire() loop did not end with the stream");
  }
  // Read on: the flush applies, the new stream's one frame arrives.
  float first = 0;
  std::size_t second = 0;
  for (int turns = 0; turns < 200000 && second == 0; ++turns) {
    const auto r = consumer.read(&first, 1);
    second += r.frames;
    if (r.frames == 0) std::this_thread::yield();
  }
  CHECK(second == 1);
  CHECK(first == -1.0f);
  t.join();
}
