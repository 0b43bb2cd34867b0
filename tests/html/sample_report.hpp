// A synthetic pingpong compare report for the HTML tests and the sample page:
// two loads × {lockfree, mutex} × {semaphore, poll} × 3 repeats. Under the
// "stall" load the mutex runs glitch (mutex/semaphore: 12 + 14 + 15 = 41
// underruns, blocked up to 12345.6 µs); lockfree stays clean. Deterministic.
// And a hostile report for the edge cases.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "player/compare.hpp"
#include "player/histogram.hpp"

namespace pingpong::html_test {

using player::compare_report;
using player::compare_run;
using player::timeline_point;

/// The input name, with characters that must be escaped.
inline const std::string sample_input = "media/<odd> & \"quoted\" 'name'.wav";

/// A small deterministic generator (splitmix64): same numbers everywhere.
struct sample_rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return double(next() >> 11) / 9007199254740992.0; }  // [0, 1)
  double normal() {                                                        // Box–Muller
    const double u = 1.0 - uniform(), v = uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * v);
  }
};

struct sample_spec {
  std::uint64_t underruns = 0, misses = 0, xruns = 0;
  double median_us = 35, blocked_us = 1, syscalls = 0;
  double stall_ms = 0;          // the length of each glitch's callback (> period when > 0)
  double timeline_hz = 20;
};

inline compare_run make_sample_run(const std::string& load, const std::string& handoff, const std::string& wake,
                                   int repeat, const sample_spec& s) {
  constexpr int rate = 48000;
  constexpr std::size_t period_frames = 256;
  constexpr double duration_s = 10.0;
  const double period_us = double(period_frames) * 1e6 / rate;

  compare_run run;
  run.load = load;
  run.handoff = handoff;
  run.wake = wake;
  run.repeat = repeat;
  run.period_us = period_us;
  run.blocked_us_max = s.blocked_us;
  run.syscalls_per_callback = s.syscalls;
  if (load == "stall") run.load_note = "4 stalls/s of 21 ms inside the lock; producer at SCHED_OTHER (<FIFO> & \"RR\" not permitted)";

  auto& r = run.report;
  r.files = {sample_input};
  r.device = {"sim", "sim", rate, 2, period_frames, 0.0, false, ""};
  r.handoff = handoff;
  r.wake = wake;
  r.half_frames = 2048;
  const auto callbacks = std::uint64_t(duration_s * 1e6 / period_us);
  r.callbacks = callbacks;
  r.frames_played = callbacks * period_frames;
  r.duration_s = duration_s;
  r.wall_s = duration_s + 0.05;
  r.underrun_events = s.underruns;
  r.underrun_frames = s.underruns * period_frames;
  r.deadline_misses = s.misses;
  r.device_xruns = s.xruns;
  r.output_underflows = s.xruns;

  // callback durations: log-normal around the median, a thin tail, and the
  // callbacks that waited on a stalled lock (longer than the period)
  sample_rng rng{std::hash<std::string>{}(load + handoff + wake) + std::uint64_t(repeat)};
  player::latency_histogram h;
  for (std::uint64_t i = 0; i < callbacks; ++i) {
    double us = s.median_us * std::exp(0.28 * rng.normal());
    if (rng.uniform() < 0.01) us *= 2 + 6 * rng.uniform();
    h.record(std::int64_t(us * 1000));
  }
  for (std::uint64_t i = 0; i < s.misses; ++i) h.record(std::int64_t((s.stall_ms * 1000 * (0.6 + 0.4 * rng.uniform())) * 1000));
  r.callback_us.p50 = h.percentile_us(50);
  r.callback_us.p99 = h.percentile_us(99);
  r.callback_us.p999 = h.percentile_us(99.9);
  r.callback_us.max = h.max_us();
  r.callback_us.count = h.count();
  r.callback_us.bins = h.bins();

  // the timeline: fill saw-tooths between the halves; each glitch empties it
  const auto points = std::size_t(duration_s * s.timeline_hz);
  std::vector<double> glitch_at;
  for (std::uint64_t i = 0; i < s.underruns + s.misses + s.xruns; ++i) glitch_at.push_back(0.3 + 9.4 * rng.uniform());
  for (std::size_t i = 0; i < points; ++i) {
    timeline_point p;
    p.t_s = double(i) / s.timeline_hz;
    double fill = 0.55 + 0.4 * std::fmod(p.t_s / 0.0427, 1.0) + 0.03 * rng.normal();
    for (std::size_t g = 0; g < glitch_at.size(); ++g) {
      const double dt = p.t_s - glitch_at[g];
      if (dt >= 0) {
        if (g < s.underruns) ++p.underruns;
        else if (g < s.underruns + s.misses) ++p.deadline_misses;
        else ++p.device_xruns;
      }
      if (g < s.underruns && std::fabs(dt) < 0.12) fill = std::min(fill, std::fabs(dt) * 4);
    }
    p.fill = std::clamp(fill, 0.0, 1.0);
    r.timeline.push_back(p);
  }
  run.timeline = r.timeline;
  return run;
}

inline compare_report make_sample_report() {
  compare_report rep;
  rep.version = "0.1.0";
  rep.command = "pingpong compare --load none,stall --repeats 3 --duration 10 --report out.html \"" + sample_input + "\"";
  rep.date = "2025-01-02 03:04:05 UTC";
  rep.machine = "Synthetic CPU @ 3.0 GHz, 8 cores, Linux 6.1.0-sample";
  rep.input = sample_input;
  rep.device = {"sim", "sim", 48000, 2, 256, 0.0, false, ""};
  rep.half_frames = 2048;
  rep.duration_s = 10.0;
  rep.repeats = 3;

  const std::uint64_t mutex_sem_underruns[] = {12, 14, 15};  // 41 in all
  const std::uint64_t mutex_sem_misses[] = {1, 0, 2};
  const std::uint64_t mutex_poll_underruns[] = {3, 0, 5};
  for (const std::string load : {"none", "stall"})
    for (int repeat = 0; repeat < 3; ++repeat)  // interleaved, as compare runs them
      for (const std::string handoff : {"lockfree", "mutex"})
        for (const std::string wake : {"semaphore", "poll"}) {
          sample_spec s;
          const bool mutex = handoff == "mutex";
          s.median_us = (mutex ? 38 : 33) + (wake == "poll" ? 2 : 0);
          s.blocked_us = mutex ? 14.2 + repeat : 0.9 + 0.1 * repeat;
          s.syscalls = wake == "poll" ? 0.0 : (mutex ? 1.25 : 0.5);
          if (load == "none" && handoff == "lockfree" && wake == "poll") s.syscalls = -1;  // not measurable
          // A host xrun alone: the run is still clean (the handoff did not glitch).
          if (load == "none" && handoff == "lockfree" && wake == "poll" && repeat == 1) s.xruns = 1;
          if (load == "none" && handoff == "lockfree" && wake == "semaphore" && repeat == 0)
            s.timeline_hz = 1000;  // 10000 points: the chart must downsample
          if (load == "stall" && mutex) {
            const auto i = std::size_t(repeat);
            s.underruns = wake == "semaphore" ? mutex_sem_underruns[i] : mutex_poll_underruns[i];
            s.misses = wake == "semaphore" ? mutex_sem_misses[i] : 0;
            s.xruns = wake == "semaphore" && repeat == 2 ? 1 : 0;
            s.stall_ms = 21;
            s.blocked_us = wake == "semaphore" && repeat == 1 ? 12345.6 : 9000 + 500 * repeat;
            s.syscalls = wake == "poll" ? 0.0 : 2.5;
          }
          rep.runs.push_back(make_sample_run(load, handoff, wake, repeat, s));
        }

  rep.summary.push_back({"none", "all policies clean in 3/3 runs", ""});
  rep.summary.push_back(
      {"stall", "mutex glitched in 5/6 runs (49 underruns, 3 deadline misses); lockfree clean in 6/6",
       "mutex: the callback waits on the lock while the producer stalls inside it (up to 12.3 ms); "
       "lockfree: the callback never waits, the back half absorbs the producer's lateness"});
  return rep;
}

/// Everything that must not break the page: NaN, infinities, negative and
/// saturating numbers, invalid UTF-8 and control characters, markup in
/// names, empty runs, a 50000-point timeline, absurd periods and clocks.
inline compare_report make_hostile_report() {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  constexpr double inf = std::numeric_limits<double>::infinity();
  constexpr std::uint64_t huge = std::numeric_limits<std::uint64_t>::max();

  compare_report rep;
  rep.input = "bad utf-8: \xff\xfe \xC3\x28 \xED\xA0\x80 ctrl:\x01\x1b end";
  rep.command = "pingpong compare '<script>alert(1)</script>'";
  rep.repeats = -3;
  rep.duration_s = nan;
  rep.device.sample_rate = -1;

  // a run with NaN / infinite / negative numbers and saturating counters
  compare_run a = make_sample_run("cpu<&>", "mutex", "poll", 0, sample_spec{});
  a.period_us = nan;  // and the device cannot tell it either
  a.report.device.period_frames = 0;
  a.report.callback_us.p50 = nan;
  a.report.callback_us.p99 = -inf;
  a.report.callback_us.p999 = inf;
  a.report.callback_us.max = 1e300;
  a.blocked_us_max = -5;
  a.syscalls_per_callback = nan;
  a.report.underrun_events = huge;
  a.report.underrun_frames = huge;
  a.report.callback_us.bins = {{0.0, 0.064, huge}, {1e14, 1e15, huge}, {nan, 5.0, 3}, {7.0, inf, 4}, {3.0, 4.0, 0}};
  a.timeline = {{nan, 0.5, 1, 0, 0}, {0.0, 5.0, 2, 3, 0}, {1.0, -1.0, 1, 2, 0}, {1e12, nan, huge, huge, huge}};
  compare_run b = a;  // a second repeat: the sums saturate
  b.repeat = 1;
  b.report.error = "device lost: <sim> & \"co\"";

  // a run with nothing recorded at all
  compare_run c;
  c.load = "\xff<load>\x01";
  c.handoff = "lockfree";
  c.wake = "semaphore";
  c.period_us = -1;

  // a run whose timeline needs downsampling and whose period is huge
  compare_run d = make_sample_run("cpu<&>", "lockfree", "poll", 0, sample_spec{});
  d.period_us = 1e200;
  d.timeline.clear();
  for (int i = 0; i < 50000; ++i)
    d.timeline.push_back({i * 1e-3, (i % 97) / 96.0, std::uint64_t(i / 1000), std::uint64_t(i / 7), 0});

  rep.runs = {a, b, c, d};
  rep.summary = {{"cpu<&>", "", ""}, {"", "\xff", "x & y"}};
  return rep;
}

}  // namespace pingpong::html_test
