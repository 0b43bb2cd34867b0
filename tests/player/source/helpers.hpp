// Helpers the source tests share: a temp directory, media written with
// libsndfile, decoding references, and checks of one-line errors.
#pragma once

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sndfile.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "player/source/source.hpp"

namespace fs = std::filesystem;
using pingpong::player::file_info;
using pingpong::player::input_error;
using pingpong::player::parse_time;
using pingpong::player::probe_file;
using pingpong::player::source;
using pingpong::player::source_options;

namespace source_test {

/// A unique directory under the system temp dir, removed on destruction.
struct temp_dir {
  fs::path path;
  temp_dir() {
    std::string templ = (fs::temp_directory_path() / "pingpong-source-test-XXXXXX").string();
    REQUIRE(::mkdtemp(templ.data()) != nullptr);
    path = templ;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

constexpr int wav_float = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
constexpr int wav_pcm16 = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
constexpr int flac_pcm16 = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
constexpr int ogg_vorbis = SF_FORMAT_OGG | SF_FORMAT_VORBIS;

/// Writes interleaved `samples` as `format`. Returns the path.
inline std::string write_audio(const std::string& path, int format, int rate, int channels,
                               const std::vector<float>& samples) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = channels;
  info.format = format;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  REQUIRE_MESSAGE(f != nullptr, sf_strerror(nullptr));
  const sf_count_t frames = static_cast<sf_count_t>(samples.size() / static_cast<std::size_t>(channels));
  REQUIRE(sf_writef_float(f, samples.data(), frames) == frames);
  REQUIRE(sf_close(f) == 0);
  return path;
}

/// What libsndfile itself decodes: the reference for bit-exactness.
inline std::vector<float> sndfile_decode(const std::string& path, int* channels = nullptr) {
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  REQUIRE(f != nullptr);
  std::vector<float> all;
  std::vector<float> buf(std::size_t(1024) * std::size_t(info.channels));
  for (;;) {
    const sf_count_t got = sf_readf_float(f, buf.data(), 1024);
    if (got <= 0) break;
    all.insert(all.end(), buf.begin(), buf.begin() + got * info.channels);
  }
  sf_close(f);
  if (channels != nullptr) *channels = info.channels;
  return all;
}

/// Everything the source produces, read `chunk` frames at a time (at most
/// `max_frames`, for endless loops).
inline std::vector<float> drain(source& s, std::size_t chunk, std::size_t max_frames = SIZE_MAX) {
  const auto ch = static_cast<std::size_t>(s.output_channels());
  std::vector<float> all;
  std::vector<float> buf(chunk * ch);
  std::size_t total = 0;
  while (total < max_frames) {
    const std::size_t want = std::min(chunk, max_frames - total);
    const std::size_t got = s.read(buf.data(), want);
    CHECK(got <= want);
    all.insert(all.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(got * ch));
    total += got;
    if (got < want) {
      // Short only at the very end, and 0 from then on.
      CHECK(s.read(buf.data(), chunk) == 0);
      break;
    }
  }
  return all;
}

/// Reads until read() returns 0 (an error after good frames comes with the
/// read after the short one). Returns the frames read.
inline std::size_t read_until_end(source& s) {
  std::vector<float> buf(1000 * static_cast<std::size_t>(s.output_channels()));
  std::size_t total = 0;
  for (std::size_t got = 0; (got = s.read(buf.data(), 1000)) > 0;) total += got;
  return total;
}

/// Interleaved test tone: channel c is a sine at freq × (c + 1).
inline std::vector<float> tone(int rate, int channels, std::size_t frames, double freq = 440.0, double amp = 0.5) {
  std::vector<float> v(frames * static_cast<std::size_t>(channels));
  for (std::size_t f = 0; f < frames; ++f)
    for (int c = 0; c < channels; ++c)
      v[f * std::size_t(channels) + std::size_t(c)] =
          static_cast<float>(amp * std::sin(2.0 * std::numbers::pi * freq * (c + 1) * static_cast<double>(f) / rate));
  return v;
}

/// Interleaved ramp, distinct per frame and channel, exact in float and PCM16.
inline std::vector<float> ramp(int channels, std::size_t frames, int offset = 0) {
  std::vector<float> v(frames * static_cast<std::size_t>(channels));
  for (std::size_t f = 0; f < frames; ++f)
    for (int c = 0; c < channels; ++c)
      v[f * std::size_t(channels) + std::size_t(c)] =
          static_cast<float>(static_cast<int>((f * 7 + std::size_t(c) * 1000 + std::size_t(offset)) % 60000) - 30000) /
          32768.0f;
  return v;
}

inline bool bit_equal(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

inline source_options one_file(const std::string& path) {
  source_options o;
  o.files = {path};
  return o;
}

/// The message of the input_error `fn` throws ("" if it does not throw one).
inline std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const input_error& e) {
    return e.what();
  } catch (...) {
    return "<other exception>";
  }
  return "";
}

inline void check_one_line_error(const std::function<void()>& fn, const std::string& expect_part) {
  const std::string msg = error_of(fn);
  INFO("message: " << msg);
  CHECK(!msg.empty());
  CHECK(msg != "<other exception>");
  CHECK(msg.find('\n') == std::string::npos);
  CHECK(msg.find(expect_part) != std::string::npos);
}

/// What `fn` writes to stderr (fd 2), e.g. libmpg123's own notes.
inline std::string stderr_of(const std::function<void()>& fn, const std::string& scratch) {
  std::fflush(stderr);
  const int saved = ::dup(2);
  const int file = ::open(scratch.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(saved >= 0);
  REQUIRE(file >= 0);
  ::dup2(file, 2);
  ::close(file);
  fn();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  std::ifstream in(scratch);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline double rms(const float* p, std::size_t n) {
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) sum += double(p[i]) * double(p[i]);
  return std::sqrt(sum / static_cast<double>(n));
}

/// Every one of `frames` frames of `out` equals `frame` within 1e-6.
inline void check_frames(const std::vector<float>& out, const std::vector<float>& frame, std::size_t frames) {
  REQUIRE(out.size() == frames * frame.size());
  for (std::size_t f = 0; f < frames; ++f)
    for (std::size_t c = 0; c < frame.size(); ++c) {
      if (std::fabs(out[f * frame.size() + c] - frame[c]) > 1e-6f) {
        FAIL_CHECK("frame " << f << " channel " << c << ": " << out[f * frame.size() + c] << " != " << frame[c]);
        return;
      }
    }
}

/// Writes `samples` with libsndfile's channel map `speakers` (SF_CHANNEL_MAP_*):
/// a WAVE_FORMAT_EXTENSIBLE channel mask in WAVEX, a channel layout chunk in
/// CAF and AIFF. Reads it back, so that no test runs on a map that was not written.
inline std::string write_with_layout(const std::string& path, int format, int rate, std::vector<int> speakers,
                                     const std::vector<float>& samples) {
  const int channels = static_cast<int>(speakers.size());
  const int map_bytes = static_cast<int>(sizeof(int) * speakers.size());
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = channels;
  info.format = format;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  REQUIRE_MESSAGE(f != nullptr, sf_strerror(nullptr));
  REQUIRE(sf_command(f, SFC_SET_CHANNEL_MAP_INFO, speakers.data(), map_bytes) == SF_TRUE);
  const sf_count_t frames = static_cast<sf_count_t>(samples.size() / speakers.size());
  REQUIRE(sf_writef_float(f, samples.data(), frames) == frames);
  REQUIRE(sf_close(f) == 0);
  SF_INFO back{};
  SNDFILE* r = sf_open(path.c_str(), SFM_READ, &back);
  REQUIRE(r != nullptr);
  std::vector<int> read(speakers.size());
  CHECK(sf_command(r, SFC_GET_CHANNEL_MAP_INFO, read.data(), map_bytes) == SF_TRUE);
  CHECK(read == speakers);
  sf_close(r);
  return path;
}

/// `frames` frames of `channels` channels, silent but for `channel` at `value`.
inline std::vector<float> only_channel(int channels, int channel, float value, std::size_t frames) {
  std::vector<float> v(frames * std::size_t(channels), 0.0f);
  for (std::size_t f = 0; f < frames; ++f) v[f * std::size_t(channels) + std::size_t(channel)] = value;
  return v;
}

/// One value per channel, the same in every frame: 0.1 × (c + 1).
inline std::vector<float> per_channel_constant(int channels, std::size_t frames) {
  std::vector<float> v(frames * std::size_t(channels));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = 0.1f * static_cast<float>(i % std::size_t(channels) + 1);
  return v;
}

/// Resident set size now (not the high-water mark), in bytes.
inline long resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * ::sysconf(_SC_PAGESIZE);
}

}  // namespace source_test

using namespace source_test;
