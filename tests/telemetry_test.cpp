#include <doctest/doctest.h>

#include <pingpong/pingpong.hpp>

#include <vector>

TEST_CASE("event_log counts what does not fit as dropped") {
  pingpong::event_log log(4);
  int pushed = 0;
  for (int i = 0; i < 10000; ++i) pushed += log.try_push({pingpong::event_kind::swap}) ? 1 : 0;
  CHECK(pushed >= 4);
  CHECK(log.dropped() == std::uint64_t(10000 - pushed));
  pingpong::event e;
  int popped = 0;
  while (log.try_pop(e)) ++popped;
  CHECK(popped == pushed);
}

TEST_CASE("double_buffer logs swaps, underruns and the end in order") {
  pingpong::double_buffer<> buffer({.half_frames = 8, .channels = 1, .event_capacity = 64});
  std::vector<float> out(8);
  buffer.reader().read(out.data(), 8);  // priming: no event
  {
    auto slot = buffer.writer().try_acquire();
    slot.commit(8);
  }
  buffer.reader().read(out.data(), 8);  // swap (half 0)
  buffer.reader().read(out.data(), 8);  // underrun
  {
    auto slot = buffer.writer().try_acquire();
    slot.commit(4, true);
  }
  buffer.reader().read(out.data(), 8);  // swap (half 1), end

  std::vector<pingpong::event> events;
  pingpong::event e;
  while (buffer.events()->try_pop(e)) events.push_back(e);
  REQUIRE(events.size() == 4);
  CHECK(events[0].kind == pingpong::event_kind::swap);
  CHECK(events[0].half == 0);
  CHECK(events[1].kind == pingpong::event_kind::underrun);
  CHECK(events[1].frames == 8);
  CHECK(events[1].position == 16);
  CHECK(events[1].stream_position == 8);  // the priming silence and the gap are not the stream's
  CHECK(events[2].kind == pingpong::event_kind::swap);
  CHECK(events[2].frames == 4);
  CHECK(events[3].kind == pingpong::event_kind::end_of_stream);
  CHECK(events[1].time_ns <= events[2].time_ns);
}

TEST_CASE("callback_timer counts deadline misses against its period") {
  pingpong::callback_timer timer(1000);
  timer.record(0, 500);
  timer.record(1000, 2500);
  CHECK(timer.callbacks() == 2);
  CHECK(timer.deadline_misses() == 1);
  CHECK(timer.max_ns() == 1500);
}
