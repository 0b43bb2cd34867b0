// Builds against the installed headers and moves one half through the swapper.
#include <pingpong/pingpong.hpp>

#include <cstdio>

int main() {
  pingpong::double_buffer<pingpong::lockfree> buffer({.half_frames = 4, .channels = 1});
  auto [producer, consumer] = buffer.connect();
  auto slot = producer.try_acquire();
  if (!slot) return 1;
  for (int i = 0; i < 4; ++i) slot.data()[i] = float(i + 1);
  if (!slot.commit(4)) return 1;
  const auto view = consumer.peek();  // in place
  const bool in_place = view.frames == 4 && view.data[0] == 1.0f;
  consumer.consume(1);
  float out[3] = {};
  const auto got = consumer.read(out, 3);
  const bool ok = in_place && got.frames == 3 && out[2] == 4.0f;
  std::printf("consumer: pingpong %s, read %zu frames: %s\n", PINGPONG_VERSION_STRING, got.frames, ok ? "ok" : "WRONG");
  return ok ? 0 : 1;
}
