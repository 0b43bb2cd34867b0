#include "player/mix.hpp"

#include <pingpong/streamer.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <thread>

#include "player/errors.hpp"
#include "player/file_stream.hpp"
#include "player/source/source.hpp"
#include "player/text.hpp"

#include <nlohmann/json.hpp>

namespace pingpong::player {
mix_report play_mix(const mix_options& o) {
  if (o.files.empty()) throw input_error("play --mix: give at least one FILE");
  int channels = 0;
  const file_info first = probe_file(o.files.front());
  for (const auto& f : o.files) channels = std::max(channels, probe_file(f).channels);
  device_request request;
  request.name = o.device;
  request.output_file = o.output_file;
  request.preferred_rate = o.rate > 0 ? o.rate : first.sample_rate;
  request.require_rate = o.rate > 0;
  request.wanted_channels = channels;
  request.period_frames = o.period_frames;
  request.encoding = o.encoding;
  auto device = open_device(request);

  mix_report report;
  report.device = device->info();
  const std::size_t period = std::max<std::size_t>(report.device.period_frames, o.period_frames);
  report.half_frames = o.half_frames > 0 ? o.half_frames : std::max<std::size_t>(8 * period, 2048);
  pingpong::streamer mixer({.channels = static_cast<std::size_t>(report.device.channels),
                            .half_frames = report.half_frames,
                            .max_streams = o.files.size(),
                            .threads = 1});
  std::vector<pingpong::stream_id> ids;
  std::vector<const file_stream*> streams;
  for (const auto& f : o.files) {
    source_options so;
    so.files = {f};
    so.gain_db = o.gain_db;
    so.output_rate = report.device.sample_rate;
    so.output_channels = report.device.channels;
    auto stream = std::make_unique<file_stream>(so);
    streams.push_back(stream.get());
    ids.push_back(*mixer.add(std::move(stream)));  // max_streams = the files: never refused
    report.streams.push_back({.file = f});
  }
  mixer.start();
  mix_target target(mixer);
  device->start(target);
  while (!device->finished()) {
    // relaxed: a polled flag set by a signal handler.
    if (o.interrupt && o.interrupt->load(std::memory_order_relaxed)) {
      report.interrupted = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  device->stop();
  mixer.stop();
  if (!device->failure().empty()) {
    report.error = device->failure();
    report.error_code = device->failure_code();
  } else if (!report.interrupted) {
    device->commit();  // offline: the file gets its name now
  }
  report.frames = target.frames();
  report.callbacks = target.callbacks();
  report.clipped_in_mix = target.clipped();
  report.clipped_output = device->clipped_samples();
  report.max_mix_ns = target.max_ns();
  const auto totals = mixer.totals();
  report.wake_posts = totals.wake_posts;
  report.wake_syscalls = totals.wake_syscalls;
  report.pool_wakeups = totals.pool_wakeups;
  report.halves_filled = totals.halves_filled;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto st = mixer.stats(ids[i]);
    if (!st) continue;
    report.streams[i].frames = st->frames_played;
    report.streams[i].underrun_events = st->underrun_events;
    report.streams[i].underrun_frames = st->underrun_frames;
    report.streams[i].error = streams[i]->error();
  }
  return report;
}

std::string mix_summary_text(const mix_report& r) {
  const double rate = r.device.sample_rate > 0 ? r.device.sample_rate : 1;
  std::string text;
  char line[512];
  std::snprintf(line, sizeof line, "mixed %zu stream%s: %.2f s (%llu frames) at %d Hz, %d ch, period %zu, half %zu\n",
                r.streams.size(), r.streams.size() == 1 ? "" : "s", double(r.frames) / rate,
                static_cast<unsigned long long>(r.frames), r.device.sample_rate, r.device.channels,
                r.device.period_frames, r.half_frames);
  text += line;
  for (const auto& s : r.streams) {
    std::snprintf(line, sizeof line, "  %s: %.2f s, %llu underruns (%llu frames)%s%s\n", printable(s.file).c_str(),
                  double(s.frames) / rate, static_cast<unsigned long long>(s.underrun_events),
                  static_cast<unsigned long long>(s.underrun_frames),
                  s.error.empty() ? "" : ", ended early: ", printable(s.error).c_str());
    text += line;
  }
  std::snprintf(
      line, sizeof line,
      "clipped: %llu samples of the sum beyond ±1.0%s; longest mix() %.1f us; one producer thread: %llu "
      "halves, %llu wake-ups; RT posts %llu (%llu futex wakes)\n",
      static_cast<unsigned long long>(r.clipped_in_mix),
      r.clipped_output ? (", " + std::to_string(r.clipped_output) + " clipped by the output format").c_str() : "",
      double(r.max_mix_ns) / 1e3, static_cast<unsigned long long>(r.halves_filled),
      static_cast<unsigned long long>(r.pool_wakeups), static_cast<unsigned long long>(r.wake_posts),
      static_cast<unsigned long long>(r.wake_syscalls));
  text += line;
  return text;
}

std::string mix_json(const mix_report& r, const std::string& version) {
  nlohmann::ordered_json j;
  j["pingpong"] = version;
  j["mode"] = "mix";
  j["device"] = {{"name", r.device.name},
                 {"host_api", r.device.host_api},
                 {"sample_rate", r.device.sample_rate},
                 {"channels", r.device.channels},
                 {"period_frames", r.device.period_frames}};
  j["half_frames"] = r.half_frames;
  j["frames"] = r.frames;
  j["callbacks"] = r.callbacks;
  j["clipped_in_mix"] = r.clipped_in_mix;
  j["clipped_output"] = r.clipped_output;
  j["max_mix_us"] = double(r.max_mix_ns) / 1e3;
  j["producer_threads"] = 1;
  j["halves_filled"] = r.halves_filled;
  j["pool_wakeups"] = r.pool_wakeups;
  j["wake_posts"] = r.wake_posts;
  j["wake_syscalls"] = r.wake_syscalls;
  j["underrun_events"] = r.underrun_events();
  j["interrupted"] = r.interrupted;
  auto& streams = j["streams"] = nlohmann::ordered_json::array();
  for (const auto& s : r.streams)
    streams.push_back({{"file", s.file},
                       {"frames", s.frames},
                       {"underrun_events", s.underrun_events},
                       {"underrun_frames", s.underrun_frames},
                       {"error", s.error}});
  return j.dump(2) + "\n";
}

}  // namespace pingpong::player
