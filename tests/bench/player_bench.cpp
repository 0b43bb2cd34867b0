// pingpong_player_bench — the player's speed and memory targets, measured in
// one run and printed with the command that reproduces them:
//   1. offline render throughput vs a bare libsndfile decode loop (WAV, FLAC)
//   2. time from play() to the first callback that plays audio (JACK if a
//      server is running — JACK_DEFAULT_SERVER — and the sim device)
//   3. peak RSS while rendering a 1 GB WAV (a sparse file: no disk needed)
//
//   pingpong_player_bench [--seconds S] [--repeat N] [--skip-rss]
#include <sndfile.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "player/player.hpp"

namespace fs = std::filesystem;
namespace pp = pingpong::player;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

/// A stereo 48 kHz file of music-like content (two detuned sines + noise).
void write_file(const fs::path& path, int format, double seconds) {
  SF_INFO info{};
  info.samplerate = 48000;
  info.channels = 2;
  info.format = format;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  if (!f) {
    std::fprintf(stderr, "cannot write %s: %s\n", path.c_str(), sf_strerror(nullptr));
    std::exit(1);
  }
  std::vector<float> block(2 * 4096);
  std::uint32_t noise = 12345;
  const auto total = static_cast<std::int64_t>(seconds * 48000);
  for (std::int64_t done = 0; done < total;) {
    const auto n = std::min<std::int64_t>(4096, total - done);
    for (std::int64_t i = 0; i < n; ++i) {
      const double t = double(done + i) / 48000.0;
      noise = noise * 1664525u + 1013904223u;
      const double hiss = (double(noise >> 8) / double(1u << 24) - 0.5) * 0.02;
      block[std::size_t(2 * i)] = float(0.3 * std::sin(2 * M_PI * 220.0 * t) + hiss);
      block[std::size_t(2 * i + 1)] = float(0.3 * std::sin(2 * M_PI * 221.5 * t) - hiss);
    }
    sf_writef_float(f, block.data(), n);
    done += n;
  }
  sf_close(f);
}

/// The baseline: open, decode to float in 4096-frame reads, close.
double bare_decode_s(const fs::path& path, std::int64_t* frames_out) {
  const auto t0 = std::chrono::steady_clock::now();
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  std::vector<float> block(std::size_t(4096 * info.channels));
  std::int64_t frames = 0;
  volatile float sink = 0;
  for (sf_count_t n; (n = sf_readf_float(f, block.data(), 4096)) > 0;) {
    frames += n;
    sink = sink + block[0];
  }
  sf_close(f);
  *frames_out = frames;
  return seconds_since(t0);
}

double render_s(const fs::path& path, std::uint64_t* frames_out) {
  pp::play_options o;
  o.files = {path.string()};
  o.output_file = "/dev/null";
  o.period_frames = 1024;
  // wake left unset: --wake auto, resolved by the library as `pingpong play -o` does
  const auto t0 = std::chrono::steady_clock::now();
  const pp::play_report r = pp::play(o);
  const double s = seconds_since(t0);
  *frames_out = r.frames_played;
  return s;
}

/// A 1 GB stereo 16-bit WAV that is a sparse file of silence: RIFF header,
/// then ftruncate. Costs no disk and no time to create.
void write_sparse_wav(const fs::path& path, std::uint64_t data_bytes) {
  std::ofstream f(path, std::ios::binary);
  auto u32 = [&](std::uint32_t v) { f.write(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&](std::uint16_t v) { f.write(reinterpret_cast<const char*>(&v), 2); };
  f.write("RIFF", 4);
  u32(std::uint32_t(36 + data_bytes));
  f.write("WAVEfmt ", 8);
  u32(16);
  u16(1);
  u16(2);
  u32(48000);
  u32(48000 * 4);
  u16(4);
  u16(16);
  f.write("data", 4);
  u32(std::uint32_t(data_bytes));
  f.close();
  fs::resize_file(path, 44 + data_bytes);
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 60;
  int repeat = 5;
  bool skip_rss = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc)
      seconds = std::atof(argv[++i]);
    else if (a == "--repeat" && i + 1 < argc)
      repeat = std::atoi(argv[++i]);
    else if (a == "--skip-rss")
      skip_rss = true;
    else {
      std::fprintf(stderr, "usage: pingpong_player_bench [--seconds S] [--repeat N] [--skip-rss]\n");
      return 2;
    }
  }
  const fs::path dir = fs::temp_directory_path() / ("pingpong-player-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);

  std::string command = argv[0];
  for (int i = 1; i < argc; ++i) command += std::string(" ") + argv[i];
  std::printf("# %s\n", command.c_str());

  std::printf("\n## offline render vs bare libsndfile decode (%.0f s stereo 48 kHz, median of %d, interleaved runs)\n",
              seconds, repeat);
  std::printf("%-6s %14s %14s %16s %8s\n", "format", "decode ms", "render ms", "render x realtime", "ratio");
  struct fmt {
    const char* name;
    int format;
  };
  bool frames_ok = true;
  for (const fmt f : {fmt{"wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16}, fmt{"flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16}}) {
    const fs::path path = dir / (std::string("bench.") + f.name);
    write_file(path, f.format, seconds);
    std::vector<double> decode, render;
    for (int r = 0; r < repeat; ++r) {  // interleaved: drift hits both alike
      std::int64_t decoded = 0;
      std::uint64_t rendered = 0;
      decode.push_back(bare_decode_s(path, &decoded));
      render.push_back(render_s(path, &rendered));
      frames_ok &= std::uint64_t(decoded) == rendered;
    }
    const double d = median(decode), r = median(render);
    std::printf("%-6s %14.1f %14.1f %16.0f %8.2f\n", f.name, d * 1e3, r * 1e3, seconds / r, d / r);
  }
  std::printf("(ratio = decode time / render time: throughput of render relative to bare decode; goal >= 0.95)\n");

  std::printf("\n## start to first audio (play() called -> first callback with audio)\n");
  {
    const fs::path path = dir / "short.wav";
    write_file(path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 0.5);
    std::vector<std::string> devices = {"sim"};
    if (std::getenv("JACK_DEFAULT_SERVER")) devices.insert(devices.begin(), "");
    for (const auto& device : devices) {
      std::vector<double> startup, first;
      std::string name;
      try {
        for (int r = 0; r < repeat; ++r) {
          pp::play_options o;
          o.files = {path.string()};
          o.device = device;
          o.period_frames = 64;
          const pp::play_report rep = pp::play(o);
          startup.push_back(rep.startup_ms);
          first.push_back(rep.first_audio_ms);
          name = rep.device.name + " (" + rep.device.host_api + ")";
        }
        std::printf("%-44s startup median %.1f ms (max %.1f), device start -> audio median %.1f ms; goal <= 50 ms\n",
                    name.c_str(), median(startup), *std::max_element(startup.begin(), startup.end()), median(first));
      } catch (const std::exception& e) {
        std::printf("%-44s skipped: %s\n", device.empty() ? "default device" : device.c_str(), e.what());
      }
    }
  }

  int status = frames_ok ? 0 : 1;
  if (!skip_rss) {
    std::printf("\n## peak RSS rendering a 1 GB WAV (sparse file, offline render to /dev/null, in a child process)\n");
    const fs::path big = dir / "big.wav";
    write_sparse_wav(big, 1ull << 30);
    const auto t0 = std::chrono::steady_clock::now();
    const pid_t child = ::fork();
    if (child == 0) {
      std::uint64_t frames = 0;
      render_s(big, &frames);
      std::_Exit(frames == (1ull << 30) / 4 ? 0 : 1);
    }
    int child_status = 0;
    ::waitpid(child, &child_status, 0);
    rusage ru{};
    ::getrusage(RUSAGE_CHILDREN, &ru);
    std::printf(
        "1 GB (%.1f min of audio) rendered in %.1f s; peak RSS %.1f MB; goal < 32 MB; %s\n",
        double(1ull << 30) / 4 / 48000 / 60, seconds_since(t0), double(ru.ru_maxrss) / 1024.0,
        WIFEXITED(child_status) && WEXITSTATUS(child_status) == 0 ? "all frames rendered" : "FRAME COUNT WRONG");
    if (!(WIFEXITED(child_status) && WEXITSTATUS(child_status) == 0)) status = 1;
  }
  if (!frames_ok) std::printf("ERROR: rendered frame count differs from the decoded count\n");
  fs::remove_all(dir);
  return status;
}
