// A 440 Hz tone through PortAudio: the producer thread synthesises into the
// back half while the callback plays the front one.
//   tone_player [seconds] [device-substring]
#include <portaudio.h>
#include <pingpong/pingpong.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numbers>
#include <thread>

using Buffer = pingpong::double_buffer<pingpong::lockfree>;
constexpr double rate = 48000.0;

static int callback(const void*, void* out, unsigned long frames, const PaStreamCallbackTimeInfo*,
                    PaStreamCallbackFlags, void* user) {
  auto r = static_cast<Buffer::consumer*>(user)->read(static_cast<float*>(out), frames);
  return r.end_of_stream ? paComplete : paContinue;  // RT: no locks, no allocation, no I/O
}

static int fail(PaError e) {
  std::fprintf(stderr, "tone_player: %s\n", Pa_GetErrorText(e));
  Pa_Terminate();
  return 1;
}

// An example kept short: std::bad_alloc or a misuse exception ends it with
// std::terminate's message, as a reader would expect.
int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape): see above
  const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
  Buffer buffer({.half_frames = 2048, .channels = 2, .wake = pingpong::wake_kind::poll, .sample_rate = rate});
  auto [producer, consumer] = buffer.connect();  // the roles, typed: move-only, one of each
  if (PaError e = Pa_Initialize(); e != paNoError) return fail(e);
  PaDeviceIndex device = Pa_GetDefaultOutputDevice();
  for (PaDeviceIndex i = 0; argc > 2 && i < Pa_GetDeviceCount(); ++i)
    if (Pa_GetDeviceInfo(i)->maxOutputChannels >= 2 && std::strstr(Pa_GetDeviceInfo(i)->name, argv[2])) device = i;
  if (device == paNoDevice) return fail(paDeviceUnavailable);
  PaStreamParameters params{device, 2, paFloat32, Pa_GetDeviceInfo(device)->defaultLowOutputLatency, nullptr};
  PaStream* stream = nullptr;
  if (PaError e = Pa_OpenStream(&stream, nullptr, &params, rate, 256, paNoFlag, callback, &consumer); e != paNoError)
    return fail(e);

  std::thread producer_thread([&, writer = std::move(producer)]() mutable {  // may block, allocate, do I/O
    const auto total = static_cast<std::size_t>(seconds * rate);
    double phase = 0;
    for (std::size_t done = 0; done < total;) {
      auto slot = writer.acquire();
      if (!slot) return;  // cancelled
      const std::size_t n = std::min(slot.capacity(), total - done);
      for (std::size_t i = 0; i < n; ++i, phase += 2 * std::numbers::pi * 440.0 / rate)
        slot.data()[2 * i] = slot.data()[2 * i + 1] = float(0.2 * std::sin(phase));
      done += n;
      (void)slot.commit(n, done == total);
    }
  });
  // Start once both halves are full, so the first callbacks find data.
  while (buffer.writer_stats().halves_committed < 2 && double(buffer.writer_stats().frames_committed) < seconds * rate)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (PaError e = Pa_StartStream(stream); e != paNoError) {
    buffer.cancel_writer();
    producer_thread.join();
    return fail(e);
  }
  while (Pa_IsStreamActive(stream) == 1) Pa_Sleep(50);
  producer_thread.join();
  Pa_CloseStream(stream);
  Pa_Terminate();
  const auto s = buffer.stats();
  std::printf("played %llu frames, %llu underruns\n", (unsigned long long)buffer.position(),
              (unsigned long long)s.underrun_events);
  return 0;
}
