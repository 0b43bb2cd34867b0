#include "player/lab/stream_probe.hpp"

#include <sys/resource.h>
#include <pingpong/streamer.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "player/device/device.hpp"
#include "player/errors.hpp"
#include "player/file_stream.hpp"
#include "player/lab/input.hpp"
#include "player/mix.hpp"
#include "player/source/source.hpp"
#include "player/threads.hpp"

namespace pingpong::player {
namespace {

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
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

stream_probe_run run_once(const stream_probe_options& o, const std::string& file, std::size_t n,
                          stream_probe_report& report, const std::atomic<bool>* interrupt) {
  device_request request;
  request.name = o.device;
  request.preferred_rate = probe_file(file).sample_rate;
  request.wanted_channels = 2;
  request.period_frames = o.period_frames;
  auto device = open_device(request);
  const device_info info = device->info();
  report.device = info.name;
  report.host_api = info.host_api;
  report.sample_rate = info.sample_rate;
  report.channels = info.channels;
  report.period_frames = info.period_frames;
  report.half_frames = o.half_frames > 0 ? o.half_frames : std::max<std::size_t>(8 * info.period_frames, 2048);

  stream_probe_run run;
  run.streams = n;
  pingpong::streamer mixer({.channels = static_cast<std::size_t>(info.channels),
                            .half_frames = report.half_frames,
                            .max_streams = n,
                            .threads = 1,
                            .on_thread_start = [&](unsigned) {
                              if (o.producer_fifo_priority > 0) (void)set_fifo_priority(o.producer_fifo_priority);
                            }});
  for (std::size_t i = 0; i < n; ++i) {
    source_options so;
    so.files = {file};
    so.loops = 0;  // until stopped
    so.output_rate = info.sample_rate;
    so.output_channels = info.channels;
    (void)mixer.add(std::make_unique<file_stream>(so), 1.0f / static_cast<float>(n));
  }
  mixer.start();
  // Prefilled before the device starts, as play does.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (mixer.available() < report.half_frames && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const auto period_ns =
      static_cast<std::int64_t>(1e9 * static_cast<double>(info.period_frames) / static_cast<double>(info.sample_rate));
  mix_target target(mixer, period_ns);
  const auto before = mixer.totals();
  const double cpu0 = cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  device->start(target);
  const auto until = t0 + std::chrono::duration<double>(o.duration_s);
  while (std::chrono::steady_clock::now() < until && !device->finished()) {
    // relaxed: a polled flag set by a signal handler.
    if (interrupt && interrupt->load(std::memory_order_relaxed)) {
      report.interrupted = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  device->stop();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  run.cpu_percent = 100.0 * (cpu_seconds() - cpu0) / wall;
  run.rss_mb = rss_mb();
  const auto after = mixer.totals();
  mixer.stop();
  run.underrun_events = after.underrun_events - before.underrun_events;
  run.wakeups_per_s = static_cast<double>(after.pool_wakeups - before.pool_wakeups) / wall;
  run.callbacks = target.callbacks();
  run.deadline_misses = target.deadline_misses();
  run.max_mix_us = static_cast<double>(target.max_ns()) / 1e3;
  run.failure = device->failure();
  run.clean = run.underrun_events == 0 && run.deadline_misses == 0 && run.failure.empty() && run.callbacks > 0;
  return run;
}

}  // namespace

stream_probe_report probe_streams(const stream_probe_options& o, const std::atomic<bool>* interrupt,
                                  const std::function<void(const stream_probe_run&)>& on_run) {
  if (o.max_streams == 0) throw input_error("probe --streams: --max-streams must be at least 1");
  const run_input input(o.file, o.duration_s);
  stream_probe_report report;
  report.file = o.file.empty() ? "(generated sweep, float WAV)" : o.file;
  report.duration_s = o.duration_s;
  auto run = [&](std::size_t n) {
    const stream_probe_run r = run_once(o, input.path(), n, report, interrupt);
    report.runs.push_back(r);
    if (on_run) on_run(r);
    return r.clean;
  };
  // Doubling, then bisecting between the last clean N and the first glitched.
  std::size_t good = 0, bad = 0;
  for (std::size_t n = 1; n <= o.max_streams && !report.interrupted; n *= 2) {
    if (run(n)) {
      good = n;
    } else {
      bad = n;
      break;
    }
    if (n * 2 > o.max_streams && n < o.max_streams) {  // the cap itself, once
      if (run(o.max_streams))
        good = o.max_streams;
      else
        bad = o.max_streams;
      break;
    }
  }
  while (bad > good + 1 && good > 0 && !report.interrupted) {
    const std::size_t mid = good + (bad - good) / 2;
    if (run(mid))
      good = mid;
    else
      bad = mid;
  }
  report.max_streams = good;
  const stream_probe_run* at_max = nullptr;
  const stream_probe_run* at_one = nullptr;
  for (const auto& r : report.runs) {
    if (r.streams == good && r.clean) at_max = &r;
    if (r.streams == 1) at_one = &r;
  }
  if (at_max) report.cpu_per_stream = at_max->cpu_percent / static_cast<double>(good);
  if (at_max && at_one && good > 1) report.rss_mb_per_stream = (at_max->rss_mb - at_one->rss_mb) / double(good - 1);
  return report;
}

std::string stream_probe_json(const stream_probe_report& r, const std::string& version) {
  nlohmann::ordered_json j;
  j["pingpong"] = version;
  j["probe"] = "streams";
  j["file"] = r.file;
  j["device"] = {
      {"name", r.device}, {"host_api", r.host_api}, {"sample_rate", r.sample_rate}, {"channels", r.channels}};
  j["period_frames"] = r.period_frames;
  j["half_frames"] = r.half_frames;
  j["duration_s"] = r.duration_s;
  j["producer_threads"] = 1;
  j["max_streams"] = r.max_streams;
  j["cpu_per_stream"] = r.cpu_per_stream;
  j["rss_mb_per_stream"] = r.rss_mb_per_stream;
  j["interrupted"] = r.interrupted;
  auto& runs = j["runs"] = nlohmann::ordered_json::array();
  for (const auto& x : r.runs)
    runs.push_back({{"streams", x.streams},
                    {"clean", x.clean},
                    {"underrun_events", x.underrun_events},
                    {"deadline_misses", x.deadline_misses},
                    {"callbacks", x.callbacks},
                    {"cpu_percent", x.cpu_percent},
                    {"producer_wakeups_per_s", x.wakeups_per_s},
                    {"rss_mb", x.rss_mb},
                    {"max_callback_us", x.max_mix_us},
                    {"failure", x.failure}});
  return j.dump(2) + "\n";
}

std::string stream_probe_text(const stream_probe_report& r) {
  std::string text;
  char line[256];
  std::snprintf(line, sizeof line, "%8s  %-8s %8s %8s %10s %9s %8s %12s\n", "streams", "result", "CPU %", "CPU/str",
                "wakeups/s", "RSS MB", "underrun", "max cb us");
  text += line;
  for (const auto& x : r.runs) {
    std::snprintf(line, sizeof line, "%8zu  %-8s %8.1f %8.3f %10.0f %9.1f %8llu %12.1f\n", x.streams,
                  x.clean ? "clean" : "GLITCHED", x.cpu_percent, x.cpu_percent / static_cast<double>(x.streams),
                  x.wakeups_per_s, x.rss_mb, static_cast<unsigned long long>(x.underrun_events), x.max_mix_us);
    text += line;
  }
  std::snprintf(line, sizeof line,
                "max_streams %zu glitch-free on '%s' (%s) at %d Hz, period %zu, half %zu, one producer thread; "
                "%.3f%% CPU and %.2f MB per stream\n",
                r.max_streams, r.device.c_str(), r.host_api.c_str(), r.sample_rate, r.period_frames, r.half_frames,
                r.cpu_per_stream, r.rss_mb_per_stream);
  text += line;
  return text;
}

}  // namespace pingpong::player
