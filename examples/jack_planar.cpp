// A JACK client fed by the swapper with the planar read: JACK hands the
// process callback one buffer per port, and read_planar() de-interleaves
// straight into them. The producer plays a falling-pitch chirp, then exits.
//   jack_planar [seconds]      (needs a running JACK server)
#include <jack/jack.h>
#include <pingpong/pingpong.hpp>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numbers>
#include <thread>

using Buffer = pingpong::double_buffer<pingpong::lockfree>;

struct client_state {
  Buffer::consumer consumer;  // the real-time role: only process() uses it
  jack_port_t* ports[2] = {};
  std::atomic<bool> done{false};
};

static int process(jack_nframes_t frames, void* arg) {
  auto& s = *static_cast<client_state*>(arg);
  float* out[2] = {static_cast<float*>(jack_port_get_buffer(s.ports[0], frames)),
                   static_cast<float*>(jack_port_get_buffer(s.ports[1], frames))};
  // release: main() may stop once it sees the end; nothing else is published.
  if (s.consumer.read_planar(out, frames).end_of_stream) s.done.store(true, std::memory_order_release);
  return 0;
}

// An example kept short: std::bad_alloc or a misuse exception ends it with
// std::terminate's message, as a reader would expect.
int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape): see above
  const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
  jack_status_t status{};
  jack_client_t* client = jack_client_open("pingpong-example", JackNoStartServer, &status);
  if (!client) {
    std::fprintf(stderr, "jack_planar: cannot connect to a JACK server (status 0x%x)\n", unsigned(status));
    return 1;
  }
  const double rate = jack_get_sample_rate(client);
  const auto period = jack_get_buffer_size(client);
  Buffer buffer({.half_frames = std::max<std::size_t>(std::size_t{4} * period, 1024),
                 .channels = 2,
                 .wake = pingpong::wake_kind::poll,
                 .sample_rate = rate});
  auto [producer_role, consumer_role] = buffer.connect();  // move-only; one of each per buffer
  client_state state;
  state.consumer = std::move(consumer_role);
  state.ports[0] = jack_port_register(client, "out_1", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
  state.ports[1] = jack_port_register(client, "out_2", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
  if (!state.ports[0] || !state.ports[1] || jack_set_process_callback(client, process, &state) != 0) {
    std::fprintf(stderr, "jack_planar: cannot register ports\n");
    jack_client_close(client);
    return 1;
  }

  std::thread producer([&, writer = std::move(producer_role)]() mutable {
    const auto total = static_cast<std::size_t>(seconds * rate);
    double phase = 0;
    for (std::size_t done = 0; done < total;) {
      auto slot = writer.acquire();
      if (!slot) return;
      const std::size_t n = std::min(slot.capacity(), total - done);
      for (std::size_t i = 0; i < n; ++i) {
        const double hz = 880.0 - 440.0 * double(done + i) / double(total);
        phase += 2 * std::numbers::pi * hz / rate;
        slot.data()[2 * i] = slot.data()[2 * i + 1] = float(0.2 * std::sin(phase));
      }
      done += n;
      (void)slot.commit(n, done == total);
    }
  });

  if (jack_activate(client) != 0) {
    std::fprintf(stderr, "jack_planar: cannot activate the client\n");
    buffer.cancel_writer();
    producer.join();
    jack_client_close(client);
    return 1;
  }
  // Connect to the first two physical playback ports, if there are any.
  if (const char** physical =
          jack_get_ports(client, nullptr, JACK_DEFAULT_AUDIO_TYPE, JackPortIsPhysical | JackPortIsInput)) {
    for (int i = 0; i < 2 && physical[i]; ++i) jack_connect(client, jack_port_name(state.ports[i]), physical[i]);
    jack_free(physical);
  }
  while (!state.done.load(std::memory_order_acquire)) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  producer.join();
  jack_deactivate(client);
  jack_client_close(client);
  const auto s = buffer.stats();
  std::printf("played %llu frames at %.0f Hz, period %u, underruns %llu (the first halves may be late)\n",
              (unsigned long long)buffer.position(), rate, unsigned(period), (unsigned long long)s.underrun_events);
  return 0;
}
