// Output devices: where the real-time callback's frames go.
//   portaudio  a PortAudio stream (ALSA, JACK, ... whatever the host offers)
//   sim        a simulated device: a thread woken at absolute times every
//              period (SCHED_FIFO when permitted), for machines with no audio
//   file       offline render to a sound file, as fast as the pipeline goes
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <pingpong/detail/realtime.hpp>

#include "player/errors.hpp"
#include "player/latency_histogram.hpp"

namespace pingpong::player {

/// Host-reported conditions for one callback (PortAudio statusFlags).
struct callback_status {
  bool output_underflow = false;
  bool output_overflow = false;
  bool priming = false;
};

struct render_result {
  std::size_t frames = 0;  ///< frames that came from the source (the rest was silence)
  bool end = false;        ///< the stream has played out
};

/// What a device calls. Implemented by the player's engine.
class render_target {
 public:
  virtual ~render_target() = default;
  /// Fills `out` (interleaved, device channels). Thread: the device's
  /// real-time thread. Never blocks, allocates, or does I/O.
  virtual render_result render(float* out, std::size_t frames,
                               const callback_status& status) noexcept PINGPONG_NONBLOCKING = 0;
  /// Frames render() could deliver now without silence. Thread: the device
  /// thread (offline devices wait on it). Wait-free.
  virtual std::size_t available() noexcept PINGPONG_NONBLOCKING = 0;
  /// True once the producer has committed its last half. Thread: any.
  virtual bool producer_done() const noexcept = 0;

  // Offline devices (a file writer: a throughput job on an ordinary thread,
  // never a real-time one) read in place and sleep until there is audio.

  /// The next frames as they lie in the double buffer's front half, without
  /// a copy; consume() marks them written. `frames` 0 with `end` false:
  /// nothing ready yet, or the target cannot hand out a view now (a fade-out
  /// is running; use render()). Thread: the device thread.
  struct view {
    const float* data = nullptr;  ///< frames × channels interleaved
    std::size_t frames = 0;
    bool end = false;         ///< the stream has ended: nothing more will come
    bool use_render = false;  ///< a fade-out is running: call render(), which applies it
  };
  /// Default: no in-place view (render() it is).
  virtual view peek(std::size_t /*max_frames*/) noexcept { return view{.use_render = true}; }
  virtual void consume(std::size_t /*frames*/) noexcept {}
  /// Sleeps until available() ≥ `frames`, the producer is done, or
  /// `timeout`: woken by the producer's commits, no polling. Thread: the
  /// device thread (not real-time: it blocks).
  /// Default: checks every 100 µs (a target with no producer's commits to wait on).
  virtual void wait_available(std::size_t frames, std::chrono::milliseconds timeout) noexcept {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (available() < frames && !producer_done() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
};

struct device_info {
  std::string name;
  std::string host_api;  ///< "JACK Audio Connection Kit", "ALSA", "sim", "file"
  int sample_rate = 0;
  int channels = 0;
  std::size_t period_frames = 0;  ///< the period the device calls back with (JACK: the server's, whatever was asked)
  double output_latency_s = 0.0;
  bool period_fixed = false;  ///< the device decides the period (JACK): --period cannot change it
  std::string format;         ///< offline: the file's format, e.g. "WAV, 24-bit PCM"; empty for devices
};

/// The sample format of an offline render (--bits).
enum class output_encoding { automatic, pcm16, pcm24, pcm32, float32 };

struct device_request {
  std::string name;            ///< "" = default; "sim"; substring or index for PortAudio
  std::string output_file;     ///< non-empty: offline render to this file
  int preferred_rate = 48000;  ///< the source's rate; used if the device can run at it
  bool require_rate = false;   ///< the user asked for preferred_rate: an error if the device cannot run at it
  int wanted_channels = 2;     ///< the source's channels; the device may offer fewer
  std::size_t period_frames = 256;
  output_encoding encoding = output_encoding::automatic;  ///< offline: float for .wav/.aiff/.au/.raw, 24-bit for .flac
  int fifo_priority = 70;  ///< sim: SCHED_FIFO priority of the device thread (when permitted)
  int cpu = -1;            ///< sim: pin the device thread; -1 = no
};

class device {
 public:
  virtual ~device() = default;
  virtual device_info info() const = 0;
  /// Starts calling `target`. Throws device_error. Thread: control.
  virtual void start(render_target& target) = 0;
  /// Stops and joins; idempotent, safe after a failed start. Thread: control.
  virtual void stop() noexcept = 0;
  /// The device stopped responding (e.g. its audio server died): give up on
  /// it without the calls that would wait for it. Thread: control.
  virtual void abandon() noexcept { stop(); }
  /// True if stop() or abandon() had to leave the stream to the host (it did
  /// not let go in bounded time): the device and the target it calls must
  /// then outlive the process's use of them (never destroyed).
  virtual bool abandoned() const noexcept { return false; }
  /// Whether the audio server behind the device still exists, asked when
  /// callbacks stop: a stalled server (stopped, swapping) comes back, a dead
  /// one does not. Thread: control. Never blocks.
  enum class server_state { alive, gone, unknown };
  virtual server_state server() const noexcept { return server_state::unknown; }
  /// Offline devices: give the rendered file its name (after stop(), once
  /// the run is known good). Throws output_error. Others: nothing.
  virtual void commit() {}
  /// Offline devices: samples clipped to ±1.0 for an integer format.
  virtual std::uint64_t clipped_samples() const noexcept { return 0; }
  /// The stream has finished by itself (end of stream) or failed.
  virtual bool finished() const noexcept = 0;
  /// Waits up to `timeout` for finished(), or less. Thread: control (one).
  /// Devices that know when they finish (offline) wake the caller at once.
  virtual void wait_finished(std::chrono::milliseconds timeout) noexcept {
    if (!finished()) std::this_thread::sleep_for(timeout);
  }
  /// Non-empty if the device failed while running.
  virtual std::string failure() const { return {}; }
  /// The exit code of that failure: exit_device, or exit_output for a render that could not be written.
  virtual int failure_code() const noexcept { return exit_device; }
  /// PortAudio's CPU load estimate, 0..1; < 0 if the device has none.
  virtual double cpu_load() const noexcept { return -1.0; }
  /// The sim device: how late each wake-up was. nullptr for others.
  virtual const latency_histogram* wake_lateness() const noexcept { return nullptr; }
  /// System calls the device thread makes per callback outside the callback
  /// (sim: 1, its clock_nanosleep); < 0 if unknown (a host's thread).
  virtual double own_syscalls_per_callback() const noexcept { return -1.0; }
  /// How the device thread ran (sim: "SCHED_FIFO 70, CPU 0"); empty if unknown.
  virtual std::string scheduling() const { return {}; }
};

/// Opens the device the request names. Throws device_error (exit 3) for a
/// missing/unusable device, input_error (exit 2) for a bad request.
std::unique_ptr<device> open_device(const device_request& request);

/// One line per PortAudio output device, for `pingpong devices`.
struct device_listing {
  int index;
  std::string name, host_api;
  int max_output_channels;
  double default_rate, low_latency_s, high_latency_s;
  bool is_default;
};
std::vector<device_listing> list_devices();

}  // namespace pingpong::player
