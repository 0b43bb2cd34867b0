// pingpong_streamer_bench — many streams through pingpong::streamer with ONE
// producer thread, against one producer thread per stream, at the same N.
//
// It writes K stereo 48 kHz FLAC files (a chord under noise, libsndfile),
// then for each N streams them (each stream its own decoder, looping over
// file i % K) into a real-time-paced callback thread (clock_nanosleep to
// absolute period deadlines, SCHED_FIFO where permitted — the sim device's
// timing) that calls mix() once per period. Per N: process CPU (% of one
// core), RSS, mix() time per callback (p50 / p99.9 / max), late callbacks,
// underruns (streams starved after they had started), wake-ups. N runs 1,
// 8, 32, 128, then doubles while the streamer stays glitch-free.
//
//   pingpong_streamer_bench [--duration S] [--period P] [--half H] [--files K]
//                           [--counts 1,8,32,128] [--max N] [--no-baseline]
//                           [--producer-fifo PRIO]
#include <sndfile.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <pingpong/streamer.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "player/file_stream.hpp"
#include "player/source/source.hpp"
#include "player/threads.hpp"

namespace fs = std::filesystem;
namespace pp = pingpong::player;

namespace {

constexpr int rate = 48000;
constexpr std::size_t channels = 2;

struct options {
  double duration_s = 30.0;
  std::size_t period = 256, half = 2048;
  int files = 8;
  std::vector<std::size_t> counts{1, 8, 32, 128};
  std::size_t max_streams = 1024;
  bool baseline = true;
  int producer_fifo = 1;  // as the player does on a device: SCHED_FIFO 1, where permitted
  int rt_fifo = 80;
};

struct run_result {
  std::string mode;
  std::size_t streams = 0;
  double cpu_pct = 0, rss_mb = 0;
  double p50_us = 0, p999_us = 0, max_us = 0;
  std::uint64_t callbacks = 0, late = 0, overruns = 0, underrun_events = 0, posts = 0, futex_wakes = 0,
                producer_wakeups = 0;
  std::size_t producer_threads = 0;
  std::string rt_scheduling;
  /// No stream starved and no mix() call overran its period. A late callback
  /// (the thread woke late: the machine's scheduling, not the mix) is shown apart.
  bool glitch_free() const { return underrun_events == 0 && overruns == 0; }
};

double rss_mb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  return 0;
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

/// K FLAC files, `seconds` each: a chord (different per file) under white noise.
std::vector<std::string> make_media(const fs::path& dir, int count, double seconds) {
  std::vector<std::string> paths;
  std::mt19937 rng(7);
  std::normal_distribution<float> noise(0.0f, 0.05f);
  for (int k = 0; k < count; ++k) {
    const fs::path path = dir / ("stream" + std::to_string(k) + ".flac");
    SF_INFO info{};
    info.samplerate = rate;
    info.channels = int(channels);
    info.format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
    SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
    if (!f) throw std::runtime_error(std::string("cannot write ") + path.string() + ": " + sf_strerror(nullptr));
    const double base = 110.0 * (1.0 + 0.1 * k);
    std::vector<float> block(4096 * channels);
    const auto total = std::size_t(seconds * rate);
    for (std::size_t done = 0; done < total;) {
      const std::size_t n = std::min<std::size_t>(4096, total - done);
      for (std::size_t i = 0; i < n; ++i) {
        const double t = double(done + i) / rate;
        const double tone = 0.2 * std::sin(2 * M_PI * base * t) + 0.15 * std::sin(2 * M_PI * base * 1.5 * t) +
                            0.1 * std::sin(2 * M_PI * base * 2.0 * t);
        for (std::size_t c = 0; c < channels; ++c) block[i * channels + c] = float(tone) + noise(rng);
      }
      sf_writef_float(f, block.data(), sf_count_t(n));
      done += n;
    }
    sf_close(f);
    paths.push_back(path.string());
  }
  return paths;
}

pp::source_options stream_options(const std::string& file) {
  pp::source_options o;
  o.files = {file};
  o.loops = 0;  // until stopped
  o.output_rate = rate;
  o.output_channels = int(channels);
  return o;
}

/// The device stand-in: calls `mix(out)` every period at absolute deadlines
/// for `seconds`, timing each call. Returns the timings (ns) and fills `r`.
template <class Mix>
void paced(const options& opt, run_result& r, Mix&& mix) {
  const std::int64_t period_ns = std::int64_t(1e9 * double(opt.period) / rate);
  const auto callbacks = std::size_t(opt.duration_s * rate / double(opt.period));
  std::vector<std::int64_t> took(callbacks);
  std::vector<float> out(opt.period * channels);
  std::thread rt([&] {
    if (opt.rt_fifo > 0) (void)pp::set_fifo_priority(opt.rt_fifo);
    r.rt_scheduling = pp::describe_scheduling();
    timespec next{};
    clock_gettime(CLOCK_MONOTONIC, &next);
    auto to_ns = [](const timespec& t) { return std::int64_t(t.tv_sec) * 1'000'000'000 + t.tv_nsec; };
    for (std::size_t i = 0; i < callbacks; ++i) {
      std::int64_t due = to_ns(next) + period_ns;
      next.tv_sec = time_t(due / 1'000'000'000);
      next.tv_nsec = long(due % 1'000'000'000);
      while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr) == EINTR) {
      }
      timespec a{}, b{};
      clock_gettime(CLOCK_MONOTONIC, &a);
      mix(out.data());
      clock_gettime(CLOCK_MONOTONIC, &b);
      took[i] = to_ns(b) - to_ns(a);
      if (took[i] > period_ns) ++r.overruns;
      // Ended after the next deadline: late (on a device, an xrun), whatever the cause.
      if (to_ns(b) > due + period_ns) ++r.late;
    }
  });
  rt.join();
  r.callbacks = callbacks;
  std::sort(took.begin(), took.end());
  auto at = [&](double q) {
    return double(took[std::min(took.size() - 1, std::size_t(q * double(took.size())))]) / 1e3;
  };
  r.p50_us = at(0.5);
  r.p999_us = at(0.999);
  r.max_us = double(took.back()) / 1e3;
}

run_result run_streamer(const options& opt, const std::vector<std::string>& files, std::size_t n) {
  run_result r;
  r.mode = "streamer, 1 producer";
  r.streams = n;
  r.producer_threads = 1;
  pingpong::streamer mixer(
      {.channels = channels, .half_frames = opt.half, .max_streams = n, .threads = 1, .on_thread_start = [&](unsigned) {
         if (opt.producer_fifo > 0) (void)pp::set_fifo_priority(opt.producer_fifo);
       }});
  const float gain = 1.0f / float(n);
  for (std::size_t i = 0; i < n; ++i)
    mixer.add(std::make_unique<pp::file_stream>(stream_options(files[i % files.size()])), gain);
  mixer.start();
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (mixer.available() < opt.half && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const auto before = mixer.totals();
  const double cpu0 = cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  paced(opt, r, [&](float* out) { mixer.mix(out, opt.period); });
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.cpu_pct = 100.0 * (cpu_seconds() - cpu0) / wall;
  r.rss_mb = rss_mb();
  const auto after = mixer.totals();
  r.underrun_events = after.underrun_events - before.underrun_events;
  r.posts = after.wake_posts - before.wake_posts;
  r.futex_wakes = after.wake_syscalls - before.wake_syscalls;
  r.producer_wakeups = after.pool_wakeups - before.pool_wakeups;
  return r;
}

/// The classic way: a double buffer and a producer thread (blocking acquire,
/// semaphore wake) per stream; the callback reads each and sums.
run_result run_thread_per_stream(const options& opt, const std::vector<std::string>& files, std::size_t n) {
  using buffer = pingpong::double_buffer<pingpong::lockfree>;
  run_result r;
  r.mode = "thread per stream";
  r.streams = n;
  r.producer_threads = n;
  std::vector<std::unique_ptr<buffer>> buffers;
  std::vector<buffer::consumer> consumers;
  std::vector<std::thread> threads;
  std::atomic<std::uint64_t> wakeups{0};
  for (std::size_t i = 0; i < n; ++i) {
    buffers.push_back(std::make_unique<buffer>(pingpong::config{.half_frames = opt.half, .channels = channels}));
    auto [producer, consumer] = buffers.back()->connect();
    consumers.push_back(std::move(consumer));
    auto src = std::make_shared<pp::source>(stream_options(files[i % files.size()]));
    threads.emplace_back([&, src, p = std::move(producer)]() mutable {
      if (opt.producer_fifo > 0) (void)pp::set_fifo_priority(opt.producer_fifo);
      while (auto slot = p.acquire()) {
        wakeups.fetch_add(1, std::memory_order_relaxed);  // relaxed: a statistic
        const std::size_t got = src->read(slot.data(), slot.capacity());
        slot.commit(got, got < slot.capacity());
      }
    });
  }
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (auto& c : consumers)
    while (c.available() < opt.half && std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::uint64_t posts0 = 0, wakes0 = 0;
  for (auto& b : buffers) {
    posts0 += b->stats().wake_posts;
    wakes0 += b->stats().wake_syscalls;
  }
  const std::uint64_t wakeups0 = wakeups.load();
  std::vector<float> tmp(opt.period * channels);
  const float gain = 1.0f / float(n);
  std::uint64_t underruns = 0;
  const double cpu0 = cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  paced(opt, r, [&](float* out) {
    std::fill(out, out + opt.period * channels, 0.0f);
    for (auto& c : consumers) {
      const auto got = c.read(tmp.data(), opt.period);
      if (got.underrun) ++underruns;
      for (std::size_t k = 0; k < opt.period * channels; ++k) out[k] += gain * tmp[k];
    }
  });
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.cpu_pct = 100.0 * (cpu_seconds() - cpu0) / wall;
  r.rss_mb = rss_mb();
  r.underrun_events = underruns;
  for (auto& b : buffers) {
    r.posts += b->stats().wake_posts;
    r.futex_wakes += b->stats().wake_syscalls;
  }
  r.posts -= posts0;
  r.futex_wakes -= wakes0;
  r.producer_wakeups = wakeups.load() - wakeups0;
  for (auto& b : buffers) b->cancel_writer();
  for (auto& t : threads) t.join();
  consumers.clear();
  return r;
}

void print_header() {
  std::printf("%-22s %6s %7s %8s %8s %9s %9s %7s %6s %9s %9s %10s %9s\n", "mode", "N", "CPU%", "CPU%/N", "RSS MB",
              "mix p50", "p99.9 us", "max us", "late", "underrun", "posts/cb", "futex/cb", "wakes/s");
}

void print_row(const run_result& r, const options& opt) {
  const double cb = double(std::max<std::uint64_t>(r.callbacks, 1));
  std::printf("%-22s %6zu %7.1f %8.3f %8.1f %9.1f %9.1f %7.1f %6llu %9llu %9.2f %9.3f %10.0f%s\n", r.mode.c_str(),
              r.streams, r.cpu_pct, r.cpu_pct / double(r.streams), r.rss_mb, r.p50_us, r.p999_us, r.max_us,
              (unsigned long long)r.late, (unsigned long long)r.underrun_events, double(r.posts) / cb,
              double(r.futex_wakes) / cb, double(r.producer_wakeups) / opt.duration_s,
              r.glitch_free() ? "" : "  GLITCHED");
  std::fflush(stdout);
}

std::vector<std::size_t> parse_counts(const std::string& text) {
  std::vector<std::size_t> v;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) v.push_back(std::stoul(item));
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  options opt;
  std::string command = "pingpong_streamer_bench";
  for (int i = 1; i < argc; ++i) {
    command += std::string(" ") + argv[i];
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      command += std::string(" ") + argv[i + 1];
      return argv[++i];
    };
    if (a == "--duration")
      opt.duration_s = std::stod(next());
    else if (a == "--period")
      opt.period = std::stoul(next());
    else if (a == "--half")
      opt.half = std::stoul(next());
    else if (a == "--files")
      opt.files = std::stoi(next());
    else if (a == "--counts")
      opt.counts = parse_counts(next());
    else if (a == "--max")
      opt.max_streams = std::stoul(next());
    else if (a == "--no-baseline")
      opt.baseline = false;
    else if (a == "--producer-fifo")
      opt.producer_fifo = std::stoi(next());
    else if (a == "--rt-fifo")
      opt.rt_fifo = std::stoi(next());
    else {
      std::fprintf(stderr,
                   "usage: pingpong_streamer_bench [--duration S] [--period P] [--half H] [--files K] [--counts a,b,c] "
                   "[--max N] [--no-baseline] [--producer-fifo PRIO] [--rt-fifo PRIO]\n");
      return 2;
    }
  }
  const fs::path dir = fs::temp_directory_path() / ("pp_streamer_bench_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto files = make_media(dir, opt.files, 4.0);
  std::printf(
      "pingpong_streamer_bench: %d FLAC files (stereo 48 kHz 16-bit, 4 s, looped), period %zu (%.2f ms), "
      "half %zu, %.0f s per run, %u CPUs; idle RSS %.1f MB\n",
      opt.files, opt.period, 1e3 * double(opt.period) / rate, opt.half, opt.duration_s,
      std::thread::hardware_concurrency(), rss_mb());
  std::printf("reproduce: %s\n", command.c_str());
  print_header();

  std::vector<run_result> results;
  std::vector<std::size_t> counts = opt.counts;
  std::size_t max_clean = 0;
  for (std::size_t k = 0; k < counts.size(); ++k) {
    const std::size_t n = counts[k];
    if (n > opt.max_streams) break;
    const run_result r = run_streamer(opt, files, n);
    print_row(r, opt);
    results.push_back(r);
    if (r.glitch_free()) max_clean = std::max(max_clean, n);
    if (opt.baseline) {
      const run_result b = run_thread_per_stream(opt, files, n);
      print_row(b, opt);
      results.push_back(b);
    }
    if (!r.glitch_free()) break;
    if (k + 1 == counts.size() && 2 * n <= opt.max_streams) counts.push_back(2 * n);  // then doubling
  }
  std::printf("RT side: %s. Most streams glitch-free with one producer thread: %zu (period %zu, half %zu)\n",
              results.empty() ? "?" : results.front().rt_scheduling.c_str(), max_clean, opt.period, opt.half);
  for (const auto& r : results)
    if (r.mode.rfind("streamer", 0) == 0 && r.streams == 128)
      std::printf("mix() of 128 streams: p99.9 %.1f us, max %.1f us = %.1f%% of the %.0f us period\n", r.p999_us,
                  r.max_us, 100.0 * r.max_us / (1e6 * double(opt.period) / rate), 1e6 * double(opt.period) / rate);
  fs::remove_all(dir);
  return 0;
}
