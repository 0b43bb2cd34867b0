// Offline render: the device thread writes each half's frames with
// libsndfile straight from the double buffer (consumer peek/consume: no
// copy), sleeping on the producer's commits in between (no polling). The
// producer decodes straight into the half when the file needs no
// resampling, channel mapping or gain, so a sample is copied twice in all:
// page cache → half (libsndfile's read), half → file (its write). With no
// gain and no resampling the file equals the decoded source, sample for sample.
//
// The file is written under no name (output_file) and named by commit()
// only when the run is good: a failed render leaves no stub and never
// replaces a good file half-way. Integer formats clip at ±1.0 and count
// what they clipped (as SoX does); float formats keep every value.
#include <sndfile.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <pingpong/semaphore.hpp>
#include <pingpong/telemetry.hpp>

#include "player/device/device.hpp"
#include "player/device/kinds.hpp"
#include "player/output_file.hpp"
#include "player/text.hpp"

namespace pingpong::player {
namespace {

struct container {
  int format;  ///< SF_FORMAT_* major format
  const char* name;
  output_encoding default_encoding;
  bool has_bits;            ///< false: a codec with no sample format (Vorbis)
  bool takes_32_and_float;  ///< FLAC holds 8..24-bit integers only
};

container container_for(const std::string& path) {
  const auto dot = path.rfind('.');
  const auto slash = path.rfind('/');
  std::string ext = dot == std::string::npos || (slash != std::string::npos && dot < slash) ? "" : path.substr(dot + 1);
  for (auto& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (ext == "wav") return {SF_FORMAT_WAV, "WAV", output_encoding::float32, true, true};
  if (ext == "flac") return {SF_FORMAT_FLAC, "FLAC", output_encoding::pcm24, true, false};
  if (ext == "ogg") return {SF_FORMAT_OGG, "Ogg Vorbis", output_encoding::automatic, false, false};
  if (ext == "aiff" || ext == "aif") return {SF_FORMAT_AIFF, "AIFF", output_encoding::float32, true, true};
  if (ext == "au") return {SF_FORMAT_AU, "AU", output_encoding::float32, true, true};
  if (ext == "raw") return {SF_FORMAT_RAW, "raw", output_encoding::float32, true, true};
  // A device or pipe (/dev/null as a benchmark sink, /dev/full, a FIFO)
  // without an extension gets raw float samples.
  if (struct stat st{}; ext.empty() && ::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
    return {SF_FORMAT_RAW, "raw", output_encoding::float32, true, true};
  throw input_error("--output '" + path + "': unknown extension; use .wav (float), .flac, .ogg, .aiff, .au or .raw");
}

const char* encoding_name(output_encoding e) {
  switch (e) {
    case output_encoding::pcm16:
      return "16-bit PCM";
    case output_encoding::pcm24:
      return "24-bit PCM";
    case output_encoding::pcm32:
      return "32-bit PCM";
    case output_encoding::float32:
      return "32-bit float";
    case output_encoding::automatic:
      break;
  }
  return "Vorbis";
}

int subtype_of(output_encoding e) {
  switch (e) {
    case output_encoding::pcm16:
      return SF_FORMAT_PCM_16;
    case output_encoding::pcm24:
      return SF_FORMAT_PCM_24;
    case output_encoding::pcm32:
      return SF_FORMAT_PCM_32;
    case output_encoding::float32:
      return SF_FORMAT_FLOAT;
    case output_encoding::automatic:
      break;
  }
  return SF_FORMAT_VORBIS;
}

class file_device final : public device {
 public:
  explicit file_device(const device_request& request) : path_(request.output_file) {
    const container c = container_for(path_);
    output_encoding encoding = request.encoding == output_encoding::automatic ? c.default_encoding : request.encoding;
    if (request.encoding != output_encoding::automatic && !c.has_bits)
      throw input_error(std::string("--bits: ") + c.name + " has no sample format to choose; leave --bits out");
    if (!c.takes_32_and_float && (encoding == output_encoding::pcm32 || encoding == output_encoding::float32))
      throw input_error(std::string("--bits: ") + c.name + " holds 16 or 24 bits; use --bits 16 or 24");
    integer_ =
        encoding == output_encoding::pcm16 || encoding == output_encoding::pcm24 || encoding == output_encoding::pcm32;
    info_.name = path_;
    info_.host_api = "file";
    info_.format = std::string(c.name) + ", " + encoding_name(encoding);
    info_.sample_rate = request.preferred_rate;
    info_.channels = std::max(1, request.wanted_channels);
    // Offline, a "period" is just a write size; small ones only add calls.
    info_.period_frames = std::max<std::size_t>(request.period_frames, 16384);
    sf_info_.samplerate = info_.sample_rate;
    sf_info_.channels = info_.channels;
    sf_info_.format = c.format | subtype_of(encoding);
    if (!sf_format_check(&sf_info_))
      throw input_error("--output '" + path_ + "': " + info_.format + " cannot hold " +
                        std::to_string(sf_info_.channels) + " channels at " + std::to_string(sf_info_.samplerate) +
                        " Hz");
    out_.assign(info_.period_frames * std::size_t(info_.channels), 0.0f);
  }
  ~file_device() override {
    stop();
    close_file();
  }

  device_info info() const override { return info_; }
  void start(render_target& target) override {
    // Opened here, not in the constructor: nothing is created on disk
    // until the input has opened and the run begins.
    file_.emplace(path_, "--output");
    sndfile_ = sf_open_fd(file_->fd(), SFM_WRITE, &sf_info_, SF_FALSE);
    if (!sndfile_) throw output_error("cannot write --output '" + path_ + "': " + sf_strerror(nullptr));
    if (integer_) sf_command(sndfile_, SFC_SET_CLIPPING, nullptr, SF_TRUE);  // clip, never wrap around
    target_ = &target;
    thread_ = std::thread([this] { run(); });
  }
  void stop() noexcept override {
    stop_.store(true, std::memory_order_relaxed);  // relaxed: a polled flag
    if (thread_.joinable()) thread_.join();
  }
  bool finished() const noexcept override { return finished_.load(std::memory_order_acquire); }
  void wait_finished(std::chrono::milliseconds timeout) noexcept override {
    // The posted wake makes a finished render end now, not at the next nap's end.
    if (!finished()) (void)done_.wait_for(timeout);
  }
  double own_syscalls_per_callback() const noexcept override { return 1.0; }  // its write()
  std::string failure() const override { return finished() ? failure_ : std::string(); }
  int failure_code() const noexcept override { return exit_output; }
  std::uint64_t clipped_samples() const noexcept override { return clipped_.load(); }

  void commit() override {
    if (!file_) return;
    if (!failure_.empty()) throw output_error(failure_);
    close_file();  // writes the final header
    if (!failure_.empty()) throw output_error(failure_);
    file_->commit();
    file_.reset();
  }

 private:
  void run() {
    const std::size_t period = info_.period_frames;
    while (!stop_.load(std::memory_order_relaxed)) {
      // Zero copy: write straight from the double buffer's half. The
      // producer's commits wake us (no polling, no yield loop); offline,
      // silence would be a lie, so we only ever write what was decoded.
      const bool done = target_->producer_done();  // before the peek: done and nothing left = the end
      const render_target::view v = target_->peek(period);
      if (v.use_render) {
        if (!render_one(period)) break;
        continue;
      }
      if (v.frames == 0) {
        if (v.end || done) break;
        target_->wait_available(1, std::chrono::milliseconds(50));
        continue;
      }
      const bool ok = write(v.data, v.frames);
      target_->consume(v.frames);
      if (!ok) break;
    }
    finished_.store(true, std::memory_order_release);  // release: publishes failure_ and the counters
    (void)done_.post();                                // the control thread, if it waits in wait_finished()
  }
  /// One render() of `period` frames (the fade-out's path); false at the end.
  bool render_one(std::size_t period) {
    target_->wait_available(period, std::chrono::milliseconds(50));
    const render_result r = target_->render(out_.data(), period, {});
    // The stream's last callback (its end, or the end of a fade-out)
    // holds only r.frames of audio; the rest is padding, not the file's.
    const std::size_t keep = r.end ? r.frames : period;
    if (keep > 0 && !write(out_.data(), keep)) return false;
    return !r.end;
  }
  /// Writes `frames` frames, clipped for an integer format (clipping counted,
  /// NaN written as 0: through out_, since the half is the reader's to read only).
  bool write(const float* data, std::size_t frames) {
    const auto channels = static_cast<std::size_t>(info_.channels);
    for (std::size_t done = 0; done < frames;) {
      const float* from = data + done * channels;
      std::size_t n = frames - done;
      if (integer_ && !in_range(from, n * channels)) {
        n = std::min(n, out_.size() / channels);
        std::copy_n(from, n * channels, out_.data());
        clip(n * channels);
        from = out_.data();
      }
      if (sf_writef_float(sndfile_, from, sf_count_t(n)) != sf_count_t(n)) {
        failure_ = "writing --output '" + path_ + "' failed: " + write_error();
        return false;
      }
      done += n;
    }
    return true;
  }
  static bool in_range(const float* v, std::size_t samples) noexcept {
    bool ok = true;
    for (std::size_t i = 0; i < samples; ++i) ok &= v[i] >= -1.0f && v[i] <= 1.0f;  // false for NaN too
    return ok;
  }
  void clip(std::size_t samples) noexcept {
    std::uint64_t n = 0;
    for (std::size_t i = 0; i < samples; ++i) {
      float& v = out_[i];
      if (v > 1.0f) {
        v = 1.0f;
        ++n;
      } else if (v < -1.0f) {
        v = -1.0f;
        ++n;
      } else if (std::isnan(v)) {
        v = 0.0f;
        ++n;
      }
    }
    if (n) clipped_.add(n);  // read after the thread is joined
  }
  /// libsndfile's message, or the system's when it has none ("No Error"
  /// after a failed write() of a full disk).
  std::string write_error() const {
    const int code = sf_error(sndfile_);
    if (code == SF_ERR_SYSTEM || code == SF_ERR_NO_ERROR) return errno ? error_text(errno) : "write failed";
    return sf_error_number(code);
  }
  void close_file() noexcept {
    if (!sndfile_) return;
    errno = 0;
    if (sf_close(sndfile_) != 0 && failure_.empty())
      failure_ = "writing --output '" + path_ + "' failed: " + (errno ? error_text(errno) : "closing failed");
    sndfile_ = nullptr;
  }

  std::string path_;
  device_info info_;
  SF_INFO sf_info_{};
  bool integer_ = false;
  std::optional<output_file> file_;
  SNDFILE* sndfile_ = nullptr;
  std::vector<float> out_;
  render_target* target_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> finished_{false};
  pingpong::wake_semaphore done_;  ///< posted once, when run() ends
  single_writer_counter<> clipped_;
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
