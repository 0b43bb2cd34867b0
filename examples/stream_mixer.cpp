// Many streams, one producer thread: pingpong::streamer mixes several files
// (or, with none given, a chord of generated tones) in a PortAudio callback
// — or, with --offline, in a loop that stands in for one and checks the sum.
//   stream_mixer [--offline] [--seconds S] [FILE...]
// Files are decoded with libsndfile on the streamer's pool thread; they must
// share the device rate (pingpong play --mix resamples; this example does not).
#include <portaudio.h>
#include <sndfile.h>
#include <pingpong/streamer.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <numbers>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr double rate = 48000.0;
constexpr std::size_t channels = 2;

/// A sine at `hz`, `seconds` long. Runs on the pool thread.
class tone final : public pingpong::stream_source {
 public:
  tone(double hz, float level, double seconds)
      : step_(2 * std::numbers::pi * hz / rate), level_(level), left_(static_cast<std::size_t>(seconds * rate)) {}
  pingpong::fill_result fill(std::span<float> out, std::size_t ch) override {
    const std::size_t frames = std::min(out.size() / ch, left_);
    for (std::size_t f = 0; f < frames; ++f, phase_ += step_)
      for (std::size_t c = 0; c < ch; ++c) out[f * ch + c] = level_ * static_cast<float>(std::sin(phase_));
    left_ -= frames;
    return {frames, left_ == 0};
  }

 private:
  double step_, phase_ = 0;
  float level_;
  std::size_t left_;
};

/// A sound file through libsndfile (mono is copied to both channels).
class sound_file final : public pingpong::stream_source {
 public:
  explicit sound_file(const char* path) : file_(sf_open(path, SFM_READ, &info_)) {}
  ~sound_file() override {
    if (file_) sf_close(file_);
  }
  sound_file(const sound_file&) = delete;
  sound_file& operator=(const sound_file&) = delete;
  bool ok() const { return file_ && info_.channels > 0 && info_.channels <= 2; }
  int rate_hz() const { return info_.samplerate; }
  pingpong::fill_result fill(std::span<float> out, std::size_t ch) override {
    const sf_count_t want = static_cast<sf_count_t>(out.size() / ch);
    const sf_count_t got = sf_readf_float(file_, out.data(), want);  // file channels, interleaved
    if (info_.channels == 1)                                         // spread mono in place, from the back
      for (sf_count_t f = got; f-- > 0;)
        for (std::size_t c = ch; c-- > 0;) out[static_cast<std::size_t>(f) * ch + c] = out[static_cast<std::size_t>(f)];
    return {static_cast<std::size_t>(got), got < want};
  }
  bool seek(std::uint64_t frame) override { return sf_seek(file_, static_cast<sf_count_t>(frame), SEEK_SET) >= 0; }

 private:
  SF_INFO info_{};
  SNDFILE* file_;
};

int callback(const void*, void* out, unsigned long frames, const PaStreamCallbackTimeInfo*, PaStreamCallbackFlags,
             void* user) {
  // RT: mix() sums every stream, wait-free; at most one semaphore post.
  auto* mixer = static_cast<pingpong::streamer*>(user);
  mixer->mix(static_cast<float*>(out), frames);
  return mixer->all_ended() ? paComplete : paContinue;
}

int fail(const std::string& what) {
  std::fprintf(stderr, "stream_mixer: %s\n", what.c_str());
  return 1;
}

}  // namespace

// An example kept short: std::bad_alloc ends it with std::terminate's message.
int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape): see above
  bool offline = false;
  double seconds = 2.0;
  std::vector<const char*> files;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--offline") == 0)
      offline = true;
    else if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
      seconds = std::atof(argv[++i]);
    else
      files.push_back(argv[i]);
  }

  pingpong::streamer mixer({.channels = channels, .half_frames = 2048, .max_streams = 64, .threads = 1});
  const double chord[] = {220.0, 277.18, 329.63, 440.0, 554.37, 659.26};  // A major, two octaves
  const float level = 0.8f / static_cast<float>(std::size(chord));
  if (files.empty()) {
    for (double hz : chord) mixer.add(std::make_unique<tone>(hz, level, seconds));
  } else {
    for (const char* path : files) {
      auto file = std::make_unique<sound_file>(path);
      if (!file->ok()) return fail(std::string(path) + ": cannot open (or more than 2 channels)");
      if (file->rate_hz() != static_cast<int>(rate)) return fail(std::string(path) + ": not 48 kHz");
      mixer.add(std::move(file), 1.0f / static_cast<float>(files.size()));
    }
  }
  mixer.start();  // one producer thread for every stream

  if (offline) {  // stand in for a device: wait for the frames, as a file writer may
    std::vector<float> out(256 * channels);
    double peak = 0, energy = 0;
    std::size_t frames = 0;
    while (!mixer.all_ended()) {
      while (mixer.available() < 256) std::this_thread::sleep_for(std::chrono::microseconds(200));
      mixer.mix(out.data(), 256);
      for (float s : out) {
        peak = std::max(peak, static_cast<double>(std::fabs(s)));
        energy += static_cast<double>(s) * s;
      }
      frames += 256;
    }
    const auto t = mixer.totals();
    const double rms = std::sqrt(energy / static_cast<double>(frames * channels));
    std::printf(
        "stream_mixer: %zu streams, %zu frames mixed, peak %.3f, rms %.3f, %llu underruns, %llu halves, "
        "%llu posts, %llu pool wake-ups\n",
        mixer.size(), frames, peak, rms, static_cast<unsigned long long>(t.underrun_events),
        static_cast<unsigned long long>(t.halves_filled), static_cast<unsigned long long>(t.wake_posts),
        static_cast<unsigned long long>(t.pool_wakeups));
    // The tones' sum: each sine's RMS is level/√2; independent tones add in power.
    if (files.empty()) {
      const double expect = level / std::sqrt(2.0) * std::sqrt(static_cast<double>(std::size(chord)));
      if (t.underrun_events != 0 || std::fabs(rms - expect) > 0.02 * expect) return fail("the mix is not the chord");
    }
    return 0;
  }

  if (PaError e = Pa_Initialize(); e != paNoError) return fail(Pa_GetErrorText(e));
  PaStream* stream = nullptr;
  PaError e = Pa_OpenDefaultStream(&stream, 0, channels, paFloat32, rate, 256, callback, &mixer);
  if (e == paNoError) e = Pa_StartStream(stream);
  if (e != paNoError) {
    Pa_Terminate();
    return fail(Pa_GetErrorText(e));
  }
  while (Pa_IsStreamActive(stream) == 1) Pa_Sleep(50);
  Pa_CloseStream(stream);
  Pa_Terminate();
  const auto t = mixer.totals();
  std::printf("stream_mixer: %zu streams played, %llu underruns\n", mixer.size(),
              static_cast<unsigned long long>(t.underrun_events));
  return 0;
}
