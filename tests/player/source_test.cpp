// pingpong::player::source and probe_file: decode, trim, loop, resample, map,
// gain, and the input errors. Media are generated with libsndfile into a fresh
// temp directory that is removed at the end of each test case.
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

namespace {

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
std::string write_audio(const std::string& path, int format, int rate, int channels,
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
std::vector<float> sndfile_decode(const std::string& path, int* channels = nullptr) {
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
std::vector<float> drain(source& s, std::size_t chunk, std::size_t max_frames = SIZE_MAX) {
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
std::size_t read_until_end(source& s) {
  std::vector<float> buf(1000 * static_cast<std::size_t>(s.output_channels()));
  std::size_t total = 0;
  for (std::size_t got = 0; (got = s.read(buf.data(), 1000)) > 0;) total += got;
  return total;
}

/// Interleaved test tone: channel c is a sine at freq × (c + 1).
std::vector<float> tone(int rate, int channels, std::size_t frames, double freq = 440.0, double amp = 0.5) {
  std::vector<float> v(frames * static_cast<std::size_t>(channels));
  for (std::size_t f = 0; f < frames; ++f)
    for (int c = 0; c < channels; ++c)
      v[f * std::size_t(channels) + std::size_t(c)] =
          static_cast<float>(amp * std::sin(2.0 * std::numbers::pi * freq * (c + 1) * static_cast<double>(f) / rate));
  return v;
}

/// Interleaved ramp, distinct per frame and channel, exact in float and PCM16.
std::vector<float> ramp(int channels, std::size_t frames, int offset = 0) {
  std::vector<float> v(frames * static_cast<std::size_t>(channels));
  for (std::size_t f = 0; f < frames; ++f)
    for (int c = 0; c < channels; ++c)
      v[f * std::size_t(channels) + std::size_t(c)] =
          static_cast<float>(static_cast<int>((f * 7 + std::size_t(c) * 1000 + std::size_t(offset)) % 60000) - 30000) /
          32768.0f;
  return v;
}

bool bit_equal(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

source_options one_file(const std::string& path) {
  source_options o;
  o.files = {path};
  return o;
}

/// The message of the input_error `fn` throws ("" if it does not throw one).
std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const input_error& e) {
    return e.what();
  } catch (...) {
    return "<other exception>";
  }
  return "";
}

void check_one_line_error(const std::function<void()>& fn, const std::string& expect_part) {
  const std::string msg = error_of(fn);
  INFO("message: " << msg);
  CHECK(!msg.empty());
  CHECK(msg != "<other exception>");
  CHECK(msg.find('\n') == std::string::npos);
  CHECK(msg.find(expect_part) != std::string::npos);
}

/// What `fn` writes to stderr (fd 2), e.g. libmpg123's own notes.
std::string stderr_of(const std::function<void()>& fn, const std::string& scratch) {
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

double rms(const float* p, std::size_t n) {
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) sum += double(p[i]) * double(p[i]);
  return std::sqrt(sum / static_cast<double>(n));
}

/// Every one of `frames` frames of `out` equals `frame` within 1e-6.
void check_frames(const std::vector<float>& out, const std::vector<float>& frame, std::size_t frames) {
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
std::string write_with_layout(const std::string& path, int format, int rate, std::vector<int> speakers,
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
std::vector<float> only_channel(int channels, int channel, float value, std::size_t frames) {
  std::vector<float> v(frames * std::size_t(channels), 0.0f);
  for (std::size_t f = 0; f < frames; ++f) v[f * std::size_t(channels) + std::size_t(channel)] = value;
  return v;
}

/// One value per channel, the same in every frame: 0.1 × (c + 1).
std::vector<float> per_channel_constant(int channels, std::size_t frames) {
  std::vector<float> v(frames * std::size_t(channels));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = 0.1f * static_cast<float>(i % std::size_t(channels) + 1);
  return v;
}

/// Resident set size now (not the high-water mark), in bytes.
long resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * ::sysconf(_SC_PAGESIZE);
}

}  // namespace

TEST_CASE("probe_file reports container, encoding, rate, channels, frames, duration") {
  temp_dir dir;
  struct {
    std::string name;
    int format;
    const char* container;
    const char* encoding;
  } cases[] = {
      {"float.wav", wav_float, "WAV (Microsoft)", "32 bit float"},
      {"pcm16.wav", wav_pcm16, "WAV (Microsoft)", "Signed 16 bit PCM"},
      {"pcm16.flac", flac_pcm16, "FLAC (Free Lossless Audio Codec)", "Signed 16 bit PCM"},
      {"vorbis.ogg", ogg_vorbis, "OGG (OGG Container format)", "Vorbis"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    const std::string path = write_audio(dir / c.name, c.format, 44100, 2, tone(44100, 2, 22050));
    const file_info info = probe_file(path);
    CHECK(info.path == path);
    CHECK(info.format == c.container);
    CHECK(info.subtype == c.encoding);
    CHECK(info.sample_rate == 44100);
    CHECK(info.channels == 2);
    CHECK(info.frames == 22050);
    CHECK(info.duration_s == doctest::Approx(0.5));
  }
}

TEST_CASE("no resampling, no gain: bit-exact libsndfile decode (WAV float, WAV PCM16, FLAC, Ogg Vorbis)") {
  temp_dir dir;
  const struct {
    std::string name;
    int format;
  } cases[] = {{"a.wav", wav_float}, {"b.wav", wav_pcm16}, {"c.flac", flac_pcm16}, {"d.ogg", ogg_vorbis}};
  for (const auto& c : cases) {
    CAPTURE(c.name);
    const std::string path = write_audio(dir / c.name, c.format, 48000, 2, tone(48000, 2, 30000, 1000.0, 0.7));
    const std::vector<float> ref = sndfile_decode(path);
    REQUIRE(ref.size() == 60000);
    source s(one_file(path));
    CHECK(s.output_rate() == 48000);
    CHECK(s.output_channels() == 2);
    CHECK_FALSE(s.resampling());
    CHECK(s.frames_per_pass() == 30000);
    CHECK(s.channel_mapping() == "2 \u2192 2");
    CHECK(s.current_file() == 0);
    const std::vector<float> out = drain(s, 1000);  // chunk size unrelated to the decoder's
    CHECK(bit_equal(out, ref));
    CHECK(s.frames_produced() == 30000);
  }
}

TEST_CASE("files play gaplessly, in order") {
  temp_dir dir;
  source_options o;
  o.files = {write_audio(dir / "a.wav", wav_float, 48000, 2, ramp(2, 1000, 0)),
             write_audio(dir / "b.flac", flac_pcm16, 48000, 2, ramp(2, 1500, 12345))};
  const std::vector<float> a = sndfile_decode(o.files[0]), b = sndfile_decode(o.files[1]);
  source s(o);
  CHECK(s.frames_per_pass() == 2500);
  std::vector<float> buf(2 * 1001);
  CHECK(s.read(buf.data(), 999) == 999);
  CHECK(s.current_file() == 0);
  CHECK(s.read(buf.data() + 2 * 999, 2) == 2);
  CHECK(s.current_file() == 1);
  std::vector<float> out(buf.begin(), buf.end());
  const std::vector<float> rest = drain(s, 333);
  out.insert(out.end(), rest.begin(), rest.end());
  std::vector<float> expect = a;
  expect.insert(expect.end(), b.begin(), b.end());
  CHECK(bit_equal(out, expect));
  CHECK(s.frames_produced() == 2500);
  CHECK(s.current_file() == 1);
}

TEST_CASE("--start/--end trim each file to exact frame counts") {
  temp_dir dir;
  const std::vector<float> v = ramp(1, 96000);  // 2 s at 48 kHz
  const std::vector<float> v2 = ramp(2, 48000);
  for (const int format : {wav_float, wav_pcm16, flac_pcm16}) {
    CAPTURE(format);
    const std::string ext = (format & SF_FORMAT_TYPEMASK) == SF_FORMAT_FLAC ? ".flac" : ".wav";
    std::string name = "t";  // built in steps: GCC 12 -O3 warns (-Wrestrict) on "t" + std::string
    name += std::to_string(format);
    name += ext;
    const std::string path = write_audio(dir / name, format, 48000, 1, v);
    const std::vector<float> ref = sndfile_decode(path);

    source_options o = one_file(path);
    o.start_s = 0.5;
    o.end_s = 1.5;
    source s(o);
    CHECK(s.frames_per_pass() == 48000);
    const std::vector<float> out = drain(s, 4097);
    CHECK(bit_equal(out, std::vector<float>(ref.begin() + 24000, ref.begin() + 72000)));

    o.start_s = 0.25;
    o.end_s = -1.0;
    source s2(o);
    CHECK(s2.frames_per_pass() == 84000);
    CHECK(bit_equal(drain(s2, 512), std::vector<float>(ref.begin() + 12000, ref.end())));

    o.start_s = 0.0;
    o.end_s = 5.0;  // past the end: plays to the end
    source s3(o);
    CHECK(s3.frames_per_pass() == 96000);
    CHECK(drain(s3, 512).size() == 96000);
    o.end_s = 1e300;
    CHECK(source(o).frames_per_pass() == 96000);
  }

  SUBCASE("trims every file of the list") {
    source_options o;
    o.files = {write_audio(dir / "x.wav", wav_float, 48000, 2, v2),
               write_audio(dir / "y.wav", wav_float, 48000, 2, v2)};
    o.start_s = 0.25;
    o.end_s = 0.5;
    source s(o);
    CHECK(s.frames_per_pass() == 24000);
    const std::vector<float> out = drain(s, 1000);
    std::vector<float> expect(v2.begin() + 2 * 12000, v2.begin() + 2 * 24000);
    expect.insert(expect.end(), v2.begin() + 2 * 12000, v2.begin() + 2 * 24000);
    CHECK(bit_equal(out, expect));
  }

  SUBCASE("Ogg Vorbis: exact count, seek lands on the same samples") {
    const std::string path = write_audio(dir / "t.ogg", ogg_vorbis, 48000, 2, tone(48000, 2, 96000));
    const std::vector<float> ref = sndfile_decode(path);
    source_options o = one_file(path);
    o.start_s = 0.5;
    o.end_s = 1.5;
    source s(o);
    const std::vector<float> out = drain(s, 1000);
    REQUIRE(out.size() == 2 * 48000);
    float max_diff = 0.0f;
    for (std::size_t i = 0; i < out.size(); ++i) max_diff = std::max(max_diff, std::fabs(out[i] - ref[2 * 24000 + i]));
    CHECK(max_diff < 1e-4f);
  }
}

TEST_CASE("loops") {
  temp_dir dir;
  source_options o;
  o.files = {write_audio(dir / "a.wav", wav_float, 44100, 2, ramp(2, 3000)),
             write_audio(dir / "b.wav", wav_pcm16, 44100, 2, ramp(2, 700, 99))};
  const std::vector<float> a = sndfile_decode(o.files[0]), b = sndfile_decode(o.files[1]);
  std::vector<float> pass = a;
  pass.insert(pass.end(), b.begin(), b.end());

  SUBCASE("loops = 2 plays the list twice") {
    o.loops = 2;
    source s(o);
    CHECK(s.frames_per_pass() == 3700);
    std::vector<float> expect = pass;
    expect.insert(expect.end(), pass.begin(), pass.end());
    CHECK(bit_equal(drain(s, 1024), expect));
    CHECK(s.frames_produced() == 7400);
  }
  SUBCASE("loops = 0 plays until stopped") {
    o.loops = 0;
    source s(o);
    const std::vector<float> out = drain(s, 1000, 10 * 3700 + 17);
    REQUIRE(out.size() == 2 * (10 * 3700 + 17));
    for (int p = 0; p < 10; ++p)
      CHECK(std::equal(pass.begin(), pass.end(), out.begin() + static_cast<std::ptrdiff_t>(p) * 7400));
    CHECK(s.frames_produced() == 37017);
  }
  SUBCASE("loops with trimming, one read larger than a pass") {
    o.loops = 3;
    o.start_s = 0.01;  // 441 frames
    o.end_s = 0.02;    // 882
    source s(o);
    // a: frames 441..882; b (700 frames): 441..700.
    CHECK(s.frames_per_pass() == 441 + 259);
    std::vector<float> buf(2 * 10000);
    CHECK(s.read(buf.data(), 10000) == 3 * 700);
    CHECK(std::equal(buf.begin(), buf.begin() + 2 * 441, a.begin() + 2 * 441));
    CHECK(std::equal(buf.begin() + 2 * 441, buf.begin() + 2 * 700, b.begin() + 2 * 441));
    CHECK(std::equal(buf.begin(), buf.begin() + 2 * 700, buf.begin() + 2 * 1400));
    CHECK(s.read(buf.data(), 10000) == 0);
  }
}

TEST_CASE("resampling 44100 -> 48000 keeps length and tone") {
  temp_dir dir;
  const std::string path = write_audio(dir / "sine.wav", wav_float, 44100, 1, tone(44100, 1, 44100, 1000.0, 0.5));
  source_options o = one_file(path);
  o.output_rate = 48000;
  source s(o);
  CHECK(s.resampling());
  CHECK(s.output_rate() == 48000);
  CHECK(s.output_channels() == 1);
  CHECK(s.frames_per_pass() == 48000);
  const std::vector<float> out = drain(s, 512);
  CHECK(std::abs(static_cast<long>(out.size()) - 48000) <= 4);

  // Away from the edges: RMS within 1 %, and the tone is where it should be
  // (soxr compensates its own delay), 1 kHz at 48 kHz.
  const std::size_t from = 4800, to = 43200;
  const double r = rms(out.data() + from, to - from);
  CHECK(r == doctest::Approx(0.5 / std::sqrt(2.0)).epsilon(0.01));
  double max_err = 0.0;
  for (std::size_t i = from; i < to; ++i)
    max_err =
        std::max(max_err, std::fabs(out[i] - 0.5 * std::sin(2.0 * std::numbers::pi * 1000.0 * double(i) / 48000.0)));
  CHECK(max_err < 1e-3);

  SUBCASE("two resampled files: each flushed, lengths add up") {
    source_options o2;
    o2.files = {path, path};
    o2.output_rate = 48000;
    o2.loops = 2;
    source s2(o2);
    CHECK(s2.frames_per_pass() == 96000);
    const std::vector<float> out2 = drain(s2, 777);
    CHECK(std::abs(static_cast<long>(out2.size()) - 4 * 48000) <= 16);
    CHECK(rms(out2.data() + 48000 + from, to - from) == doctest::Approx(0.5 / std::sqrt(2.0)).epsilon(0.01));
  }
  SUBCASE("mixed rates: only the other-rate file is resampled") {
    const std::vector<float> native = ramp(1, 4800);
    source_options o3;
    o3.files = {write_audio(dir / "native.wav", wav_float, 48000, 1, native), path};
    source s3(o3);
    CHECK(s3.output_rate() == 48000);
    CHECK(s3.resampling());
    CHECK(s3.frames_per_pass() == 4800 + 48000);
    const std::vector<float> out3 = drain(s3, 1000);
    REQUIRE(out3.size() >= 4800);
    CHECK(std::equal(native.begin(), native.end(), out3.begin()));
    CHECK(std::abs(static_cast<long>(out3.size()) - (4800 + 48000)) <= 4);
  }
  SUBCASE("downsampling a stereo file with trimming") {
    const std::string st = write_audio(dir / "st.flac", flac_pcm16, 96000, 2, tone(96000, 2, 96000, 500.0, 0.5));
    source_options o4 = one_file(st);
    o4.output_rate = 44100;
    o4.start_s = 0.25;
    o4.end_s = 0.75;
    source s4(o4);
    CHECK(s4.frames_per_pass() == 22050);
    const std::vector<float> out4 = drain(s4, 4096);
    CHECK(std::abs(static_cast<long>(out4.size() / 2) - 22050) <= 4);
  }
}

TEST_CASE("channel mapping") {
  temp_dir dir;
  SUBCASE("mono to all outputs") {
    const std::vector<float> m = ramp(1, 5000);
    source_options o = one_file(write_audio(dir / "m.wav", wav_float, 48000, 1, m));
    o.output_channels = 2;
    source s(o);
    CHECK(s.channel_mapping() == "1 \u2192 2 (mono to all)");
    const std::vector<float> out = drain(s, 999);
    REQUIRE(out.size() == 10000);
    bool ok = true;
    for (std::size_t f = 0; f < 5000; ++f) ok = ok && out[2 * f] == m[f] && out[2 * f + 1] == m[f];
    CHECK(ok);
  }
  const auto constant = per_channel_constant;
  // 1/sqrt(2): ITU-R BS.775's centre and surround level.
  const float k = static_cast<float>(1.0 / std::numbers::sqrt2);
  SUBCASE("6 ch WAV without a channel mask: assumed 5.1 (FL FR FC LFE BL BR), BS.775 downmix") {
    source_options o = one_file(write_audio(dir / "six.wav", wav_float, 48000, 6, constant(6, 3000)));
    o.output_channels = 2;
    source s(o);
    CHECK(s.channel_mapping() ==
          "6 \u2192 2 (5.1 downmix, ITU-R BS.775, LFE dropped, not normalised: peak gain +7.7 dB; layout assumed: WAV "
          "default order, no channel mask)");
    // L = FL + k FC + k BL, R = FR + k FC + k BR; LFE (0.4) dropped.
    check_frames(drain(s, 1000), {0.1f + k * (0.3f + 0.5f), 0.2f + k * (0.3f + 0.6f)}, 3000);
  }
  SUBCASE("6 ch AU (no layout in the file): mean of all channels on every output") {
    for (const int outputs : {1, 2}) {
      CAPTURE(outputs);
      source_options o =
          one_file(write_audio(dir / "six.au", SF_FORMAT_AU | SF_FORMAT_FLOAT, 48000, 6, constant(6, 3000)));
      o.output_channels = outputs;
      source s(o);
      CHECK(s.channel_mapping() ==
            "6 \u2192 " + std::to_string(outputs) + " (fold-down: mean of all channels, no layout known)");
      check_frames(drain(s, 1000), std::vector<float>(std::size_t(outputs), 0.35f), 3000);
    }
  }
  SUBCASE("3 ch WAV without a mask (no order assumed): mean of all") {
    source_options o = one_file(write_audio(dir / "three.wav", wav_float, 48000, 3, constant(3, 3000)));
    o.output_channels = 2;
    source s(o);
    CHECK(s.channel_mapping() == "3 \u2192 2 (fold-down: mean of all channels, no layout known)");
    check_frames(drain(s, 1000), {0.2f, 0.2f}, 3000);
  }
  SUBCASE("2 -> 4: extra outputs silent") {
    source_options o = one_file(write_audio(dir / "two.wav", wav_float, 48000, 2, constant(2, 3000)));
    o.output_channels = 4;
    source s(o);
    CHECK(s.channel_mapping() == "2 \u2192 4 (extra outputs silent)");
    check_frames(drain(s, 1000), {0.1f, 0.2f, 0.0f, 0.0f}, 3000);
  }
  SUBCASE("files with different layouts each map to the output; each mapping is described") {
    source_options o;
    o.files = {write_audio(dir / "m.wav", wav_float, 48000, 1, constant(1, 100)),
               write_audio(dir / "six.wav", wav_float, 48000, 6, constant(6, 100)),
               write_audio(dir / "m2.wav", wav_float, 48000, 1, constant(1, 100)),
               write_audio(dir / "six.au", SF_FORMAT_AU | SF_FORMAT_FLOAT, 48000, 6, constant(6, 100)),
               write_audio(dir / "six2.wav", wav_float, 48000, 6, constant(6, 100))};
    source s(o);  // output channels: the first file's (1)
    CHECK(s.output_channels() == 1);
    CHECK(
        s.channel_mapping() ==
        "1 \u2192 1; files 2, 5: 6 \u2192 1 (5.1 downmix to mono: (L + R) / 2 of the ITU-R BS.775 stereo downmix, "
        "LFE dropped, not normalised: peak gain +7.7 dB; layout assumed: WAV default order, no channel mask); file 4: "
        "6 \u2192 1 (fold-down: mean of all channels, no layout known)");
    const std::vector<float> out = drain(s, 64);
    REQUIRE(out.size() == 500);
    CHECK(out[0] == doctest::Approx(0.1));
    // Mono = (L + R) / 2 of the stereo downmix: FL, FR at 1/2, FC at k, BL, BR at k/2.
    CHECK(out[150] == doctest::Approx(0.5 * (0.1 + 0.2) + k * 0.3 + 0.5 * k * (0.5 + 0.6)));
    CHECK(out[350] == doctest::Approx(0.35));
  }
  SUBCASE("mapping after resampling") {
    source_options o = one_file(write_audio(dir / "six.wav", wav_float, 44100, 6, constant(6, 44100)));
    o.output_channels = 2;
    o.output_rate = 48000;
    source s(o);
    const std::vector<float> out = drain(s, 1000);
    REQUIRE(out.size() > 2 * 40000);
    CHECK(out[2 * 24000] == doctest::Approx(0.1 + k * (0.3 + 0.5)).epsilon(1e-3));
    CHECK(out[2 * 24000 + 1] == doctest::Approx(0.2 + k * (0.3 + 0.6)).epsilon(1e-3));
  }
}

TEST_CASE("downmix by the file's speaker layout (ITU-R BS.775)") {
  temp_dir dir;
  constexpr int L = SF_CHANNEL_MAP_LEFT, R = SF_CHANNEL_MAP_RIGHT, C = SF_CHANNEL_MAP_CENTER, LFE = SF_CHANNEL_MAP_LFE,
                BL = SF_CHANNEL_MAP_REAR_LEFT, BR = SF_CHANNEL_MAP_REAR_RIGHT, BC = SF_CHANNEL_MAP_REAR_CENTER,
                SL = SF_CHANNEL_MAP_SIDE_LEFT, SR = SF_CHANNEL_MAP_SIDE_RIGHT;
  constexpr int wavex_float = SF_FORMAT_WAVEX | SF_FORMAT_FLOAT;
  const std::vector<int> five_one = {L, R, C, LFE, BL, BR};  // the WAVE order, mask 0x3F
  const float k = static_cast<float>(1.0 / std::numbers::sqrt2);
  const std::string five_one_to_stereo =
      "6 \u2192 2 (5.1 downmix, ITU-R BS.775, LFE dropped, not normalised: peak gain +7.7 dB)";
  // A 5.1 WAV (channel mask) with 0.5 in one channel only, played to `outputs`.
  const auto play_one_channel = [&](int channel, int outputs) {
    source_options o = one_file(
        write_with_layout(dir / "one.wav", wavex_float, 48000, five_one, only_channel(6, channel, 0.5f, 3000)));
    o.output_channels = outputs;
    source s(o);
    return drain(s, 1000);
  };

  SUBCASE("5.1 WAV with a channel mask, centre only: L == R == 0.7071 c") {
    const std::string path =
        write_with_layout(dir / "centre51.wav", wavex_float, 48000, five_one, only_channel(6, 2, 0.5f, 3000));
    const file_info info = probe_file(path);
    CHECK(info.layout == "5.1");
    CHECK(info.layout_source == "channel mask in the file");
    CHECK(info.channel_map == five_one);
    CHECK(info.speakers == "FL FR FC LFE BL BR");
    source_options o = one_file(path);
    o.output_channels = 2;
    source s(o);
    CHECK(s.channel_mapping() == five_one_to_stereo);
    check_frames(drain(s, 1000), {k * 0.5f, k * 0.5f}, 3000);
  }
  SUBCASE("surround left only: left only, at 0.7071") {
    check_frames(play_one_channel(4, 2), {k * 0.5f, 0.0f}, 3000);
  }
  SUBCASE("surround right only: right only") {
    check_frames(play_one_channel(5, 2), {0.0f, k * 0.5f}, 3000);
  }
  SUBCASE("front left only: left at full level") {
    check_frames(play_one_channel(0, 2), {0.5f, 0.0f}, 3000);
  }
  SUBCASE("LFE only: silence (LFE dropped)") {
    check_frames(play_one_channel(3, 2), {0.0f, 0.0f}, 3000);
  }
  SUBCASE("to mono: (L + R) / 2 of the stereo downmix") {
    check_frames(play_one_channel(2, 1), {k * 0.5f}, 3000);  // centre: k on both sides
    check_frames(play_one_channel(0, 1), {0.25f}, 3000);     // a front: half
    check_frames(play_one_channel(3, 1), {0.0f}, 3000);      // LFE
  }
  SUBCASE("to four outputs: the stereo downmix on outputs 1-2, the rest silent") {
    check_frames(play_one_channel(2, 4), {k * 0.5f, k * 0.5f, 0.0f, 0.0f}, 3000);
    source_options o = one_file(dir / "one.wav");
    o.output_channels = 4;
    source s(o);
    CHECK(s.channel_mapping() ==
          "6 \u2192 4 (5.1 downmix to stereo on outputs 1\u20132, ITU-R BS.775, LFE dropped, outputs 3\u20134 silent, "
          "not normalised: peak gain +7.7 dB)");
  }
  SUBCASE("FLAC 5.1 (no map: FLAC's defined order) plays exactly like the WAV") {
    const std::string flac = write_audio(dir / "r.flac", flac_pcm16, 48000, 6, ramp(6, 5000));
    // The WAV holds what the FLAC decodes to, so the two differ only in how their layout is known.
    const std::string wav = write_with_layout(dir / "r.wav", wavex_float, 48000, five_one, sndfile_decode(flac));
    const file_info info = probe_file(flac);
    CHECK(info.layout == "5.1");
    CHECK(info.layout_source == "FLAC default order");
    CHECK(info.channel_map == five_one);
    source_options ow = one_file(wav), of = one_file(flac);
    ow.output_channels = of.output_channels = 2;
    source sw(ow), sf(of);
    CHECK(sf.channel_mapping() == five_one_to_stereo);
    const std::vector<float> from_wav = drain(sw, 1000), from_flac = drain(sf, 1000);
    CHECK(from_wav.size() == 10000);
    CHECK(bit_equal(from_wav, from_flac));
  }
  SUBCASE("CAF 5.1 (channel layout chunk) plays exactly like the WAV") {
    const std::vector<float> v = ramp(6, 5000);
    const std::string wav = write_with_layout(dir / "r.wav", wavex_float, 48000, five_one, v);
    const std::string caf = write_with_layout(dir / "r.caf", SF_FORMAT_CAF | SF_FORMAT_FLOAT, 48000, five_one, v);
    CHECK(probe_file(caf).layout_source == "channel layout in the file");
    source_options ow = one_file(wav), oc = one_file(caf);
    ow.output_channels = oc.output_channels = 2;
    source sw(ow), sc(oc);
    CHECK(bit_equal(drain(sw, 1000), drain(sc, 1000)));
  }
  SUBCASE("Ogg Vorbis 5.1: Vorbis order, centre second (FL FC FR BL BR LFE)") {
    const std::size_t frames = 48000;
    const std::vector<float> mono_tone = tone(48000, 1, frames, 440.0, 0.5);
    const double tone_rms = rms(mono_tone.data(), frames);
    const auto in_channel = [&](int channel) {
      std::vector<float> v(frames * 6, 0.0f);
      for (std::size_t f = 0; f < frames; ++f) v[f * 6 + std::size_t(channel)] = mono_tone[f];
      return v;
    };
    const auto left_right_rms = [&](const std::string& path) {
      source_options o = one_file(path);
      o.output_channels = 2;
      source s(o);
      const std::vector<float> out = drain(s, 4096);
      std::vector<float> left(out.size() / 2), right(out.size() / 2);
      for (std::size_t f = 0; f < left.size(); ++f) {
        left[f] = out[2 * f];
        right[f] = out[2 * f + 1];
      }
      return std::pair{rms(left.data(), left.size()), rms(right.data(), right.size())};
    };
    const std::string centre = write_audio(dir / "c.ogg", ogg_vorbis, 48000, 6, in_channel(1));
    const file_info info = probe_file(centre);
    CHECK(info.layout == "5.1");
    CHECK(info.layout_source == "Vorbis default order");
    CHECK(info.speakers == "FL FC FR BL BR LFE");
    const auto [cl, cr] = left_right_rms(centre);
    CHECK(cl == doctest::Approx(k * tone_rms).epsilon(0.03));
    CHECK(cr == doctest::Approx(k * tone_rms).epsilon(0.03));
    const auto [rl, rr] = left_right_rms(write_audio(dir / "r.ogg", ogg_vorbis, 48000, 6, in_channel(2)));
    CHECK(rr == doctest::Approx(tone_rms).epsilon(0.03));  // the third channel is front right
    CHECK(rl < 0.02 * tone_rms);
  }
  SUBCASE("7.1: side and rear surrounds both fold into the surround terms") {
    const std::vector<float> v = per_channel_constant(8, 3000);
    const std::vector<float> expect = {0.1f + k * (0.3f + 0.5f + 0.7f), 0.2f + k * (0.3f + 0.6f + 0.8f)};
    const std::string text = "8 \u2192 2 (7.1 downmix, ITU-R BS.775, LFE dropped, not normalised: peak gain +9.9 dB)";
    source_options o =
        one_file(write_with_layout(dir / "71.wav", wavex_float, 48000, {L, R, C, LFE, BL, BR, SL, SR}, v));
    o.output_channels = 2;
    source s(o);
    CHECK(s.channel_mapping() == text);
    check_frames(drain(s, 1000), expect, 3000);
    // Without a mask, 8 channels are assumed to be this 7.1.
    source_options plain = one_file(write_audio(dir / "71plain.wav", wav_float, 48000, 8, v));
    plain.output_channels = 2;
    source sp(plain);
    CHECK(sp.channel_mapping() ==
          "8 \u2192 2 (7.1 downmix, ITU-R BS.775, LFE dropped, not normalised: peak gain "
          "+9.9 dB; layout assumed: WAV default order, no channel mask)");
    CHECK(probe_file(dir / "71plain.wav").layout_source == "assumed: WAV default order, no channel mask");
    check_frames(drain(sp, 1000), expect, 3000);
  }
  SUBCASE("quad, 3.0, 4.0, 5.0 and 6.1 to stereo") {
    struct layout_case {
      std::vector<int> speakers;
      const char* name;
      float left, right;  // for per_channel_constant: channel c at 0.1 (c + 1)
    };
    const layout_case cases[] = {
        {{L, R, BL, BR}, "quad", 0.1f + k * 0.3f, 0.2f + k * 0.4f},
        {{L, R, C}, "3.0", 0.1f + k * 0.3f, 0.2f + k * 0.3f},
        {{L, R, C, BC}, "4.0", 0.1f + k * 0.3f + 0.5f * 0.4f, 0.2f + k * 0.3f + 0.5f * 0.4f},
        {{L, R, C, SL, SR}, "5.0", 0.1f + k * (0.3f + 0.4f), 0.2f + k * (0.3f + 0.5f)},
        {{L, R, C, LFE, BC, SL, SR},
         "6.1",
         0.1f + k * 0.3f + 0.5f * 0.5f + k * 0.6f,
         0.2f + k * 0.3f + 0.5f * 0.5f + k * 0.7f},
    };
    for (const layout_case& c : cases) {
      const std::string name = c.name;
      CAPTURE(name);
      const int channels = static_cast<int>(c.speakers.size());
      const std::string path = write_with_layout(dir / (std::string(c.name) + ".wav"), wavex_float, 48000, c.speakers,
                                                 per_channel_constant(channels, 3000));
      CHECK(probe_file(path).layout == c.name);
      source_options o = one_file(path);
      o.output_channels = 2;
      source s(o);
      const std::string mapping = s.channel_mapping();
      CHECK(mapping.rfind(std::to_string(channels) + " \u2192 2 (" + name + " downmix, ITU-R BS.775", 0) == 0);
      CHECK((mapping.find("LFE dropped") != std::string::npos) == (name == "6.1"));
      check_frames(drain(s, 1000), {c.left, c.right}, 3000);
    }
  }
  SUBCASE("stereo to mono: (L + R) / 2") {
    source_options o = one_file(write_audio(dir / "st.wav", wav_float, 48000, 2, per_channel_constant(2, 3000)));
    o.output_channels = 1;
    source s(o);
    CHECK(s.channel_mapping() == "2 \u2192 1 (stereo downmix to mono: (L + R) / 2)");
    check_frames(drain(s, 1000), {0.15f}, 3000);
  }
  SUBCASE("a later, wider file is downmixed and says so; probe_file shows the widest") {
    const std::string stereo = write_audio(dir / "st.wav", wav_float, 48000, 2, per_channel_constant(2, 100));
    const std::string surround =
        write_with_layout(dir / "centre51.wav", wavex_float, 48000, five_one, only_channel(6, 2, 0.5f, 100));
    CHECK(std::max(probe_file(stereo).channels, probe_file(surround).channels) == 6);
    source_options o;
    o.files = {stereo, surround};
    source s(o);  // output: the first file's 2 channels
    CHECK(s.channel_mapping() == "2 \u2192 2; file 2: " + five_one_to_stereo);
    const std::vector<float> out = drain(s, 64);
    REQUIRE(out.size() == 400);
    CHECK(out[0] == doctest::Approx(0.1));
    CHECK(out[1] == doctest::Approx(0.2));
    CHECK(out[300] == doctest::Approx(k * 0.5));
    CHECK(out[301] == doctest::Approx(k * 0.5));
    // Opened for the widest file, as a player should: nothing is downmixed.
    o.output_channels = 6;
    source wide(o);
    CHECK(wide.channel_mapping() == "2 \u2192 6 (extra outputs silent); file 2: 6 \u2192 6");
  }
  SUBCASE("mono and stereo files name their layout") {
    const file_info mono = probe_file(write_audio(dir / "m.wav", wav_float, 48000, 1, per_channel_constant(1, 100)));
    CHECK(mono.layout == "mono");
    const file_info st = probe_file(write_audio(dir / "s.flac", flac_pcm16, 48000, 2, per_channel_constant(2, 100)));
    CHECK(st.layout == "stereo");
    CHECK(st.speakers == "FL FR");
    const file_info au =
        probe_file(write_audio(dir / "six.au", SF_FORMAT_AU | SF_FORMAT_FLOAT, 48000, 6, per_channel_constant(6, 100)));
    CHECK(au.layout == "unknown (6 ch)");
    CHECK(au.channel_map.empty());
    CHECK(au.speakers.empty());
  }
}

TEST_CASE("gain") {
  temp_dir dir;
  const std::vector<float> v = tone(48000, 2, 10000, 440.0, 0.8);
  const std::string path = write_audio(dir / "g.wav", wav_float, 48000, 2, v);
  source_options o = one_file(path);
  o.gain_db = -6.0206;
  source s(o);
  const std::vector<float> out = drain(s, 1000);
  REQUIRE(out.size() == v.size());
  double max_err = 0.0;
  for (std::size_t i = 0; i < v.size(); ++i)
    max_err = std::max(max_err, std::fabs(double(out[i]) - 0.5 * double(v[i])));
  CHECK(max_err < 1e-5);

  SUBCASE("+6 dB is not clipped (float output)") {
    o.gain_db = 6.0206;
    source s2(o);
    const std::vector<float> out2 = drain(s2, 1000);
    CHECK(*std::max_element(out2.begin(), out2.end()) == doctest::Approx(1.6).epsilon(1e-3));
  }
  SUBCASE("gain with mono to all") {
    source_options om = one_file(write_audio(dir / "m.wav", wav_float, 48000, 1, std::vector<float>(100, 0.5f)));
    om.output_channels = 2;
    om.gain_db = -6.0206;
    source sm(om);
    const std::vector<float> outm = drain(sm, 64);
    REQUIRE(outm.size() == 200);
    CHECK(outm[0] == doctest::Approx(0.25));
    CHECK(outm[199] == doctest::Approx(0.25));
  }
}

TEST_CASE("truncated audio data ends the file early, without an error") {
  temp_dir dir;
  const std::string full = write_audio(dir / "full.wav", wav_pcm16, 48000, 2, ramp(2, 10000));
  const auto size = fs::file_size(full);
  const std::string cut = dir / "cut.wav";
  fs::copy_file(full, cut);
  fs::resize_file(cut, size / 2);
  const std::vector<float> ref = sndfile_decode(cut);
  source s(one_file(cut));
  std::vector<float> out;
  CHECK_NOTHROW(out = drain(s, 1000));
  CHECK(bit_equal(out, ref));
  CHECK(out.size() < 2 * 10000);
  CHECK(out.size() > 2 * 4000);
}

TEST_CASE("a FLAC file cut short ends early; one damaged in the middle is an input_error") {
  temp_dir dir;
  const std::string full = write_audio(dir / "full.flac", flac_pcm16, 48000, 2, tone(48000, 2, 96000));
  const auto size = fs::file_size(full);
  std::vector<char> bytes(size);
  std::ifstream(full, std::ios::binary).read(bytes.data(), static_cast<std::streamsize>(size));

  SUBCASE("cut short") {
    const std::string cut = dir / "cut.flac";
    std::ofstream(cut, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(size / 2));
    const std::vector<float> ref = sndfile_decode(cut);  // what libsndfile gets before it stops
    REQUIRE(ref.size() > 0);
    source_options o;
    o.files = {cut, full};
    source s(o);
    std::vector<float> out;
    CHECK_NOTHROW(out = drain(s, 1000));
    REQUIRE(out.size() == ref.size() + 2 * 96000);
    CHECK(std::equal(ref.begin(), ref.end(), out.begin()));
  }
  SUBCASE("damaged in the middle") {
    std::fill(bytes.begin() + static_cast<std::ptrdiff_t>(size / 3),
              bytes.begin() + static_cast<std::ptrdiff_t>(size / 3 + 2000), '\0');
    const std::string bad = dir / "damaged.flac";
    std::ofstream(bad, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(size));
    source s(one_file(bad));  // the header is fine
    std::size_t good = 0;
    check_one_line_error([&] { good = read_until_end(s); }, "cannot decode '" + bad + "' at ");
  }
}

TEST_CASE("MP3, if this libsndfile can write it") {
  temp_dir dir;
  SF_INFO info{};
  info.samplerate = 44100;
  info.channels = 2;
  info.format = SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III;
  const std::string path = dir / "tone.mp3";
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  if (f == nullptr) {
    MESSAGE("no MP3 encoder in this libsndfile; skipped");
    return;
  }
  const std::vector<float> v = tone(44100, 2, 44100);
  sf_writef_float(f, v.data(), 44100);
  sf_close(f);
  const std::string renamed = dir / "tone-copy.mp3";
  fs::copy_file(path, renamed);
  const file_info i = probe_file(renamed);
  CHECK(i.sample_rate == 44100);
  CHECK(i.channels == 2);
  source_options o = one_file(renamed);
  o.output_rate = 48000;
  source s(o);
  const std::vector<float> out = drain(s, 1000);
  CHECK(out.size() / 2 > 40000);
}

TEST_CASE("a file with no audio plays nothing, gaplessly") {
  temp_dir dir;
  const std::string none = write_audio(dir / "none.wav", wav_float, 48000, 2, {});
  CHECK(probe_file(none).frames == 0);
  const std::string some = write_audio(dir / "some.wav", wav_float, 48000, 2, ramp(2, 100));
  source_options o;
  o.files = {none, some, none};
  o.loops = 0;  // forever, but a pass is never empty here
  source s(o);
  CHECK(s.frames_per_pass() == 100);
  CHECK(drain(s, 64, 1000).size() == 2 * 1000);

  source only(one_file(none));
  CHECK(only.frames_per_pass() == 0);
  std::vector<float> buf(2 * 16);
  CHECK(only.read(buf.data(), 16) == 0);
  source_options forever = one_file(none);
  forever.loops = 0;
  source nothing(forever);  // must not spin forever on an empty pass
  CHECK(nothing.read(buf.data(), 16) == 0);
}

TEST_CASE("a file of unknown length (Ogg Vorbis cut short)") {
  temp_dir dir;
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> noise(-0.5f, 0.5f);
  std::vector<float> v(2 * 96000);
  for (float& x : v) x = noise(rng);  // noise: the file stays big enough to cut in the audio
  const std::string full = write_audio(dir / "n.ogg", ogg_vorbis, 48000, 2, v);
  const std::string cut = dir / "cut.ogg";
  fs::copy_file(full, cut);
  fs::resize_file(cut, fs::file_size(full) / 2);
  const file_info info = probe_file(cut);
  if (info.frames != -1) {
    MESSAGE("this libsndfile knows the length of a cut Ogg file; skipped");
    return;
  }
  CHECK(info.duration_s < 0.0);
  const std::vector<float> ref = sndfile_decode(cut);
  source_options o = one_file(cut);
  o.start_s = 100.0;  // cannot be checked up front: plays nothing
  CHECK(source(o).frames_per_pass() == -1);
  o.start_s = 0.0;
  source s(o);
  CHECK(s.frames_per_pass() == -1);
  CHECK(bit_equal(drain(s, 1000), ref));
  o.output_rate = 44100;
  CHECK(source(o).frames_per_pass() == -1);
}

TEST_CASE("input errors: one clear line, input_error") {
  temp_dir dir;
  const std::string good = write_audio(dir / "good.wav", wav_pcm16, 48000, 2, tone(48000, 2, 240000));  // 5 s

  SUBCASE("missing file") {
    const std::string p = dir / "nope.wav";
    check_one_line_error([&] { probe_file(p); }, "no such file");
    check_one_line_error([&] { source s(one_file(p)); }, "no such file");
    check_one_line_error([&] { probe_file(p); }, "'" + p + "'");
  }
  SUBCASE("a directory") {
    fs::create_directory(dir / "sub.wav");
    check_one_line_error([&] { probe_file(dir / "sub.wav"); }, "is a directory");
    check_one_line_error([&] { source s(one_file(dir / "sub.wav")); }, "is a directory");
  }
  SUBCASE("empty file") {
    std::ofstream(dir / "empty.wav").close();
    check_one_line_error([&] { probe_file(dir / "empty.wav"); }, "empty file");
    check_one_line_error([&] { source s(one_file(dir / "empty.wav")); }, "empty file");
  }
  SUBCASE("truncated header") {
    fs::copy_file(good, dir / "head.wav");
    fs::resize_file(dir / "head.wav", 20);
    check_one_line_error([&] { probe_file(dir / "head.wav"); }, "cannot open");
    check_one_line_error([&] { source s(one_file(dir / "head.wav")); }, "cannot open");
  }
  SUBCASE("random bytes named .wav and .flac") {
    std::mt19937 rng(42);
    std::vector<char> bytes(10000);
    for (char& b : bytes) b = static_cast<char>(rng() & 0xff);
    for (const char* name : {"noise.wav", "noise.flac"}) {
      CAPTURE(name);
      std::ofstream(dir / name, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      check_one_line_error([&] { probe_file(dir / name); }, "cannot open");
      check_one_line_error([&] { source s(one_file(dir / name)); }, "cannot open");
    }
  }
  SUBCASE("not audio, named .mp3: one line, and libmpg123 stays quiet") {
    std::mt19937 rng(7);
    std::vector<char> noise(10000);
    for (char& b : noise) b = static_cast<char>(rng() & 0xff);
    std::ofstream(dir / "noise.mp3", std::ios::binary).write(noise.data(), static_cast<std::streamsize>(noise.size()));
    std::ofstream(dir / "text.mp3") << "hello, this is text\nnot audio at all\n";
    for (const char* name : {"text.mp3", "noise.mp3"}) {
      CAPTURE(name);
      const std::string err = stderr_of(
          [&] {
            check_one_line_error([&] { probe_file(dir / name); }, "cannot open");
            check_one_line_error([&] { source s(one_file(dir / name)); }, "cannot open");
          },
          dir / "stderr.txt");
      CHECK(err == "");
    }
  }
  SUBCASE("a WAV named .mp3 is recognised by content") {
    fs::copy_file(good, dir / "wav.mp3");
    CHECK(probe_file(dir / "wav.mp3").format == "WAV (Microsoft)");
  }
  SUBCASE("a bad file later in the list fails up front") {
    source_options o;
    o.files = {good, dir / "missing.flac"};
    check_one_line_error([&] { source s(o); }, "missing.flac");
  }
  SUBCASE("--start past the end") {
    source_options o = one_file(good);
    o.start_s = 10.0;
    check_one_line_error([&] { source s(o); }, "--start 10 is past the end of '" + good + "' (5.0 s)");
    o.start_s = 5.0;
    check_one_line_error([&] { source s(o); }, "past the end");
    o.start_s = 4.99;
    CHECK_NOTHROW((void)source{o});
    // 4.96 s long: not "(5.0 s)" for a start of 4.98, which would look wrong.
    const std::string short_one = write_audio(dir / "short.wav", wav_pcm16, 1000, 1, std::vector<float>(4960, 0.0f));
    o = one_file(short_one);
    o.start_s = 4.98;
    check_one_line_error([&] { source s(o); }, "(4.96 s)");
  }
  SUBCASE("bad options") {
    source_options o = one_file(good);
    o.start_s = 2.0;
    o.end_s = 1.0;
    check_one_line_error([&] { source s(o); }, "--end");
    o.end_s = 2.0;
    check_one_line_error([&] { source s(o); }, "--end");
    o = one_file(good);
    o.start_s = -1.0;
    check_one_line_error([&] { source s(o); }, "--start");
    o = one_file(good);
    o.loops = -1;
    check_one_line_error([&] { source s(o); }, "--loops");
    check_one_line_error([&] { source s(source_options{}); }, "no input files");
  }
  SUBCASE("a file name with a newline still gives one line") {
    check_one_line_error([&] { probe_file(dir / "two\nlines.wav"); }, "no such file");
  }
}

TEST_CASE("parse_time") {
  CHECK(parse_time("90") == 90.0);
  CHECK(parse_time("1.5") == 1.5);
  CHECK(parse_time("0") == 0.0);
  CHECK(parse_time(".5") == 0.5);
  CHECK(parse_time("1:30") == 90.0);
  CHECK(parse_time("01:30.25") == 90.25);
  CHECK(parse_time("1:02:03.5") == 3723.5);
  CHECK(parse_time("01:02:03.5") == 3723.5);
  CHECK(parse_time("0:00") == 0.0);
  for (const char* bad : {"", "-1", "-0:30", "abc", "1:2:3:4", "1:", ":30", "1.5:30", "1:60", "1:75:00", "1e3", "nan",
                          "inf", " 5", "5 ", "+5", "1..2", ".", "1:30x"}) {
    CAPTURE(bad);
    const std::string msg = error_of([&] { parse_time(bad); });
    CHECK(msg == std::string("bad time '") + bad + "': use seconds or mm:ss");
  }
}

TEST_CASE("memory does not grow with file length") {
  temp_dir dir;
  // 60 s of 48 kHz stereo float (23 MB of samples), written in chunks.
  const std::string path = dir / "long.wav";
  {
    SF_INFO info{};
    info.samplerate = 48000;
    info.channels = 2;
    info.format = wav_float;
    SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
    REQUIRE(f != nullptr);
    const std::vector<float> block = tone(48000, 2, 48000, 220.0, 0.3);
    for (int i = 0; i < 60; ++i) REQUIRE(sf_writef_float(f, block.data(), 48000) == 48000);
    sf_close(f);
  }
  for (const int rate : {48000, 44100}) {
    CAPTURE(rate);
    source_options o = one_file(path);
    o.output_rate = rate;
    source s(o);
    std::vector<float> buf(2 * 512);
    // Warm up (first chunk, resampler), then measure over the rest.
    REQUIRE(s.read(buf.data(), 512) == 512);
    const long before = resident_bytes();
    std::int64_t total = 512;
    for (;;) {
      const std::size_t got = s.read(buf.data(), 512);
      total += static_cast<std::int64_t>(got);
      if (got < 512) break;
    }
    const long after = resident_bytes();
    CHECK(std::abs(total - std::int64_t(60) * rate) <= 4);
    CHECK(after - before < 8L * 1024 * 1024);
  }
}

TEST_CASE("memory_file: the same decode as from the file, the same errors") {
  temp_dir dir;
  using pingpong::player::memory_file;
  const auto bytes_of = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<char>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  for (const auto& input : {std::pair{"m.wav", wav_pcm16}, std::pair{"m.flac", flac_pcm16},
                             std::pair{"m.ogg", ogg_vorbis}}) {
    const std::string name = input.first;
    const int format = input.second;
    CAPTURE(name);
    const std::string path = write_audio(dir / name, format, 44100, 2, tone(44100, 2, 20000));
    const std::vector<char> bytes = bytes_of(path);
    source_options from_file;
    from_file.files = {path};
    from_file.output_rate = 48000;  // through the resampler too
    source_options from_memory = from_file;
    from_memory.files.clear();
    from_memory.memory = {memory_file{"in-memory", bytes.data(), bytes.size()}};
    source a(from_file), b(from_memory);
    CHECK(b.frames_per_pass() == a.frames_per_pass());
    const std::vector<float> fa = drain(a, 777), fb = drain(b, 777);
    REQUIRE(fa.size() > 0);
    CHECK(bit_equal(fa, fb));
  }
  SUBCASE("files first, then memory, gaplessly") {
    const std::string path = write_audio(dir / "f.wav", wav_float, 48000, 1, tone(48000, 1, 1000));
    const std::vector<char> bytes = bytes_of(path);
    source_options o;
    o.files = {path};
    o.memory = {memory_file{"m", bytes.data(), bytes.size()}};
    source s(o);
    CHECK(drain(s, 300).size() == 2000);
  }
  SUBCASE("errors name the memory file") {
    const std::string junk(4096, 'x');
    source_options o;
    o.memory = {memory_file{"junk-in-memory", junk.data(), junk.size()}};
    check_one_line_error([&] { source s(o); }, "cannot open 'junk-in-memory': ");
    o.memory = {memory_file{"nothing", junk.data(), 0}};
    check_one_line_error([&] { source s(o); }, "cannot open 'nothing': empty file");
  }
  SUBCASE("a FLAC cut short in memory ends early, without an error") {
    const std::string path = write_audio(dir / "c.flac", flac_pcm16, 48000, 2, tone(48000, 2, 96000));
    std::vector<char> bytes = bytes_of(path);
    bytes.resize(bytes.size() / 2);
    source_options o;
    o.memory = {memory_file{"half", bytes.data(), bytes.size()}};
    source s(o);
    std::vector<float> out;
    CHECK_NOTHROW(out = drain(s, 1000));
    CHECK(out.size() > 0);
    CHECK(out.size() < 2 * 96000);
  }
}

TEST_CASE("a file truncated while playing is an input_error after the frames already read") {
  temp_dir dir;
  for (const auto& input : {std::pair{"t.wav", wav_pcm16}, std::pair{"t.flac", flac_pcm16}}) {
    const std::string name = input.first;
    const int format = input.second;
    CAPTURE(name);
    const std::string path = write_audio(dir / name, format, 48000, 2, tone(48000, 2, 96000));
    source s(one_file(path));
    std::vector<float> buf(2 * 8192);
    REQUIRE(s.read(buf.data(), 8192) == 8192);
    fs::resize_file(path, fs::file_size(path) / 3);
    check_one_line_error([&] { read_until_end(s); }, "'" + path + "' was truncated while playing (from ");
    CHECK(s.frames_produced() >= 8192);
    CHECK(s.read(buf.data(), 8192) == 0);  // the error is reported once, then the end
  }
}

TEST_CASE("damage libsndfile skips over (FLAC resyncs) is still an error, after the good frames") {
  temp_dir dir;
  const std::string full = write_audio(dir / "full.flac", flac_pcm16, 48000, 2, tone(48000, 2, 96000));
  const auto size = fs::file_size(full);
  std::vector<char> bytes(size);
  std::ifstream(full, std::ios::binary).read(bytes.data(), static_cast<std::streamsize>(size));
  // A small hole: libsndfile loses sync, fills with silence and goes on
  // (a full read, then sf_error): that must not play as a gap and exit 0.
  std::fill(bytes.begin() + static_cast<std::ptrdiff_t>(size / 5),
            bytes.begin() + static_cast<std::ptrdiff_t>(size / 5 + 500), '\0');
  const std::string bad = dir / "holed.flac";
  std::ofstream(bad, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(size));
  for (const int rate : {48000, 44100}) {  // as is, and through the resampler
    CAPTURE(rate);
    source_options o = one_file(bad);
    o.output_rate = rate;
    source s(o);
    std::size_t good = 0;
    check_one_line_error([&] { good = read_until_end(s); }, "cannot decode '" + bad + "' at ");
    CHECK(s.frames_produced() > 0);
  }
}

TEST_CASE("a later file of the list cut short after the check is an error, not a short play") {
  temp_dir dir;
  const std::string a = write_audio(dir / "a.wav", wav_pcm16, 48000, 2, tone(48000, 2, 9600));
  const std::string b = write_audio(dir / "b.wav", wav_pcm16, 48000, 2, tone(48000, 2, 9600));
  source_options o;
  o.files = {a, b};
  source s(o);
  fs::resize_file(b, fs::file_size(b) / 2);
  check_one_line_error([&] { read_until_end(s); }, "'" + b + "' changed since it was checked (9600 frames");
  CHECK(s.frames_produced() == 9600);  // all of a.wav first
}

TEST_CASE("an empty memory_file is empty, whatever its name") {
  temp_dir dir;
  const std::string on_disk = write_audio(dir / "real.wav", wav_pcm16, 48000, 2, tone(48000, 2, 100));
  source_options o;
  o.memory = {pingpong::player::memory_file{on_disk, nullptr, 0}};
  check_one_line_error([&] { source s(o); }, "empty file");
}
