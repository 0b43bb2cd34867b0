// Offline render: the device thread takes each period as soon as the
// producer has published it and writes it with libsndfile. With no gain and
// no resampling the file equals the decoded source, sample for sample.
#include <sndfile.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "player/device.hpp"
#include "player/device_kinds.hpp"

namespace pingpong::player {
namespace {

int format_for(const std::string& path) {
  if (path == "/dev/null") return SF_FORMAT_RAW | SF_FORMAT_FLOAT;  // a sink for benchmarks
  const auto dot = path.rfind('.');
  std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
  for (auto& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (ext == "wav") return SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  if (ext == "flac") return SF_FORMAT_FLAC | SF_FORMAT_PCM_24;
  if (ext == "ogg") return SF_FORMAT_OGG | SF_FORMAT_VORBIS;
  if (ext == "aiff" || ext == "aif") return SF_FORMAT_AIFF | SF_FORMAT_FLOAT;
  if (ext == "au") return SF_FORMAT_AU | SF_FORMAT_FLOAT;
  if (ext == "raw") return SF_FORMAT_RAW | SF_FORMAT_FLOAT;
  throw input_error("--output '" + path + "': unknown extension; use .wav (float), .flac, .ogg, .aiff, .au or .raw");
}

class file_device final : public device {
 public:
  explicit file_device(const device_request& request) : path_(request.output_file) {
    info_.name = path_;
    info_.host_api = "file";
    info_.sample_rate = request.preferred_rate;
    info_.channels = std::max(1, request.wanted_channels);
    // Offline, a "period" is just a write size; small ones only add calls.
    info_.period_frames = std::max<std::size_t>(request.period_frames, 4096);
    SF_INFO sf{};
    sf.samplerate = info_.sample_rate;
    sf.channels = info_.channels;
    sf.format = format_for(path_);
    if (!sf_format_check(&sf)) throw input_error("--output '" + path_ + "': this format cannot hold " +
                                                 std::to_string(sf.channels) + " channels at " +
                                                 std::to_string(sf.samplerate) + " Hz");
    file_ = sf_open(path_.c_str(), SFM_WRITE, &sf);
    if (!file_) throw input_error("cannot write '" + path_ + "': " + sf_strerror(nullptr));
    out_.assign(info_.period_frames * std::size_t(info_.channels), 0.0f);
  }
  ~file_device() override {
    stop();
    if (file_) sf_close(file_);
  }

  device_info info() const override { return info_; }
  void start(render_target& target) override {
    target_ = &target;
    thread_ = std::thread([this] { run(); });
  }
  void stop() noexcept override {
    stop_.store(true, std::memory_order_relaxed);  // relaxed: a polled flag
    if (thread_.joinable()) thread_.join();
  }
  bool finished() const noexcept override { return finished_.load(std::memory_order_acquire); }
  double own_syscalls_per_callback() const noexcept override { return 1.0; }  // its write()
  std::string failure() const override { return finished() ? failure_ : std::string(); }

 private:
  void run() {
    const std::size_t period = info_.period_frames;
    while (!stop_.load(std::memory_order_relaxed)) {
      // Wait for a whole period (or the end): offline, silence would be a lie.
      // Offline is a throughput job: yield rather than sleep (a sleep costs
      // the timer slack, ~50 µs, per half).
      while (target_->available() < period && !target_->producer_done() && !stop_.load(std::memory_order_relaxed))
        std::this_thread::yield();
      const render_result r = target_->render(out_.data(), period, {});
      const std::size_t keep = r.end ? r.frames : period;
      if (keep > 0 && sf_writef_float(file_, out_.data(), sf_count_t(keep)) != sf_count_t(keep)) {
        failure_ = "writing '" + path_ + "' failed: " + sf_strerror(file_);
        break;
      }
      if (r.end) break;
    }
    sf_write_sync(file_);
    finished_.store(true, std::memory_order_release);  // release: publishes failure_ and the counters
  }

  std::string path_;
  device_info info_;
  SNDFILE* file_ = nullptr;
  std::vector<float> out_;
  render_target* target_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> finished_{false};
  std::string failure_;
};

}  // namespace

std::unique_ptr<device> open_file_device(const device_request& request) {
  return std::make_unique<file_device>(request);
}

std::unique_ptr<device> open_device(const device_request& request) {
  if (!request.output_file.empty()) return open_file_device(request);
  if (request.name == "sim") return open_sim_device(request);
  return open_portaudio_device(request);
}

}  // namespace pingpong::player
