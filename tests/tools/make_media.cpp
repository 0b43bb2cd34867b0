// pp_make_media: writes the media the player tests play, and a demo.
//
//   pp_make_media DIR               test media and demo.flac
//   pp_make_media --fixtures DIR    also rec_counter_*.wav: altered "recordings"
//                                   of counter.wav for pp_compare_audio's tests
//
// Good inputs
//   counter.wav     float WAV, 2 ch, 48 kHz, 3 s. Every frame distinct, no
//                   sample 0: L = (i % 32767 + 1) / 32768,
//                   R = ((i / 32767) % 32767 + 1) / 32768. Multiples of 2^-15
//                   in (0, 1): exact in float and in 16-bit PCM alike, so a
//                   frame counter survives either path bit for bit.
//   counter.flac    the same frames, 16-bit FLAC (decodes to counter.wav's floats)
//   tone.wav        16-bit PCM WAV, 2 ch, 44.1 kHz, 2 s, 440 Hz (L at -6 dBFS,
//                   R at -12 dBFS, so a channel swap shows), 10 ms fades
//   tone.flac       the same samples, FLAC (lossless: decodes to tone.wav's floats)
//   tone.ogg        the same, Ogg Vorbis (lossy)
//   lead_in.wav     float WAV, 2 ch, 48 kHz, 0.5 s of digital silence
//   tone_mono.wav   16-bit PCM WAV, 1 ch, 44.1 kHz, tone.wav's left channel
//   six.wav         16-bit PCM WAV, 6 ch, 48 kHz, 2 s, channel k at 330 + 110 k Hz
//   demo.flac       about 5 s of music, 2 ch, 48 kHz, 16-bit FLAC
//   keys.wav        16-bit PCM WAV, 2 ch, 48 kHz, 75 s: L as counter.wav's L
//                   (frames modulo 32767), R a 440 Hz sine at 0.5
// Bad inputs
//   empty.wav       0 bytes
//   truncated.wav   the first 30 bytes of tone.wav
//   random.wav, random.flac   4 KiB of pseudo-random bytes (fixed seeds)
//   text.mp3        a text file
//
// Exit status: 0 written, 1 a file could not be written, 2 bad usage.
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace {

namespace fs = std::filesystem;
constexpr double pi = std::numbers::pi;

bool g_failed = false;

void report(const fs::path& path, const std::string& what) {
  std::printf("%s  (%s)\n", path.string().c_str(), what.c_str());
}

const char* format_name(int format) {
  switch (format & SF_FORMAT_TYPEMASK) {
    case SF_FORMAT_WAV:
      return (format & SF_FORMAT_SUBMASK) == SF_FORMAT_FLOAT ? "float WAV" : "16-bit WAV";
    case SF_FORMAT_FLAC:
      return "16-bit FLAC";
    case SF_FORMAT_OGG:
      return "Ogg Vorbis";
    default:
      return "audio";
  }
}

// Interleaved float samples; PCM_16 formats get them as shorts (x * 32768,
// exact for the values used here) so that the file holds exactly what the
// generator meant.
bool write_audio(const fs::path& path, int format, int rate, int channels, const std::vector<float>& samples) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = channels;
  info.format = format;
  if (!sf_format_check(&info)) {
    std::fprintf(stderr, "pp_make_media: libsndfile cannot write %s in this format\n", path.string().c_str());
    g_failed = true;
    return false;
  }
  SNDFILE* f = sf_open(path.string().c_str(), SFM_WRITE, &info);
  if (!f) {
    std::fprintf(stderr, "pp_make_media: cannot write %s: %s\n", path.string().c_str(), sf_strerror(nullptr));
    g_failed = true;
    return false;
  }
  const sf_count_t frames = static_cast<sf_count_t>(samples.size() / static_cast<std::size_t>(channels));
  sf_count_t done = 0;
  if ((format & SF_FORMAT_SUBMASK) == SF_FORMAT_PCM_16) {
    std::vector<short> pcm(samples.size());
    std::transform(samples.begin(), samples.end(), pcm.begin(), [](float x) {
      return static_cast<short>(std::clamp(std::lround(double(x) * 32768.0), -32768L, 32767L));
    });
    done = sf_writef_short(f, pcm.data(), frames);
  } else {
    if ((format & SF_FORMAT_TYPEMASK) == SF_FORMAT_OGG) {
      double quality = 0.6;
      sf_command(f, SFC_SET_VBR_ENCODING_QUALITY, &quality, sizeof quality);
    }
    done = sf_writef_float(f, samples.data(), frames);
  }
  const bool ok = done == frames && sf_close(f) == 0;
  if (!ok) {
    std::fprintf(stderr, "pp_make_media: writing %s failed\n", path.string().c_str());
    g_failed = true;
    return false;
  }
  report(path, std::string(format_name(format)) + ", " + std::to_string(channels) + " ch, " + std::to_string(rate) +
                   " Hz, " + std::to_string(frames) + " frames");
  return true;
}

bool write_bytes(const fs::path& path, const std::string& bytes, const std::string& what) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "pp_make_media: cannot write %s\n", path.string().c_str());
    g_failed = true;
    return false;
  }
  report(path, what);
  return true;
}

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::string random_bytes(std::uint64_t seed, std::size_t n) {
  std::string out(n, '\0');
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<char>(splitmix64(seed) & 0xFF);
  return out;
}

// ---- the signals ---------------------------------------------------------------

constexpr int counter_rate = 48000;
constexpr std::size_t counter_frames = 3 * counter_rate;

float counter_left(std::size_t i) {
  return static_cast<float>(i % 32767 + 1) / 32768.0f;
}
float counter_right(std::size_t i) {
  return static_cast<float>((i / 32767) % 32767 + 1) / 32768.0f;
}

std::vector<float> counter() {
  std::vector<float> s(2 * counter_frames);
  for (std::size_t i = 0; i < counter_frames; ++i) {
    s[2 * i] = counter_left(i);
    s[2 * i + 1] = counter_right(i);
  }
  return s;
}

// Quantized to 16 bits already, so that every format holds the same values.
float q16(double x) {
  return static_cast<float>(std::clamp(std::round(x * 32768.0), -32768.0, 32767.0) / 32768.0);
}

double fade(std::size_t i, std::size_t n, std::size_t ramp) {
  const double a = std::min<double>(1.0, double(i) / double(ramp));
  const double b = std::min<double>(1.0, double(n - 1 - i) / double(ramp));
  return std::min(a, b);
}

std::vector<float> tone(int rate, double seconds, const std::vector<double>& hz, const std::vector<double>& gain) {
  const auto n = static_cast<std::size_t>(seconds * rate);
  const std::size_t ch = hz.size();
  const auto ramp = static_cast<std::size_t>(0.010 * rate);
  std::vector<float> s(n * ch);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t c = 0; c < ch; ++c)
      s[i * ch + c] = q16(gain[c] * fade(i, n, ramp) * std::sin(2 * pi * hz[c] * double(i) / rate));
  return s;
}

// A few bars of arpeggios over C - Am - F - G, a closing C major chord, soft
// bass, alternating left/right notes and a ping-pong delay.
std::vector<float> demo() {
  constexpr int rate = 48000;
  constexpr double seconds = 5.0;
  const auto n = static_cast<std::size_t>(seconds * rate);
  std::vector<double> left(n, 0.0), right(n, 0.0);
  auto midi_hz = [](int note) { return 440.0 * std::pow(2.0, (note - 69) / 12.0); };
  // One plucked-ish note: three harmonics, 5 ms attack, exponential decay.
  auto note = [&](int midi, double start, double length, double amp, double pan, double decay) {
    const double hz = midi_hz(midi);
    const auto i0 = static_cast<std::size_t>(start * rate);
    const auto len = static_cast<std::size_t>(length * rate);
    const double gl = std::cos(pan * pi / 2), gr = std::sin(pan * pi / 2);
    for (std::size_t k = 0; k < len && i0 + k < n; ++k) {
      const double t = double(k) / rate;
      const double attack = std::min(1.0, t / 0.005);
      const double release = std::min(1.0, (length - t) / 0.05);
      const double env = amp * attack * release * std::exp(-t / decay);
      const double w = 2 * pi * hz * t;
      const double v = env * (std::sin(w) + 0.35 * std::sin(2 * w) + 0.12 * std::sin(3 * w));
      left[i0 + k] += gl * v;
      right[i0 + k] += gr * v;
    }
  };
  const int chords[4][4] = {{60, 64, 67, 72}, {57, 60, 64, 69}, {53, 57, 60, 65}, {55, 59, 62, 67}};
  const double step = 0.25;  // eighth notes at 120 bpm
  int k = 0;
  for (int bar = 0; bar < 4; ++bar) {
    const double bar_start = bar * 4 * step;
    note(chords[bar][0] - 12, bar_start, 4 * step + 0.1, 0.22, 0.5, 0.8);  // bass
    for (int s = 0; s < 4; ++s, ++k) {
      const int m = chords[bar][bar % 2 == 0 ? s : 3 - s];  // up, then down
      note(m, bar_start + s * step, 0.6, 0.18, k % 2 == 0 ? 0.3 : 0.7, 0.35);
    }
  }
  // The closing chord, slightly spread.
  const int last[4] = {48, 60, 64, 67};
  for (int s = 0; s < 4; ++s) note(last[s], 4.0 + 0.02 * s, 1.0, 0.14, 0.35 + 0.1 * s, 0.5);
  note(72, 4.08, 0.92, 0.12, 0.5, 0.45);

  // Ping-pong delay: each echo crosses to the other side.
  const auto delay = static_cast<std::size_t>(0.375 * rate);
  for (std::size_t i = delay; i < n; ++i) {
    const double l = left[i - delay], r = right[i - delay];
    left[i] += 0.3 * r;
    right[i] += 0.3 * l;
  }
  double peak = 1e-9;
  for (std::size_t i = 0; i < n; ++i) peak = std::max({peak, std::fabs(left[i]), std::fabs(right[i])});
  const double g = 0.7 / peak;
  const auto tail = static_cast<std::size_t>(0.3 * rate);
  std::vector<float> s(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    const double out_fade = i + tail >= n ? double(n - 1 - i) / double(tail) : 1.0;
    s[2 * i] = q16(g * out_fade * left[i]);
    s[2 * i + 1] = q16(g * out_fade * right[i]);
  }
  return s;
}

// ---- comparator fixtures ---------------------------------------------------------

std::vector<float> frames_of(const std::vector<float>& s, std::size_t from, std::size_t to) {
  return {s.begin() + static_cast<std::ptrdiff_t>(2 * from), s.begin() + static_cast<std::ptrdiff_t>(2 * to)};
}
void append(std::vector<float>& out, const std::vector<float>& more) {
  out.insert(out.end(), more.begin(), more.end());
}
std::vector<float> zeros(std::size_t frames) {
  return std::vector<float>(2 * frames, 0.0f);
}

void write_fixtures(const fs::path& dir) {
  const auto c = counter();
  const std::size_t n = counter_frames;
  const int fmt = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  auto recording = [&](const char* name, const std::vector<float>& body) {
    std::vector<float> s = zeros(1000);  // the device ran before the audio came
    append(s, body);
    append(s, zeros(500));
    write_audio(dir / name, fmt, counter_rate, 2, s);
  };
  recording("rec_counter_ok.wav", c);
  {  // 64 frames of silence inserted at 48000 (an underrun)
    auto s = frames_of(c, 0, 48000);
    append(s, zeros(64));
    append(s, frames_of(c, 48000, n));
    recording("rec_counter_gap.wav", s);
  }
  {  // frames 48000..48063 replaced by silence
    auto s = c;
    std::fill(s.begin() + 2 * 48000, s.begin() + 2 * 48064, 0.0f);
    recording("rec_counter_dropout.wav", s);
  }
  {  // frame 96000 dropped
    auto s = frames_of(c, 0, 96000);
    append(s, frames_of(c, 96001, n));
    recording("rec_counter_dropped.wav", s);
  }
  {  // frames 96000..96063 played twice
    auto s = frames_of(c, 0, 96064);
    append(s, frames_of(c, 96000, n));
    recording("rec_counter_dup.wav", s);
  }
  {  // one sample one step off (exact comparison fails, --tolerance 1e-6 passes)
    auto s = c;
    s[2 * 50000 + 1] = std::nextafter(s[2 * 50000 + 1], 2.0f);
    recording("rec_counter_ulp.wav", s);
  }
  // the last 1000 frames missing
  recording("rec_counter_short.wav", frames_of(c, 0, n - 1000));
  {  // 100 frames of the start again after the end
    auto s = c;
    append(s, frames_of(c, 0, 100));
    recording("rec_counter_tail.wav", s);
  }
  // the first 200 frames of sound missing (recorder connected late)
  recording("rec_counter_late.wav", frames_of(c, 200, n));
  {  // the right channel's first 64 frames missing (its port connected a cycle late)
    auto s = c;
    for (std::size_t i = 0; i < 64; ++i) s[2 * i + 1] = 0.0f;
    recording("rec_counter_skew.wav", s);
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool fixtures = false;
  std::string dir_arg;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--fixtures") {
      fixtures = true;
    } else if (a == "-h" || a == "--help") {
      std::puts("usage: pp_make_media [--fixtures] DIR\nWrites the player tests' media (and demo.flac) into DIR.");
      return 0;
    } else if (!a.empty() && a[0] != '-' && dir_arg.empty()) {
      dir_arg = a;
    } else {
      std::fputs("usage: pp_make_media [--fixtures] DIR\n", stderr);
      return 2;
    }
  }
  if (dir_arg.empty()) {
    std::fputs("usage: pp_make_media [--fixtures] DIR\n", stderr);
    return 2;
  }
  const fs::path dir(dir_arg);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    std::fprintf(stderr, "pp_make_media: cannot create directory %s: %s\n", dir_arg.c_str(), ec.message().c_str());
    return 1;
  }

  write_audio(dir / "counter.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, counter_rate, 2, counter());
  write_audio(dir / "counter.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, counter_rate, 2, counter());
  // Played before counter.wav (gaplessly) by the JACK tests: it gives the
  // recorder time to connect every port before the first counted frame.
  write_audio(dir / "lead_in.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, counter_rate, 2,
              std::vector<float>(std::size_t(counter_rate) * 2 / 2, 0.0f));

  {
    // keys.wav: the keys' tests seek ±5 s and ±60 s in it. L counts frames
    // modulo 32767 (as counter.wav's L), R is a 440 Hz sine at 0.5 (a cut
    // in it is a step, a click). 16-bit: 75 s in 14 MB.
    const std::size_t n = std::size_t(75) * counter_rate;
    std::vector<float> k(2 * n);
    for (std::size_t i = 0; i < n; ++i) {
      k[2 * i] = counter_left(i);
      k[2 * i + 1] = q16(0.5 * std::sin(2 * 3.141592653589793 * 440.0 * double(i) / counter_rate));
    }
    write_audio(dir / "keys.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, counter_rate, 2, k);
  }
  const auto t = tone(44100, 2.0, {440.0, 440.0}, {0.5, 0.25});
  write_audio(dir / "tone.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 2, t);
  write_audio(dir / "tone.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 44100, 2, t);
  write_audio(dir / "tone.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 44100, 2, t);
  std::vector<float> mono(t.size() / 2);
  for (std::size_t i = 0; i < mono.size(); ++i) mono[i] = t[2 * i];
  write_audio(dir / "tone_mono.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 1, mono);
  write_audio(dir / "six.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 48000, 6,
              tone(48000, 2.0, {330, 440, 550, 660, 770, 880}, {0.3, 0.3, 0.3, 0.3, 0.3, 0.3}));
  write_audio(dir / "demo.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 48000, 2, demo());

  write_bytes(dir / "empty.wav", "", "bad input: 0 bytes");
  {
    std::ifstream in(dir / "tone.wav", std::ios::binary);
    std::string head(30, '\0');
    in.read(head.data(), 30);
    if (in.gcount() == 30)
      write_bytes(dir / "truncated.wav", head, "bad input: the first 30 bytes of tone.wav");
    else {
      std::fprintf(stderr, "pp_make_media: cannot read back tone.wav\n");
      g_failed = true;
    }
  }
  write_bytes(dir / "random.wav", random_bytes(0x5EED0001, 4096), "bad input: 4096 pseudo-random bytes");
  write_bytes(dir / "random.flac", random_bytes(0x5EED0002, 4096), "bad input: 4096 pseudo-random bytes");
  write_bytes(dir / "text.mp3",
              "This is not an MP3 file. It is a text file with an .mp3 name,\n"
              "for testing how the player reports a file it cannot decode.\n",
              "bad input: text");
  if (fixtures) write_fixtures(dir);
  return g_failed ? 1 : 0;
}
