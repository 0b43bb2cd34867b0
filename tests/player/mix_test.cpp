// play --mix offline (player/mix.hpp): the render is the sample-wise sum of
// the decoded files, in the order given, bit-exact with float output, as
// long as the longest; the sum's clipping is counted; a resampled file
// keeps its duration.
#include <doctest/doctest.h>

#include <cstring>
#include <random>

#include "player/mix.hpp"
#include "source/helpers.hpp"

namespace pp = pingpong::player;
using namespace source_test;

namespace {

std::vector<float> noise(std::size_t frames, unsigned seed, float level) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-level, level);
  std::vector<float> s(frames * 2);
  for (float& v : s) v = u(rng);
  return s;
}

pp::mix_report render(const std::vector<std::string>& files, const std::string& out, std::size_t period = 256) {
  pp::mix_options o;
  o.files = files;
  o.output_file = out;
  o.period_frames = period;
  return pp::play_mix(o);
}

}  // namespace

TEST_CASE("play --mix: the offline render is the sample-wise sum of the decoded files, bit-exact") {
  temp_dir dir;
  const std::vector<std::string> files = {
      write_audio(dir / "a.wav", wav_float, 48000, 2, noise(30011, 1, 0.3f)),
      write_audio(dir / "b.flac", flac_pcm16, 48000, 2, noise(20000, 2, 0.3f)),
      write_audio(dir / "c.wav", wav_pcm16, 48000, 2, noise(41234, 3, 0.3f)),
  };
  for (std::size_t period : {64u, 256u, 1000u}) {
    CAPTURE(period);
    const auto report = render(files, dir / "mix.wav", period);
    CHECK(report.error.empty());
    CHECK(report.underrun_events() == 0);
    CHECK(report.clipped_in_mix == 0);
    REQUIRE(report.streams.size() == 3);
    CHECK(report.streams[0].frames == 30011);
    CHECK(report.streams[1].frames == 20000);
    CHECK(report.streams[2].frames == 41234);

    std::vector<float> want(41234 * 2, 0.0f);
    for (const auto& f : files) {  // in the order given: ((0 + a) + b) + c
      const auto decoded = sndfile_decode(f);
      for (std::size_t i = 0; i < decoded.size(); ++i) want[i] += decoded[i];
    }
    int channels = 0;
    const auto got = sndfile_decode(dir / "mix.wav", &channels);
    CHECK(channels == 2);
    REQUIRE(got.size() == want.size());  // as long as the longest file
    std::size_t differ = 0;
    for (std::size_t i = 0; i < got.size(); ++i) differ += std::memcmp(&got[i], &want[i], sizeof(float)) != 0;
    CHECK(differ == 0);
    CHECK(report.frames == 41234);
  }
}

TEST_CASE("play --mix: samples of the sum beyond ±1.0 are counted") {
  temp_dir dir;
  const std::vector<float> loud(4000 * 2, 0.75f);
  const auto report = render({write_audio(dir / "a.wav", wav_float, 48000, 2, loud),
                              write_audio(dir / "b.wav", wav_float, 48000, 2, std::vector<float>(1000 * 2, 0.5f))},
                             dir / "mix.wav");
  CHECK(report.clipped_in_mix == 1000 * 2);  // 1.25 where both play
  const auto got = sndfile_decode(dir / "mix.wav");
  REQUIRE(got.size() == 4000 * 2);
  CHECK(got[0] == 1.25f);  // float output keeps it; an integer format would clip it
  CHECK(got[2000 * 2] == 0.75f);
}

TEST_CASE("play --mix: a file at another rate is resampled to the first file's, keeping its duration") {
  temp_dir dir;
  const auto report = render({write_audio(dir / "a.wav", wav_float, 48000, 2, noise(4800, 4, 0.1f)),
                              write_audio(dir / "b.wav", wav_float, 44100, 2, noise(44100, 5, 0.1f))},
                             dir / "mix.wav");
  CHECK(report.device.sample_rate == 48000);
  const auto got = sndfile_decode(dir / "mix.wav");
  CHECK(got.size() / 2 >= 47999);
  CHECK(got.size() / 2 <= 48001);
}
