// The PortAudio device. On Linux with a JACK server running, the default is
// PortAudio's JACK output (client "pingpong", connected to the system
// playback ports by PortAudio); otherwise PortAudio's default output.
#include <jack/jack.h>
#include <pa_jack.h>
#include <portaudio.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "player/device/device.hpp"
#include "player/device/kinds.hpp"

namespace pingpong::player {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

/// Pa_Initialize once per process, with ALSA's probing noise on stderr
/// silenced (set PINGPONG_DEBUG_PORTAUDIO=1 to see it).
class pa_system {
 public:
  static pa_system& get() {
    static pa_system instance;
    return instance;
  }
  PaError error() const { return error_; }
  /// A stream was left open because its host stopped responding: closing
  /// it, or Pa_Terminate, would wait for that host forever.
  void mark_abandoned() { abandoned_ = true; }

 private:
  pa_system() {
    PaJack_SetClientName("pingpong");
    // NOLINTNEXTLINE(concurrency-mt-unsafe): nothing in pingpong calls setenv
    const bool quiet = std::getenv("PINGPONG_DEBUG_PORTAUDIO") == nullptr;
    int saved = -1;
    if (quiet) {
      std::fflush(stderr);
      saved = ::dup(STDERR_FILENO);
      const int null_fd = ::open("/dev/null", O_WRONLY);
      if (null_fd >= 0) {
        ::dup2(null_fd, STDERR_FILENO);
        ::close(null_fd);
      }
    }
    error_ = Pa_Initialize();
    if (saved >= 0) {
      std::fflush(stderr);
      ::dup2(saved, STDERR_FILENO);
      ::close(saved);
    }
  }
  ~pa_system() {
    if (error_ == paNoError && !abandoned_) Pa_Terminate();
  }
  PaError error_;
  bool abandoned_ = false;
};

void require_portaudio() {
  if (PaError e = pa_system::get().error(); e != paNoError)
    throw device_error(std::string("PortAudio failed to start: ") + Pa_GetErrorText(e));
}

std::string host_name(PaHostApiIndex api) {
  const PaHostApiInfo* info = Pa_GetHostApiInfo(api);
  return info ? info->name : "?";
}

PaDeviceIndex default_output() {
  // A running JACK server is what the user wants to play through.
  const PaHostApiIndex jack = Pa_HostApiTypeIdToHostApiIndex(paJACK);
  if (jack >= 0) {
    const PaHostApiInfo* info = Pa_GetHostApiInfo(jack);
    if (info && info->defaultOutputDevice != paNoDevice) return info->defaultOutputDevice;
  }
  return Pa_GetDefaultOutputDevice();
}

PaDeviceIndex find_device(const std::string& name) {
  const PaDeviceIndex count = Pa_GetDeviceCount();
  if (name.empty()) {
    const PaDeviceIndex d = default_output();
    if (d == paNoDevice)
      throw device_error("no audio output device: start a JACK server (scripts/jack.sh start) or use --device sim");
    return d;
  }
  if (std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isdigit(c); })) {
    const long index = std::strtol(name.c_str(), nullptr, 10);
    if (index >= count || Pa_GetDeviceInfo(PaDeviceIndex(index))->maxOutputChannels < 1)
      throw device_error("no output device with index " + name + " (see: pingpong devices)");
    return PaDeviceIndex(index);
  }
  const std::string wanted = lower(name);
  for (PaDeviceIndex i = 0; i < count; ++i) {
    const PaDeviceInfo* info = Pa_GetDeviceInfo(i);
    if (info->maxOutputChannels > 0 && lower(info->name).find(wanted) != std::string::npos) return i;
  }
  throw device_error("no output device matches '" + name + "' (see: pingpong devices)");
}

bool is_jack(PaHostApiIndex api) {
  return Pa_HostApiTypeIdToHostApiIndex(paJACK) == api;
}

/// The JACK server's name as libjack picks it.
std::string jack_server_name() {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): nothing in pingpong calls setenv
  const char* name = std::getenv("JACK_DEFAULT_SERVER");
  return name && *name ? name : "default";
}

/// The running JACK server's period (frames per cycle), asked through a
/// short-lived client of its own; 0 if it cannot be asked. PortAudio's JACK
/// host hides its client and adapts any frames-per-buffer by calling back
/// several times per cycle, so the server is the only honest source.
std::size_t jack_server_period() {
  jack_status_t status{};
  jack_client_t* client = jack_client_open("pingpong-query", JackNoStartServer, &status);
  if (!client) return 0;
  const jack_nframes_t frames = jack_get_buffer_size(client);
  jack_client_close(client);
  return frames;
}

/// Whether a JACK server NAME exists, without waiting for it: its request
/// socket (jackd2: /dev/shm/jack_NAME_UID_0) accepts a connection into its
/// backlog even while the server is stopped (SIGSTOP, a debugger) or
/// swapping; a dead server's socket refuses it or is gone.
device::server_state jack_server_state() {
  const std::string path = "/dev/shm/jack_" + jack_server_name() + "_" + std::to_string(::getuid()) + "_0";
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) return device::server_state::unknown;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return device::server_state::unknown;
  const int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
  const int error = rc == 0 ? 0 : errno;
  ::close(fd);  // the server reads end-of-file and forgets the connection
  if (rc == 0 || error == EAGAIN || error == EINPROGRESS) return device::server_state::alive;
  if (error == ECONNREFUSED || error == ENOENT) return device::server_state::gone;
  return device::server_state::unknown;
}

class portaudio_device final : public device {
 public:
  explicit portaudio_device(const device_request& request) {
    require_portaudio();
    index_ = find_device(request.name);
    const PaDeviceInfo* dev = Pa_GetDeviceInfo(index_);
    info_.name = dev->name;
    info_.host_api = host_name(dev->hostApi);
    info_.channels = std::clamp(request.wanted_channels, 1, dev->maxOutputChannels);
    info_.period_frames = request.period_frames;
    jack_ = is_jack(dev->hostApi);
    unsigned long frames_per_buffer = request.period_frames;
    if (jack_) {
      // JACK calls back once per server cycle with the server's period;
      // asking PortAudio for another size only splits or joins cycles
      // inside one callback burst. Take the server's, and say so.
      info_.period_fixed = true;
      frames_per_buffer = paFramesPerBufferUnspecified;
      if (const std::size_t server_period = jack_server_period(); server_period > 0)
        info_.period_frames = server_period;
    }
    params_ = PaStreamParameters{index_, info_.channels, paFloat32, dev->defaultLowOutputLatency, nullptr};
    const bool preferred_ok = Pa_IsFormatSupported(nullptr, &params_, request.preferred_rate) == paFormatIsSupported;
    if (!preferred_ok && request.require_rate)
      throw device_error("'" + info_.name + "' (" + info_.host_api + ") cannot run at " +
                         std::to_string(request.preferred_rate) + " Hz; it supports " + supported_rates() +
                         ". Use one of those with --rate, or leave --rate out to resample to the device's rate" +
                         (info_.host_api.find("JACK") != std::string::npos
                              ? " (a JACK server's rate is fixed when it starts: jackd -r, scripts/jack.sh --rate)"
                              : ""));
    info_.sample_rate = preferred_ok ? request.preferred_rate : int(dev->defaultSampleRate);
    // Open now, so a refused rate/period is a device error before anything starts.
    const PaError e = Pa_OpenStream(&stream_, nullptr, &params_, info_.sample_rate, frames_per_buffer,
                                    paClipOff | paDitherOff, &portaudio_device::trampoline, this);
    if (e != paNoError) {
      stream_ = nullptr;
      throw device_error("cannot open '" + info_.name + "' at " + std::to_string(info_.sample_rate) + " Hz, period " +
                         std::to_string(request.period_frames) + ": " + Pa_GetErrorText(e) + " (it supports " +
                         supported_rates() + "; try another --period, e.g. " + std::to_string(default_period()) +
                         ", or --rate)");
    }
    Pa_SetStreamFinishedCallback(stream_, &portaudio_device::on_finished);
    if (const PaStreamInfo* s = Pa_GetStreamInfo(stream_)) info_.output_latency_s = s->outputLatency;
  }
  ~portaudio_device() override { stop(); }

  /// The common rates the device accepts with params_, e.g. "48000 Hz" or
  /// "44100, 48000, 96000 Hz".
  std::string supported_rates() const {
    std::string list;
    for (const int rate :
         {8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000, 176400, 192000, 384000}) {
      if (Pa_IsFormatSupported(nullptr, &params_, rate) != paFormatIsSupported) continue;
      list += (list.empty() ? "" : ", ") + std::to_string(rate);
    }
    return list.empty() ? "no common rate" : list + " Hz";
  }
  /// Frames per buffer at the device's default low latency, a period it likes.
  std::size_t default_period() const {
    const PaDeviceInfo* dev = Pa_GetDeviceInfo(index_);
    const double frames = dev->defaultLowOutputLatency * dev->defaultSampleRate;
    std::size_t p = 16;
    while (static_cast<double>(p) < frames && p < 16384) p *= 2;
    return p;
  }

  device_info info() const override { return info_; }

  void start(render_target& target) override {
    target_ = &target;
    if (PaError e = Pa_StartStream(stream_); e != paNoError)
      throw device_error(std::string("cannot start the stream: ") + Pa_GetErrorText(e));
  }

  /// Stops and closes the stream in bounded time. PortAudio's JACK host
  /// waits for the server to acknowledge (a read() on its socket inside
  /// libjack); a server that dropped or wedged this client (e.g. after the
  /// player was stopped with SIGSTOP in JACK's asynchronous mode) never
  /// does. So the closing runs on a thread of its own; if it has not
  /// finished within stop_limit, the stream is left to the process's exit
  /// (abandoned()) and the control thread goes on.
  void stop() noexcept override {
    if (!stream_) return;
    PaStream* stream = std::exchange(stream_, nullptr);
    auto closed = std::make_shared<std::atomic<bool>>(false);
    try {
      std::thread([stream, closed] {
        if (Pa_IsStreamActive(stream) == 1) Pa_AbortStream(stream);
        Pa_CloseStream(stream);
        closed->store(true, std::memory_order_release);  // release: pairs with the acquire below
      }).detach();
    } catch (const std::system_error&) {  // no thread to be had: close here, unbounded
      if (Pa_IsStreamActive(stream) == 1) Pa_AbortStream(stream);
      Pa_CloseStream(stream);
      closed->store(true, std::memory_order_release);
    }
    const auto give_up = std::chrono::steady_clock::now() + stop_limit;
    // acquire: pairs with the closer's release (PortAudio is done with us).
    while (!closed->load(std::memory_order_acquire) && std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (!closed->load(std::memory_order_acquire)) mark_abandoned();
    finished_.store(true, std::memory_order_release);  // release: pairs with finished()
  }

  void abandon() noexcept override {
    // PortAudio's JACK host waits for a process cycle to stop or close a
    // stream; with the server gone none comes. Leave the stream to the exit.
    stream_ = nullptr;
    mark_abandoned();
    finished_.store(true, std::memory_order_release);  // release: pairs with finished()
  }
  bool abandoned() const noexcept override { return abandoned_; }
  server_state server() const noexcept override { return jack_ ? jack_server_state() : server_state::unknown; }

  bool finished() const noexcept override {
    // acquire: pairs with the release in on_finished()/stop().
    return finished_.load(std::memory_order_acquire);
  }
  double cpu_load() const noexcept override { return stream_ ? Pa_GetStreamCpuLoad(stream_) : -1.0; }

 private:
  // Real-time: forwards to the engine. No allocation, locking, I/O or logging
  // (RealtimeSanitizer checks it: PINGPONG_NONBLOCKING).
  static int trampoline(const void*, void* output, unsigned long frames, const PaStreamCallbackTimeInfo*,
                        PaStreamCallbackFlags flags, void* user) noexcept PINGPONG_NONBLOCKING {
    auto* self = static_cast<portaudio_device*>(user);
    const callback_status status{(flags & paOutputUnderflow) != 0, (flags & paOutputOverflow) != 0,
                                 (flags & paPrimingOutput) != 0};
    const render_result r = self->target_->render(static_cast<float*>(output), frames, status);
    return r.end ? paComplete : paContinue;
  }
  static void on_finished(void* user) {
    // release: the engine's final counters are visible to whoever sees this.
    static_cast<portaudio_device*>(user)->finished_.store(true, std::memory_order_release);
  }

  void mark_abandoned() noexcept {
    abandoned_ = true;
    pa_system::get().mark_abandoned();
  }

  static constexpr auto stop_limit = std::chrono::milliseconds(1000);
  bool jack_ = false;
  bool abandoned_ = false;
  PaDeviceIndex index_ = paNoDevice;
  PaStreamParameters params_{};
  PaStream* stream_ = nullptr;
  device_info info_;
  render_target* target_ = nullptr;
  std::atomic<bool> finished_{false};
};

}  // namespace

std::unique_ptr<device> open_portaudio_device(const device_request& request) {
  return std::make_unique<portaudio_device>(request);
}

std::vector<device_listing> list_devices() {
  require_portaudio();
  std::vector<device_listing> out;
  const PaDeviceIndex preferred = default_output();
  for (PaDeviceIndex i = 0; i < Pa_GetDeviceCount(); ++i) {
    const PaDeviceInfo* info = Pa_GetDeviceInfo(i);
    if (info->maxOutputChannels < 1) continue;
    out.push_back({i, info->name, host_name(info->hostApi), info->maxOutputChannels, info->defaultSampleRate,
                   info->defaultLowOutputLatency, info->defaultHighOutputLatency, i == preferred});
  }
  return out;
}

}  // namespace pingpong::player
