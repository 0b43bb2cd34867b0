// summary_text (report/text.hpp): what `pingpong play` prints at the end.
#include <doctest/doctest.h>

#include <string>

#include "player/report/text.hpp"

namespace pp = pingpong::player;

namespace {
bool has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}
}  // namespace

TEST_CASE("play summary: the counts, the stalls and clipping when there were any, never -1") {
  pp::play_report r;
  r.files = {"a.wav", "b\nc.wav"};
  r.device = {"out\x1b", "JACK Audio Connection Kit", 48000, 2, 256, 0.0, true, "s16"};
  r.handoff = "mutex";
  r.wake = "semaphore";
  r.half_frames = 2048;
  r.channel_mapping = "stereo";
  r.frames_played = 96000;
  r.duration_s = 2.0;
  r.underrun_events = 1;
  r.underrun_frames = 256;
  const std::string plain = pp::summary_text(r);
  INFO(plain);
  CHECK(has(plain, "played 2.00 s (96000 frames) of 2 files on 'out\\x1b' (JACK Audio Connection Kit, s16)"));
  CHECK(has(plain, "period 256 (the server's), half 2048"));
  CHECK(has(plain, "underruns 1 (256 frames)"));
  CHECK_FALSE(has(plain, "stalled"));
  CHECK_FALSE(has(plain, "clipped"));
  CHECK_FALSE(has(plain, "-1"));
  CHECK_FALSE(has(plain, "cpu load"));
  CHECK(has(plain, "result: glitched\n"));

  r.server_stalls = 2;
  r.longest_stall_s = 1.25;
  r.clipped_samples = 9;
  r.cpu_load = 0.42;
  r.error = "the server went away";
  const std::string more = pp::summary_text(r);
  INFO(more);
  CHECK(has(more, "audio server stalled 2 times (longest 1.2 s), counted as device xruns"));
  CHECK(has(more, "clipped 9 samples to ±1.0 (s16)"));
  CHECK(has(more, "cpu load 42 %"));
  CHECK(has(more, "result: error: the server went away"));
  CHECK_FALSE(has(more, "  at "));  // no log: no places

  // The logged underruns: where in the stream they fell, the first five.
  r.underrun_events = 7;
  for (int i = 0; i < 6; ++i)
    r.underrun_log.push_back({.t_s = 1.0 + i, .position = 0, .position_s = 61.5 + i, .silence_frames = 64});
  const std::string placed = pp::summary_text(r);
  INFO(placed);
  CHECK(has(placed,
            "  at 1:01.500 (64 frames), 1:02.500 (64 frames), 1:03.500 (64 frames), 1:04.500 (64 frames), "
            "1:05.500 (64 frames), and 2 more (--json lists them)\n"));
}
