// Builds against the installed headers and moves one half through the swapper.
#include <pingpong/pingpong.hpp>

#include <chrono>
#include <cstdio>
#include <thread>

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

  // Many streams: two constant sources summed by the streamer's mix().
  pingpong::streamer mixer({.channels = 1, .half_frames = 4, .max_streams = 2});
  for (float level : {0.25f, 0.5f})
    mixer.add(pingpong::make_source([level](std::span<float> span, std::size_t) {
      for (float& v : span) v = level;
      return pingpong::fill_result{span.size(), false};
    }));
  mixer.start();
  for (int i = 0; i < 5000 && mixer.available() < 4; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  float mixed[4] = {};
  mixer.mix(mixed, 4);
  const bool mix_ok = mixed[0] == 0.75f && mixed[3] == 0.75f;
  std::printf("consumer: streamer mixed 2 streams: %s\n", mix_ok ? "ok" : "WRONG");
  return ok && mix_ok ? 0 : 1;
}
