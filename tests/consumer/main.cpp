// Builds against the installed headers and moves one half through the swapper.
#include <pingpong/pingpong.hpp>

#include <cstdio>

int main() {
  pingpong::double_buffer<pingpong::lockfree> buffer({.half_frames = 4, .channels = 1});
  auto slot = buffer.writer().try_acquire();
  if (!slot) return 1;
  for (int i = 0; i < 4; ++i) slot.data()[i] = float(i + 1);
  slot.commit(4);
  float out[4] = {};
  const auto got = buffer.reader().read(out, 4);
  const bool ok = got.frames == 4 && out[3] == 4.0f;
  std::printf("consumer: pingpong %s, read %zu frames: %s\n", PINGPONG_VERSION_STRING, got.frames, ok ? "ok" : "WRONG");
  return ok ? 0 : 1;
}
