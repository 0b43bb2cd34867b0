// pingpong compare / probe: the runs, the table, the verdicts, the JSON.
#include "player/compare.hpp"

#include <sndfile.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <pingpong/version.hpp>

#include "player/json.hpp"
#include "player/source.hpp"

namespace pingpong::player {
namespace {

/// A generated input: a slow sweep, float WAV, 48 kHz stereo, in a file with
/// no name (nothing is left behind, even after kill -9 or an unhandled
/// SIGHUP); the player opens it as /proc/self/fd/N.
class generated_input {
 public:
  explicit generated_input(double seconds) : file_(temp_directory()) {
    if (!file_) throw input_error("cannot write the generated signal: " + file_.error());
    SF_INFO info{};
    info.samplerate = 48000;
    info.channels = 2;
    info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
    SNDFILE* f = sf_open_fd(file_.fd(), SFM_WRITE, &info, SF_FALSE);
    if (!f) throw input_error(std::string("cannot write the generated signal: ") + sf_strerror(nullptr));
    std::vector<float> block(2 * 4800);
    const auto total = std::int64_t(seconds * 48000);
    double phase = 0;
    bool written = true;
    for (std::int64_t done = 0; done < total && written;) {
      const auto n = std::min<std::int64_t>(4800, total - done);
      for (std::int64_t i = 0; i < n; ++i) {
        const double t = double(done + i) / 48000.0;
        phase += 2 * M_PI * (220.0 + 110.0 * std::sin(0.5 * t)) / 48000.0;
        block[std::size_t(2 * i)] = block[std::size_t(2 * i + 1)] = float(0.25 * std::sin(phase));
      }
      written = sf_writef_float(f, block.data(), n) == n;
      done += n;
    }
    const std::string error = written ? "" : sf_strerror(f);
    sf_close(f);
    if (!written) throw input_error("cannot write the generated signal: " + error);
  }
  std::string path() const { return file_.proc_path(); }

 private:
  unnamed_temp_file file_;
};

/// The file the runs play: the user's, or a generated signal (removed after).
class run_input {
 public:
  run_input(const std::string& file, double duration_s) : path_(file) {
    if (path_.empty()) {
      generated_ = std::make_unique<generated_input>(std::min(duration_s, 30.0) + 1.0);
      path_ = generated_->path();
    }
  }
  const std::string& path() const { return path_; }

 private:
  std::unique_ptr<generated_input> generated_;
  std::string path_;
};

std::string now_text() {
  char buf[64];
  const std::time_t t = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", std::gmtime(&t));
  return buf;
}

std::string num(double v, int digits = 1) {
  if (!std::isfinite(v) || v < 0) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

const auto jnum = json::number;
using json::escape;

std::uint64_t glitches(const play_report& r) { return r.underrun_events + r.deadline_misses + r.device_xruns; }

std::string where_it_stalls(load_kind kind) {
  switch (kind) {
    case load_kind::stall:
      return "lockfree: the producer stalls outside any lock, so the RT side never waits; only a stall longer than the "
             "queued audio becomes an underrun. mutex / mutex-pi: the producer stalls while holding the handoff lock, so "
             "the RT callback blocks in its next swap until the stall ends (deadline misses, and the device starves). "
             "trylock: the RT swap is refused while the lock is held: silence (underruns) instead of blocking.";
    case load_kind::inversion:
      return "mutex: the RT thread waits for the low-priority producer, and the medium-priority hog preempts the producer "
             "inside the lock, so the wait lasts as long as the hog's burst. mutex-pi: the producer inherits the RT "
             "priority while it holds the lock, so the hog cannot preempt it; the wait is bounded by the critical section "
             "(the busy work inside it), not removed. trylock: never waits; refused swaps are underruns. lockfree: "
             "nothing to wait for.";
    case load_kind::cpu:
      return "cpu: hogs compete with the SCHED_OTHER producer only; the RT thread (SCHED_FIFO where permitted) preempts "
             "them. A policy glitches here if the producer is descheduled longer than the queued audio, or (mutex) if "
             "it is descheduled while holding the lock at a swap.";
    case load_kind::io:
      return "io: the producer's reads compete with fsync'd writes and uncached reads; the RT side is affected only "
             "through a late producer (underruns) or, for mutex, a producer blocked in I/O while holding the lock "
             "(it never does I/O inside the lock here).";
    case load_kind::none:
      return "none: the baseline; the only lock contention is the producer's short commit/claim against the RT swap.";
  }
  return {};
}

}  // namespace

std::string machine_description() {
  std::string cpu = "unknown CPU";
  std::ifstream info("/proc/cpuinfo");
  for (std::string line; std::getline(info, line);)
    if (line.rfind("model name", 0) == 0) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  utsname u{};
  ::uname(&u);
  return cpu + ", " + std::to_string(std::thread::hardware_concurrency()) + " cores, " + u.sysname + " " + u.release;
}

compare_report run_compare(const compare_options& options, const std::atomic<bool>* interrupt,
                           const std::function<void(const compare_run&, int, int)>& on_run) {
  if (options.handoffs.empty() || options.wakes.empty() || options.loads.empty())
    throw input_error("compare: give at least one handoff, wake and load");
  if (options.duration_s <= 0 || options.duration_s > max_compare_duration_s)
    throw input_error("--duration must be in (0, 3600] seconds");
  if (options.repeats < 1 || options.repeats > max_repeats) throw input_error("--repeat must be 1..100");
  const run_input source_file(options.file, options.duration_s);
  const std::string& input = source_file.path();
  const file_info info = probe_file(input);

  compare_report report;
  report.version = PINGPONG_VERSION_STRING;
  report.command = options.command;
  report.date = now_text();
  report.machine = machine_description();
  report.input = options.file.empty() ? "generated: 48 kHz stereo sweep" : options.file;
  report.half_frames = options.half_frames;
  report.duration_s = options.duration_s;
  report.repeats = options.repeats;

  const int total = int(options.loads.size() * options.handoffs.size() * options.wakes.size()) * options.repeats;
  int done = 0;
  for (const load_kind load : options.loads) {
    for (int repeat = 0; repeat < options.repeats; ++repeat) {
      for (const handoff_kind handoff : options.handoffs) {
        for (const wake_kind wake : options.wakes) {
          if (interrupt && interrupt->load(std::memory_order_relaxed)) return report;  // relaxed: polled flag
          play_options o;
          o.files = {input};
          o.device = options.device;
          o.period_frames = options.period_frames;
          o.half_frames = options.half_frames;
          o.handoff = handoff;
          o.wake = wake;
          o.loops = 0;
          o.stop_after_s = options.duration_s;
          o.collect_timeline = true;
          o.count_rt_syscalls = true;
          compare_run run;
          run.handoff = std::string(to_string(handoff));
          run.wake = std::string(to_string(wake));
          run.load = std::string(to_string(load));
          run.repeat = repeat;
          run.load_note = prepare_load(load, options.load, o, info.sample_rate);
          {
            load_runner runner(load, options.load);
            play_hooks hooks;
            hooks.interrupt = interrupt;
            run.report = play(o, hooks);
            runner.stop();
            const std::string extra = runner.note();
            if (!extra.empty()) run.load_note += (run.load_note.empty() ? "" : "; ") + extra;
          }
          if (!run.report.producer_scheduling.empty() && load == load_kind::inversion)
            run.load_note += "; producer " + run.report.producer_scheduling + "; RT " +
                             (run.report.device_scheduling.empty() ? "(host thread)" : run.report.device_scheduling);
          run.period_us = 1e6 * double(options.period_frames) / run.report.device.sample_rate;
          run.blocked_us_max = double(run.report.max_swap_ns) / 1000.0;
          run.syscalls_per_callback = run.report.rt_syscalls_per_callback;
          run.timeline = run.report.timeline;
          report.device = run.report.device;
          report.runs.push_back(std::move(run));
          ++done;
          if (on_run) on_run(report.runs.back(), done, total);
        }
      }
    }
  }

  // Verdicts: per load, which combinations glitched, in how many runs, how badly.
  for (const load_kind load : options.loads) {
    const std::string name(to_string(load));
    struct agg {
      int runs = 0, glitched = 0;
      std::uint64_t underruns = 0, underrun_frames = 0, misses = 0, xruns = 0;
      double blocked = 0;
    };
    std::map<std::string, agg> by;
    std::vector<std::string> order;
    for (const auto& r : report.runs) {
      if (r.load != name) continue;
      const std::string key = r.handoff + "/" + r.wake;
      if (!by.count(key)) order.push_back(key);
      agg& a = by[key];
      ++a.runs;
      a.glitched += (r.report.underrun_events + r.report.deadline_misses) > 0;
      a.underruns += r.report.underrun_events;
      a.underrun_frames += r.report.underrun_frames;
      a.misses += r.report.deadline_misses;
      a.xruns += r.report.device_xruns;
      a.blocked = std::max(a.blocked, r.blocked_us_max);
    }
    // Handoff glitches (underruns, deadline misses) are what the policy
    // causes; device xruns are the device thread waking late (the machine),
    // reported beside them but not blamed on the handoff.
    std::vector<std::string> clean, dirty;
    std::uint64_t xruns_total = 0;
    int runs_total = 0;
    double lockfree_blocked = -1, worst_locked = -1;
    std::string worst_locked_name;
    for (const auto& key : order) {
      const agg& a = by[key];
      xruns_total += a.xruns;
      runs_total += a.runs;
      if (key.rfind("lockfree", 0) == 0) lockfree_blocked = std::max(lockfree_blocked, a.blocked);
      else if (a.blocked > worst_locked) {
        worst_locked = a.blocked;
        worst_locked_name = key;
      }
      if (a.glitched == 0) {
        clean.push_back(key);
      } else {
        std::ostringstream o;
        o << key << " glitched in " << a.glitched << "/" << a.runs << " runs (" << a.underruns << " underruns, "
          << a.underrun_frames << " silent frames, " << a.misses << " deadline misses)";
        dirty.push_back(o.str());
      }
    }
    std::ostringstream v;
    v << "load " << name << ": ";
    for (std::size_t i = 0; i < dirty.size(); ++i) v << (i ? "; " : "") << dirty[i];
    if (!dirty.empty() && !clean.empty()) v << ". ";
    if (!clean.empty()) {
      v << "no underrun or deadline miss: ";
      for (std::size_t i = 0; i < clean.size(); ++i) v << (i ? ", " : "") << clean[i];
    }
    if (dirty.empty()) v << " (no policy glitched under this load)";
    if (lockfree_blocked >= 0 && worst_locked >= 0) {
      v << ". Longest RT-side wait: " << worst_locked_name << " " << num(worst_locked) << " µs vs lockfree "
        << num(lockfree_blocked, 2) << " µs";
      if (lockfree_blocked > 0) v << " (" << num(worst_locked / lockfree_blocked, 0) << "×)";
    }
    if (xruns_total > 0)
      v << ". Device xruns: " << xruns_total << " over " << runs_total
        << " runs (host-reported: the device's own thread ran late; see the table per policy)";
    report.summary.push_back({name, v.str(), where_it_stalls(load)});
  }
  return report;
}

std::string compare_table(const compare_report& report) {
  std::ostringstream o;
  char buf[512];
  o << "pingpong compare — " << report.date << "\n" << report.machine << "\n"
    << "device '" << report.device.name << "' (" << report.device.host_api << "), " << report.device.sample_rate
    << " Hz, period " << report.device.period_frames << ", half " << report.half_frames << ", " << report.duration_s
    << " s per run, " << report.repeats << " repeats, input: " << report.input << "\n";
  if (!report.command.empty()) o << "command: " << report.command << "\n";
  std::snprintf(buf, sizeof buf, "\n%-9s %-18s %5s %16s %9s %7s %28s %11s %8s\n", "load", "handoff/wake", "runs",
                "underruns ev/fr", "deadline", "xruns", "callback µs p50/p99/p99.9/max", "blocked µs", "sys/cb");
  o << buf;
  std::map<std::string, std::vector<const compare_run*>> groups;
  std::vector<std::string> order;
  for (const auto& r : report.runs) {
    const std::string key = r.load + "|" + r.handoff + "/" + r.wake;
    if (!groups.count(key)) order.push_back(key);
    groups[key].push_back(&r);
  }
  for (const auto& key : order) {
    const auto& runs = groups[key];
    std::uint64_t ev = 0, fr = 0, dm = 0, xr = 0, ev_min = ~0ull, ev_max = 0;
    std::vector<double> p50, p99, p999;
    double mx = 0, blocked = 0, sys = -1;
    for (const auto* r : runs) {
      ev += r->report.underrun_events;
      fr += r->report.underrun_frames;
      dm += r->report.deadline_misses;
      xr += r->report.device_xruns;
      ev_min = std::min(ev_min, r->report.underrun_events);
      ev_max = std::max(ev_max, r->report.underrun_events);
      p50.push_back(r->report.callback_us.p50);
      p99.push_back(r->report.callback_us.p99);
      p999.push_back(r->report.callback_us.p999);
      mx = std::max(mx, r->report.callback_us.max);
      blocked = std::max(blocked, r->blocked_us_max);
      if (r->syscalls_per_callback >= 0) sys = std::max(sys, r->syscalls_per_callback);
    }
    auto median = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    const std::string spread = runs.size() > 1 ? " [" + std::to_string(ev_min) + "-" + std::to_string(ev_max) + "]" : "";
    const std::string underruns = std::to_string(ev) + "/" + std::to_string(fr) + spread;
    const std::string cb = num(median(p50)) + "/" + num(median(p99)) + "/" + num(median(p999)) + "/" + num(mx);
    std::snprintf(buf, sizeof buf, "%-9s %-18s %5zu %16s %9llu %7llu %28s %11s %8s\n", runs.front()->load.c_str(),
                  (runs.front()->handoff + "/" + runs.front()->wake).c_str(), runs.size(), underruns.c_str(),
                  (unsigned long long)dm, (unsigned long long)xr, cb.c_str(), num(blocked, 2).c_str(),
                  num(sys, 3).c_str());
    o << buf;
  }
  for (const auto& r : report.runs)
    if (!r.report.rt_syscalls_note.empty()) {
      o << "sys/cb: " << r.report.rt_syscalls_note
        << " (JACK: its own futex/pipe calls each cycle) — compare policies with each other, not with 0\n";
      break;
    }
  o << "\nverdicts:\n";
  for (const auto& s : report.summary) o << "  " << s.verdict << "\n";
  std::map<std::string, std::string> notes;
  for (const auto& r : report.runs)
    if (!r.load_note.empty()) notes[r.load] = r.load_note;
  if (!notes.empty()) {
    o << "loads:\n";
    for (const auto& [load, note] : notes) o << "  " << load << ": " << note << "\n";
  }
  return o.str();
}

std::string compare_json(const compare_report& report) {
  std::ostringstream o;
  auto lat = [&](const latency_summary& l) {
    return "{\"p50\": " + jnum(l.p50) + ", \"p99\": " + jnum(l.p99) + ", \"p999\": " + jnum(l.p999) +
           ", \"max\": " + jnum(l.max) + "}";
  };
  o << "{\n  \"version\": \"" << escape(report.version) << "\",\n  \"date\": \"" << escape(report.date)
    << "\",\n  \"machine\": \"" << escape(report.machine) << "\",\n  \"command\": \"" << escape(report.command)
    << "\",\n  \"input\": \"" << escape(report.input) << "\",\n  \"device\": {\"name\": \"" << escape(report.device.name)
    << "\", \"host_api\": \"" << escape(report.device.host_api) << "\", \"sample_rate\": " << report.device.sample_rate
    << ", \"period_frames\": " << report.device.period_frames << "},\n  \"half_frames\": " << report.half_frames
    << ",\n  \"duration_s\": " << jnum(report.duration_s) << ",\n  \"repeats\": " << report.repeats << ",\n  \"runs\": [";
  for (std::size_t i = 0; i < report.runs.size(); ++i) {
    const auto& r = report.runs[i];
    o << (i ? "," : "") << "\n    {\"handoff\": \"" << r.handoff << "\", \"wake\": \"" << r.wake << "\", \"load\": \""
      << r.load << "\", \"repeat\": " << r.repeat << ", \"underruns\": {\"events\": " << r.report.underrun_events
      << ", \"frames\": " << r.report.underrun_frames << "}, \"deadline_misses\": " << r.report.deadline_misses
      << ", \"device_xruns\": " << r.report.device_xruns << ", \"callback_us\": " << lat(r.report.callback_us)
      << ", \"interval_us\": " << lat(r.report.interval_us) << ", \"blocked_us_max\": " << jnum(r.blocked_us_max)
      << ", \"syscalls_per_callback\": " << (r.syscalls_per_callback >= 0 ? jnum(r.syscalls_per_callback) : "null")
      << ", \"callbacks\": " << r.report.callbacks << ", \"frames_played\": " << r.report.frames_played
      << ", \"stalls_injected\": " << r.report.stalls_injected << ", \"load_note\": \"" << escape(r.load_note)
      << "\", \"result\": \"" << (r.report.error.empty() ? "ok" : "error") << "\"}";
  }
  o << "\n  ],\n  \"summary\": {";
  for (std::size_t i = 0; i < report.summary.size(); ++i) {
    const auto& s = report.summary[i];
    o << (i ? "," : "") << "\n    \"" << escape(s.load) << "\": {\"verdict\": \"" << escape(s.verdict)
      << "\", \"where_it_stalls\": \"" << escape(s.where_it_stalls) << "\"}";
  }
  o << "\n  }\n}\n";
  return o.str();
}

// ---------------------------------------------------------------------------
// probe

probe_report run_probe(const probe_options& options, const std::atomic<bool>* interrupt,
                       const std::function<void(const probe_step&)>& on_step) {
  const run_input source_file(options.file, options.duration_s);
  const std::string& input = source_file.path();
  const file_info info = probe_file(input);
  probe_report report;
  report.handoff = std::string(to_string(options.handoff));
  report.wake = std::string(to_string(options.wake));
  report.load = std::string(to_string(options.load));
  double best_latency = 1e18;
  for (const std::size_t period : options.periods) {
    // A period whose smallest configuration (half = period) cannot beat the
    // best found so far is not worth running.
    const double floor_ms = 1000.0 * double(2 * period) / info.sample_rate;
    if (floor_ms >= best_latency) break;
    for (const std::size_t multiple : options.half_multiples) {
      if (interrupt && interrupt->load(std::memory_order_relaxed)) return report;  // relaxed: polled flag
      const std::size_t half = period * multiple;
      play_options o;
      o.files = {input};
      o.device = options.device;
      o.period_frames = period;
      o.half_frames = half;
      o.handoff = options.handoff;
      o.wake = options.wake;
      o.loops = 0;
      o.stop_after_s = options.duration_s;
      o.stop_after_glitches = options.stop_after_glitches;
      report.load_note = prepare_load(options.load, options.load_settings_, o, info.sample_rate);
      probe_step step;
      step.period_frames = period;
      step.half_frames = half;
      try {
        load_runner runner(options.load, options.load_settings_);
        play_hooks hooks;
        hooks.interrupt = interrupt;
        const play_report r = play(o, hooks);
        runner.stop();
        report.device = r.device;
        step.underruns = r.underrun_events;
        step.deadline_misses = r.deadline_misses;
        step.device_xruns = r.device_xruns;
        step.worst_callback_us = r.callback_us.max;
        step.period_us = 1e6 * double(period) / r.device.sample_rate;
        step.latency_ms = 1000.0 * double(period + half) / r.device.sample_rate;
        step.seconds = r.wall_s;
        step.clean = glitches(r) == 0 && r.error.empty();
        step.stopped_early = !step.clean && r.wall_s < options.duration_s * 0.95;
      } catch (const device_error&) {
        throw;
      }
      report.steps.push_back(step);
      if (on_step) on_step(step);
      if (step.clean) {
        if (step.latency_ms < best_latency) {
          best_latency = step.latency_ms;
          report.best = int(report.steps.size() - 1);
        }
        break;  // larger halves at this period are only slower
      }
    }
  }
  return report;
}

std::string probe_text(const probe_report& r) {
  std::ostringstream o;
  char buf[256];
  o << "pingpong probe on '" << r.device.name << "' (" << r.device.host_api << "), " << r.device.sample_rate << " Hz, "
    << r.handoff << "/" << r.wake << ", load " << r.load << "\n";
  std::snprintf(buf, sizeof buf, "%7s %7s %10s %9s %9s %7s %12s %8s  %s\n", "period", "half", "latency ms", "underruns",
                "deadline", "xruns", "worst cb µs", "margin", "result");
  o << buf;
  for (const auto& s : r.steps) {
    std::snprintf(buf, sizeof buf, "%7zu %7zu %10.2f %9llu %9llu %7llu %12.1f %7.0f%%  %s\n", s.period_frames,
                  s.half_frames, s.latency_ms, (unsigned long long)s.underruns, (unsigned long long)s.deadline_misses,
                  (unsigned long long)s.device_xruns, s.worst_callback_us,
                  s.period_us > 0 ? 100.0 * (1.0 - s.worst_callback_us / s.period_us) : 0.0,
                  s.clean ? "clean" : s.stopped_early ? "fails (stopped early)" : "glitched");
    o << buf;
  }
  if (r.best >= 0) {
    const auto& b = r.steps[std::size_t(r.best)];
    std::snprintf(buf, sizeof buf,
                  "smallest clean configuration: --period %zu --half %zu (%.2f ms), worst callback %.1f µs of a %.0f µs "
                  "period (margin %.0f%%)\n",
                  b.period_frames, b.half_frames, b.latency_ms, b.worst_callback_us, b.period_us,
                  100.0 * (1.0 - b.worst_callback_us / b.period_us));
    o << buf;
  } else {
    o << "no configuration ran clean\n";
  }
  if (!r.load_note.empty()) o << "load: " << r.load_note << "\n";
  return o.str();
}

std::string probe_json(const probe_report& r, const std::string& version) {
  std::ostringstream o;
  o << "{\n  \"version\": \"" << escape(version) << "\",\n  \"device\": {\"name\": \"" << escape(r.device.name)
    << "\", \"host_api\": \"" << escape(r.device.host_api) << "\", \"sample_rate\": " << r.device.sample_rate
    << "},\n  \"handoff\": \"" << r.handoff << "\",\n  \"wake\": \"" << r.wake << "\",\n  \"load\": \"" << r.load
    << "\",\n  \"steps\": [";
  for (std::size_t i = 0; i < r.steps.size(); ++i) {
    const auto& s = r.steps[i];
    o << (i ? "," : "") << "\n    {\"period_frames\": " << s.period_frames << ", \"half_frames\": " << s.half_frames
      << ", \"latency_ms\": " << jnum(s.latency_ms) << ", \"underruns\": " << s.underruns
      << ", \"deadline_misses\": " << s.deadline_misses << ", \"device_xruns\": " << s.device_xruns
      << ", \"worst_callback_us\": " << jnum(s.worst_callback_us) << ", \"period_us\": " << jnum(s.period_us)
      << ", \"clean\": " << (s.clean ? "true" : "false") << ", \"stopped_early\": " << (s.stopped_early ? "true" : "false")
      << "}";
  }
  o << "\n  ],\n  \"best\": ";
  if (r.best >= 0) {
    const auto& b = r.steps[std::size_t(r.best)];
    o << "{\"period_frames\": " << b.period_frames << ", \"half_frames\": " << b.half_frames
      << ", \"latency_ms\": " << jnum(b.latency_ms) << ", \"margin\": " << jnum(1.0 - b.worst_callback_us / b.period_us)
      << "}";
  } else {
    o << "null";
  }
  o << "\n}\n";
  return o.str();
}

}  // namespace pingpong::player
