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
#include <limits>
#include <map>
#include <span>
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

constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();

/// Measured: finite and not negative (negative values mean "not measured").
bool usable(double v) { return std::isfinite(v) && v >= 0.0; }

double max_usable(double a, double b) {
  if (!usable(b)) return a;
  return usable(a) ? std::max(a, b) : b;
}

std::uint64_t sat_add(std::uint64_t a, std::uint64_t b) {
  return a > std::numeric_limits<std::uint64_t>::max() - b ? std::numeric_limits<std::uint64_t>::max() : a + b;
}

/// The median of the measured values (the mean of the middle two for an even
/// count); NaN if none was measured.
double median_of(std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !usable(x); }), v.end());
  if (v.empty()) return nan_value;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

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

// ---------------------------------------------------------------------------
// what a run counts as, and the one aggregation of runs

std::string_view to_string(run_result result) noexcept {
  switch (result) {
    case run_result::clean: return "clean";
    case run_result::glitched: return "glitched";
    case run_result::failed: return "error";
    case run_result::interrupted: return "interrupted";
  }
  return "?";
}

run_result result_of(const compare_run& run) noexcept {
  const play_report& r = run.report;
  if (!r.error.empty()) return run_result::failed;
  if (r.interrupted) return run_result::interrupted;
  return r.underrun_events > 0 || r.deadline_misses > 0 ? run_result::glitched : run_result::clean;
}

namespace {

/// The period a run's callbacks had, in µs: the run's own figure, else its
/// device's, else the report's device. NaN if none says.
double period_us_of(const compare_run& r, const device_info& fallback) {
  if (std::isfinite(r.period_us) && r.period_us > 0) return r.period_us;
  for (const device_info* d : {&r.report.device, &fallback})
    if (d->sample_rate > 0 && d->period_frames > 0) return double(d->period_frames) * 1e6 / double(d->sample_rate);
  return nan_value;
}

/// Adds one counted (clean or glitched) run's figures to the sums.
void add_counted(policy_summary& p, const play_report& r) {
  const bool first = p.counted++ == 0;
  p.underruns = sat_add(p.underruns, r.underrun_events);
  p.underruns_min = first ? r.underrun_events : std::min(p.underruns_min, r.underrun_events);
  p.underruns_max = first ? r.underrun_events : std::max(p.underruns_max, r.underrun_events);
  p.underrun_frames = sat_add(p.underrun_frames, r.underrun_frames);
  p.deadline_misses = sat_add(p.deadline_misses, r.deadline_misses);
  p.device_xruns = sat_add(p.device_xruns, r.device_xruns);
  p.callback_max_us = max_usable(p.callback_max_us, r.callback_us.max);
}

void aggregate(policy_summary& p, const device_info& fallback) {
  std::vector<double> p50, p99, p999, syscalls;
  for (const compare_run* r : p.runs) {
    if (p.period_frames == 0) p.period_frames = r->report.device.period_frames;
    if (!std::isfinite(p.period_us)) p.period_us = period_us_of(*r, fallback);
    switch (result_of(*r)) {
      case run_result::failed: ++p.failed; continue;
      case run_result::interrupted: ++p.interrupted; continue;
      case run_result::glitched: ++p.glitched; break;
      case run_result::clean: ++p.clean; break;
    }
    add_counted(p, r->report);
    p50.push_back(r->report.callback_us.p50);
    p99.push_back(r->report.callback_us.p99);
    p999.push_back(r->report.callback_us.p999);
    p.blocked_max_us = max_usable(p.blocked_max_us, r->blocked_us_max);
    syscalls.push_back(r->syscalls_per_callback);
  }
  if (p.period_frames == 0) p.period_frames = fallback.period_frames;
  p.callback_p50_us = median_of(std::move(p50));
  p.callback_p99_us = median_of(std::move(p99));
  p.callback_p999_us = median_of(std::move(p999));
  p.syscalls_per_callback = median_of(std::move(syscalls));
}

}  // namespace

std::vector<policy_summary> summarize_policies(const compare_report& report) {
  std::vector<std::string> loads;  // first-seen order
  std::vector<policy_summary> out;
  for (const compare_run& r : report.runs) {
    if (std::find(loads.begin(), loads.end(), r.load) == loads.end()) loads.push_back(r.load);
    auto it = std::find_if(out.begin(), out.end(), [&](const policy_summary& p) {
      return p.load == r.load && p.handoff == r.handoff && p.wake == r.wake;
    });
    if (it == out.end()) {
      out.push_back({});
      it = out.end() - 1;
      it->load = r.load;
      it->handoff = r.handoff;
      it->wake = r.wake;
    }
    it->runs.push_back(&r);
  }
  const auto load_index = [&](const std::string& load) {
    return std::find(loads.begin(), loads.end(), load) - loads.begin();
  };
  std::stable_sort(out.begin(), out.end(), [&](const policy_summary& a, const policy_summary& b) {
    return load_index(a.load) < load_index(b.load);
  });
  for (policy_summary& p : out) {
    std::stable_sort(p.runs.begin(), p.runs.end(),
                     [](const compare_run* a, const compare_run* b) { return a->repeat < b->repeat; });
    aggregate(p, report.device);
  }
  return out;
}

namespace {

/// "1 interrupted run, 1 failed run" for what a policy's figures leave out.
std::string left_out_text(const policy_summary& p) {
  std::string s;
  const auto runs = [](std::size_t n, const char* what) {
    return std::to_string(n) + " " + what + (n == 1 ? " run" : " runs");
  };
  if (p.interrupted) s += runs(p.interrupted, "interrupted");
  if (p.failed) s += (s.empty() ? "" : ", ") + runs(p.failed, "failed");
  return s;
}

/// Handoff glitches (underruns, deadline misses) are what the policy causes;
/// device xruns are the device thread waking late (the machine), reported
/// beside them but not blamed on the handoff.
std::string verdict_text(const std::string& load, std::span<const policy_summary> policies) {
  std::vector<std::string> clean, dirty, left_out;
  std::uint64_t xruns = 0;
  std::size_t counted = 0;
  double lockfree_blocked = nan_value, worst_locked = nan_value;
  std::string worst_locked_name;
  for (const policy_summary& p : policies) {
    const std::string name = p.handoff + "/" + p.wake;
    if (p.failed + p.interrupted > 0) left_out.push_back(name + " " + left_out_text(p));
    if (p.counted == 0) continue;
    counted += p.counted;
    xruns = sat_add(xruns, p.device_xruns);
    if (p.handoff == "lockfree") {
      lockfree_blocked = max_usable(lockfree_blocked, p.blocked_max_us);
    } else if (usable(p.blocked_max_us) && !(p.blocked_max_us <= worst_locked)) {
      worst_locked = p.blocked_max_us;
      worst_locked_name = name;
    }
    if (p.glitched == 0) {
      clean.push_back(name);
      continue;
    }
    std::ostringstream o;
    o << name << " glitched in " << p.glitched << "/" << p.counted << " runs (" << p.underruns << " underruns, "
      << p.underrun_frames << " silent frames, " << p.deadline_misses << " deadline misses)";
    dirty.push_back(o.str());
  }
  std::ostringstream v;
  v << "load " << load << ": ";
  if (counted == 0) v << "no run finished";
  for (std::size_t i = 0; i < dirty.size(); ++i) v << (i ? "; " : "") << dirty[i];
  if (!dirty.empty() && !clean.empty()) v << ". ";
  if (!clean.empty()) {
    v << "no underrun or deadline miss: ";
    for (std::size_t i = 0; i < clean.size(); ++i) v << (i ? ", " : "") << clean[i];
  }
  if (counted > 0 && dirty.empty()) v << " (no policy glitched under this load)";
  if (usable(lockfree_blocked) && usable(worst_locked)) {
    v << ". Longest RT-side wait: " << worst_locked_name << " " << num(worst_locked) << " µs vs lockfree "
      << num(lockfree_blocked, 2) << " µs";
    if (lockfree_blocked > 0) v << " (" << num(worst_locked / lockfree_blocked, 0) << "×)";
  }
  if (xruns > 0)
    v << ". Device xruns: " << xruns << " over " << counted
      << " runs (host-reported: the device's own thread ran late; see the table per policy)";
  if (!left_out.empty()) {
    v << ". Left out of these figures: ";
    for (std::size_t i = 0; i < left_out.size(); ++i) v << (i ? "; " : "") << left_out[i];
  }
  return v.str();
}

}  // namespace

std::vector<scenario_summary> summarize_scenarios(const compare_report& report) {
  const std::vector<policy_summary> policies = summarize_policies(report);
  std::vector<scenario_summary> out;
  for (std::size_t i = 0; i < policies.size();) {
    std::size_t end = i;
    while (end < policies.size() && policies[end].load == policies[i].load) ++end;
    const std::string& load = policies[i].load;
    load_kind kind{};
    out.push_back({load, verdict_text(load, std::span(policies).subspan(i, end - i)),
                   parse_load(load, kind) ? where_it_stalls(kind) : std::string()});
    i = end;
  }
  return out;
}

std::string period_note(const device_info& device, std::size_t requested_period_frames) {
  if (device.period_frames == 0) return {};
  const std::string period = std::to_string(device.period_frames) + " frames";
  if (device.host_api.find("JACK") != std::string::npos)
    return "the period is the JACK server's buffer size, " + period +
           ", whatever --period asks (PortAudio's JACK host calls back several times per server cycle for a smaller "
           "one); change it on the server: scripts/jack.sh start --period N, or jack_bufsize N";
  if (requested_period_frames != 0 && device.period_frames != requested_period_frames)
    return "the device ran at a period of " + period + ", not the " + std::to_string(requested_period_frames) +
           " asked for: it sets its own";
  return {};
}

// ---------------------------------------------------------------------------
// compare

namespace {

/// One run of the input on the device: one handoff × wake under one load.
compare_run run_one(const compare_options& options, const std::string& input, int sample_rate, load_kind load,
                    handoff_kind handoff, wake_kind wake, int repeat, const std::atomic<bool>* interrupt) {
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
  run.load_note = prepare_load(load, options.load, o, sample_rate);
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
  // The period the device really ran at (a JACK server's, whatever was asked).
  const device_info& device = run.report.device;
  run.period_us = device.sample_rate > 0 ? 1e6 * double(device.period_frames) / device.sample_rate : nan_value;
  run.blocked_us_max = double(run.report.max_swap_ns) / 1000.0;
  run.syscalls_per_callback = run.report.rt_syscalls_per_callback;
  run.timeline = run.report.timeline;
  return run;
}

}  // namespace

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
  report.half_frames = report.requested_half_frames = options.half_frames;
  report.requested_period_frames = options.period_frames;
  report.duration_s = options.duration_s;
  report.repeats = options.repeats;
  report.planned_runs = int(options.loads.size() * options.handoffs.size() * options.wakes.size()) * options.repeats;

  // relaxed: a polled flag
  const auto stop_asked = [&] { return interrupt && interrupt->load(std::memory_order_relaxed); };
  for (const load_kind load : options.loads)
    for (int repeat = 0; repeat < options.repeats && !stop_asked(); ++repeat)
      for (const handoff_kind handoff : options.handoffs)
        for (const wake_kind wake : options.wakes) {
          if (stop_asked()) break;
          report.runs.push_back(run_one(options, input, info.sample_rate, load, handoff, wake, repeat, interrupt));
          report.device = report.runs.back().report.device;
          if (report.runs.back().report.half_frames > 0) report.half_frames = report.runs.back().report.half_frames;
          if (on_run) on_run(report.runs.back(), int(report.runs.size()), report.planned_runs);
        }
  report.summary = summarize_scenarios(report);
  return report;
}

namespace {

/// Callbacks a full run would have had, for "interrupted after N of M callbacks".
std::uint64_t expected_callbacks(const compare_report& report, const compare_run& run) {
  const device_info& d = run.report.device;
  if (d.period_frames == 0 || d.sample_rate <= 0 || !usable(report.duration_s)) return 0;
  return std::uint64_t(report.duration_s * d.sample_rate / double(d.period_frames));
}

/// The distinct periods the runs had, e.g. "256" or "256, 512".
std::string periods_text(const compare_report& report) {
  std::vector<std::size_t> periods;
  for (const compare_run& r : report.runs)
    if (std::find(periods.begin(), periods.end(), r.report.device.period_frames) == periods.end())
      periods.push_back(r.report.device.period_frames);
  if (periods.empty()) periods.push_back(report.device.period_frames);
  std::string s;
  for (const std::size_t p : periods) s += (s.empty() ? "" : ", ") + std::to_string(p);
  return s;
}

std::string table_header(const compare_report& report) {
  std::ostringstream o;
  const std::string periods = periods_text(report);
  o << "pingpong compare — " << report.date << "\n" << report.machine << "\n"
    << "device '" << report.device.name << "' (" << report.device.host_api << "), " << report.device.sample_rate
    << " Hz, period " << periods << (periods.find(',') != std::string::npos ? " (differed between runs)" : "")
    << ", half " << report.half_frames << ", " << report.duration_s << " s per run, " << report.repeats
    << " repeats, input: " << report.input << "\n";
  if (const std::string note = period_note(report.device, report.requested_period_frames); !note.empty())
    o << "period: " << note << "\n";
  if (report.requested_half_frames != 0 && report.half_frames != report.requested_half_frames)
    o << "half: " << report.half_frames << " frames, raised from the " << report.requested_half_frames
      << " asked for (a half holds at least one period)\n";
  if (!report.command.empty()) o << "command: " << report.command << "\n";
  if (report.planned_runs > int(report.runs.size()))
    o << "interrupted: " << report.runs.size() << " of " << report.planned_runs << " runs made\n";
  return o.str();
}

/// "2", or "1+1i" (one counted, one interrupted), "1+1f" (one failed).
std::string runs_cell(const policy_summary& p) {
  std::string s = std::to_string(p.counted);
  if (p.interrupted) s += "+" + std::to_string(p.interrupted) + "i";
  if (p.failed) s += "+" + std::to_string(p.failed) + "f";
  return s;
}

std::string table_row(const policy_summary& p) {
  char buf[512];
  const std::string name = p.handoff + "/" + p.wake;
  if (p.counted == 0) {  // no run finished: no figures, rather than zeros
    // "—" is 3 bytes in one column: each width 2 wider than the header's.
    const char* dash = "\xE2\x80\x94";
    std::snprintf(buf, sizeof buf, "%-9s %-18s %5s %18s %11s %9s %30s %13s %10s\n", p.load.c_str(), name.c_str(),
                  runs_cell(p).c_str(), dash, dash, dash, dash, dash, dash);
    return buf;
  }
  const std::string spread =
      p.counted > 1 ? " [" + std::to_string(p.underruns_min) + "-" + std::to_string(p.underruns_max) + "]" : "";
  const std::string underruns = std::to_string(p.underruns) + "/" + std::to_string(p.underrun_frames) + spread;
  const std::string callback = num(p.callback_p50_us) + "/" + num(p.callback_p99_us) + "/" + num(p.callback_p999_us) +
                               "/" + num(p.callback_max_us);
  std::snprintf(buf, sizeof buf, "%-9s %-18s %5s %16s %9llu %7llu %28s %11s %8s\n", p.load.c_str(), name.c_str(),
                runs_cell(p).c_str(), underruns.c_str(), (unsigned long long)p.deadline_misses,
                (unsigned long long)p.device_xruns, callback.c_str(), num(p.blocked_max_us, 2).c_str(),
                num(p.syscalls_per_callback, 3).c_str());
  return buf;
}

}  // namespace

std::string left_out_reason(const compare_report& report, const compare_run& run) {
  switch (result_of(run)) {
    case run_result::failed: return "failed: " + run.report.error;
    case run_result::interrupted: {
      std::string s = "interrupted after " + std::to_string(run.report.callbacks);
      if (const std::uint64_t full = expected_callbacks(report, run)) s += " of " + std::to_string(full);
      return s + " callbacks";
    }
    case run_result::clean:
    case run_result::glitched: return {};
  }
  return {};
}

std::string compare_table(const compare_report& report) {
  std::ostringstream o;
  o << table_header(report);
  char buf[512];
  std::snprintf(buf, sizeof buf, "\n%-9s %-18s %5s %16s %9s %7s %28s %11s %8s\n", "load", "handoff/wake", "runs",
                "underruns ev/fr", "deadline", "xruns", "callback µs p50/p99/p99.9/max", "blocked µs", "sys/cb");
  o << buf;
  for (const policy_summary& p : summarize_policies(report)) o << table_row(p);
  bool left_out_header = false;
  for (const compare_run& r : report.runs)
    if (const std::string reason = left_out_reason(report, r); !reason.empty()) {
      if (!left_out_header)
        o << "left out of the figures and verdicts (runs column: +Ni interrupted, +Nf failed):\n";
      left_out_header = true;
      o << "  " << r.load << " " << r.handoff << "/" << r.wake << " repeat " << r.repeat << ": " << reason << "\n";
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

namespace {

std::string latency_json(double p50, double p99, double p999, double max) {
  return "{\"p50\": " + jnum(p50) + ", \"p99\": " + jnum(p99) + ", \"p999\": " + jnum(p999) +
         ", \"max\": " + jnum(max) + "}";
}
std::string latency_json(const latency_summary& l) { return latency_json(l.p50, l.p99, l.p999, l.max); }

std::string run_json(const compare_run& r) {
  std::ostringstream o;
  const play_report& p = r.report;
  const bool measurable = r.syscalls_per_callback >= 0;
  o << "{\"handoff\": \"" << escape(r.handoff) << "\", \"wake\": \"" << escape(r.wake) << "\", \"load\": \""
    << escape(r.load) << "\", \"repeat\": " << r.repeat << ", \"result\": \"" << to_string(result_of(r))
    << "\", \"interrupted\": " << (p.interrupted ? "true" : "false")
    << ", \"period_frames\": " << p.device.period_frames << ", \"half_frames\": " << p.half_frames << ", \"underruns\": {\"events\": " << p.underrun_events
    << ", \"frames\": " << p.underrun_frames << "}, \"deadline_misses\": " << p.deadline_misses
    << ", \"device_xruns\": " << p.device_xruns
    << ", \"callback_us\": " << latency_json(p.callback_us) << ", \"interval_us\": " << latency_json(p.interval_us)
    << ", \"blocked_us_max\": " << jnum(r.blocked_us_max)
    << ", \"syscalls_per_callback\": " << (measurable ? jnum(r.syscalls_per_callback) : "null")
    << ", \"callbacks\": " << p.callbacks << ", \"frames_played\": " << p.frames_played
    << ", \"stalls_injected\": " << p.stalls_injected << ", \"load_note\": \"" << escape(r.load_note) << "\"";
  if (!p.error.empty()) o << ", \"error\": \"" << escape(p.error) << "\"";
  o << "}";
  return o.str();
}

std::string policy_json(const policy_summary& p) {
  std::ostringstream o;
  o << "{\"handoff\": \"" << escape(p.handoff) << "\", \"wake\": \"" << escape(p.wake)
    << "\", \"runs\": " << p.runs.size() << ", \"counted\": " << p.counted << ", \"clean\": " << p.clean << ", \"glitched\": " << p.glitched
    << ", \"failed\": " << p.failed << ", \"interrupted\": " << p.interrupted
    << ", \"period_frames\": " << p.period_frames
    << ", \"underruns\": {\"events\": " << p.underruns << ", \"frames\": " << p.underrun_frames
    << ", \"events_min\": " << p.underruns_min << ", \"events_max\": " << p.underruns_max
    << "}, \"deadline_misses\": " << p.deadline_misses << ", \"device_xruns\": " << p.device_xruns
    << ", \"callback_us\": "
    << latency_json(p.callback_p50_us, p.callback_p99_us, p.callback_p999_us, p.callback_max_us)
    << ", \"blocked_us_max\": " << jnum(p.blocked_max_us)
    << ", \"syscalls_per_callback\": " << jnum(p.syscalls_per_callback)
    << "}";
  return o.str();
}

}  // namespace

std::string compare_json(const compare_report& report) {
  std::ostringstream o;
  const device_info& d = report.device;
  bool interrupted = report.planned_runs > int(report.runs.size());
  for (const compare_run& r : report.runs) interrupted = interrupted || r.report.interrupted;
  o << "{\n  \"version\": \"" << escape(report.version) << "\",\n  \"date\": \"" << escape(report.date)
    << "\",\n  \"machine\": \"" << escape(report.machine) << "\",\n  \"command\": \"" << escape(report.command)
    << "\",\n  \"input\": \"" << escape(report.input) << "\",\n  \"device\": {\"name\": \"" << escape(d.name)
    << "\", \"host_api\": \"" << escape(d.host_api) << "\", \"sample_rate\": " << d.sample_rate
    << ", \"period_frames\": " << d.period_frames
    << "},\n  \"requested_period_frames\": " << report.requested_period_frames
    << ",\n  \"period_note\": \"" << escape(period_note(d, report.requested_period_frames))
    << "\",\n  \"half_frames\": " << report.half_frames
    << ",\n  \"requested_half_frames\": " << report.requested_half_frames
    << ",\n  \"duration_s\": " << jnum(report.duration_s) << ",\n  \"repeats\": " << report.repeats
    << ",\n  \"planned_runs\": " << report.planned_runs << ",\n  \"interrupted\": " << (interrupted ? "true" : "false")
    << ",\n  \"runs\": [";
  for (std::size_t i = 0; i < report.runs.size(); ++i) o << (i ? "," : "") << "\n    " << run_json(report.runs[i]);
  o << "\n  ],\n  \"summary\": {";
  const std::vector<policy_summary> policies = summarize_policies(report);
  for (std::size_t i = 0; i < report.summary.size(); ++i) {
    const auto& s = report.summary[i];
    o << (i ? "," : "") << "\n    \"" << escape(s.load) << "\": {\"verdict\": \"" << escape(s.verdict)
      << "\", \"where_it_stalls\": \"" << escape(s.where_it_stalls) << "\", \"policies\": [";
    bool first = true;
    for (const policy_summary& p : policies)
      if (p.load == s.load) {
        o << (first ? "" : ", ") << "\n      " << policy_json(p);
        first = false;
      }
    o << "]}";
  }
  o << "\n  }\n}\n";
  return o.str();
}

// ---------------------------------------------------------------------------
// probe

namespace {

/// The device as play() would open it at `period`, opened and closed again
/// without playing: the period it really runs at (a JACK server's is fixed,
/// whatever is asked). The request mirrors play()'s (a real device gets at
/// least stereo; sim keeps the file's layout).
device_info device_at(const probe_options& options, const file_info& info, std::size_t period) {
  device_request request;
  request.name = options.device;
  request.preferred_rate = info.sample_rate;
  request.period_frames = period;
  request.wanted_channels = options.device == "sim" ? info.channels : std::max(2, info.channels);
  return open_device(request)->info();
}

/// Plays one configuration for options.duration_s (less if it clearly fails).
probe_step run_step(const probe_options& options, const std::string& input, int sample_rate, std::size_t period,
                    std::size_t half, const std::atomic<bool>* interrupt, probe_report& report) {
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
  report.load_note = prepare_load(options.load, options.load_settings_, o, sample_rate);
  load_runner runner(options.load, options.load_settings_);
  play_hooks hooks;
  hooks.interrupt = interrupt;
  const play_report r = play(o, hooks);
  runner.stop();
  report.device = r.device;
  // What the device and the player really used (a fixed period; a half raised to hold one).
  probe_step step;
  step.requested_period_frames = period;
  step.period_frames = r.device.period_frames;
  step.half_frames = r.half_frames;
  step.underruns = r.underrun_events;
  step.deadline_misses = r.deadline_misses;
  step.device_xruns = r.device_xruns;
  step.worst_callback_us = r.callback_us.max;
  step.period_us = 1e6 * double(step.period_frames) / r.device.sample_rate;
  step.latency_ms = 1000.0 * double(step.period_frames + step.half_frames) / r.device.sample_rate;
  step.seconds = r.wall_s;
  step.interrupted = r.interrupted;
  step.clean = glitches(r) == 0 && r.error.empty() && !r.interrupted;
  step.stopped_early = !step.clean && !r.interrupted && r.wall_s < options.duration_s * 0.95;
  return step;
}

}  // namespace

probe_report run_probe(const probe_options& options, const std::atomic<bool>* interrupt,
                       const std::function<void(const probe_step&)>& on_step) {
  if (options.periods.empty() || options.half_multiples.empty())
    throw input_error("probe: no periods or halves to try");
  const run_input source_file(options.file, options.duration_s);
  const std::string& input = source_file.path();
  const file_info info = probe_file(input);
  probe_report report;
  report.handoff = std::string(to_string(options.handoff));
  report.wake = std::string(to_string(options.wake));
  report.load = std::string(to_string(options.load));

  // Vary only what the device honours: on a device with a period of its own
  // (a JACK server's buffer size) probe the halves at that period alone.
  const std::size_t first_period = options.periods.front();
  report.device = device_at(options, info, first_period);
  report.period_fixed = report.device.host_api.find("JACK") != std::string::npos ||
                        (report.device.period_frames != 0 && report.device.period_frames != first_period);
  if (report.period_fixed) report.period_note = period_note(report.device, first_period);
  const std::size_t device_period = report.device.period_frames ? report.device.period_frames : first_period;
  const std::vector<std::size_t> periods =
      report.period_fixed ? std::vector<std::size_t>{device_period} : options.periods;

  double best_latency = 1e18;
  std::vector<std::size_t> probed;  // real periods with steps
  for (const std::size_t period : periods) {
    // A period whose smallest configuration (half = period) cannot beat the
    // best found so far is not worth running.
    if (1000.0 * double(2 * period) / info.sample_rate >= best_latency) break;
    for (const std::size_t multiple : options.half_multiples) {
      if (interrupt && interrupt->load(std::memory_order_relaxed)) {  // relaxed: polled flag
        report.interrupted = true;
        return report;
      }
      const probe_step step = run_step(options, input, info.sample_rate, period, period * multiple, interrupt, report);
      if (step.interrupted) {  // a part of a run says nothing: leave it out
        report.interrupted = true;
        return report;
      }
      const bool already_probed = std::find(probed.begin(), probed.end(), step.period_frames) != probed.end();
      if (multiple == options.half_multiples.front()) {
        if (already_probed) break;  // the device rounded this period to one probed already
        probed.push_back(step.period_frames);
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
  char buf[320];
  o << "pingpong probe on '" << r.device.name << "' (" << r.device.host_api << "), " << r.device.sample_rate << " Hz, "
    << r.handoff << "/" << r.wake << ", load " << r.load << "\n";
  if (r.period_fixed) o << "period: " << r.period_note << "; probing the half only\n";
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
    const double margin = 100.0 * (1.0 - b.worst_callback_us / b.period_us);
    if (r.period_fixed)
      std::snprintf(buf, sizeof buf,
                    "smallest clean configuration: --half %zu at the device's period of %zu frames (%.2f ms), worst "
                    "callback %.1f µs of a %.0f µs period (margin %.0f%%)\n",
                    b.half_frames, b.period_frames, b.latency_ms, b.worst_callback_us, b.period_us, margin);
    else
      std::snprintf(buf, sizeof buf,
                    "smallest clean configuration: --period %zu --half %zu (%.2f ms), worst callback %.1f µs of a %.0f "
                    "µs period (margin %.0f%%)\n",
                    b.period_frames, b.half_frames, b.latency_ms, b.worst_callback_us, b.period_us, margin);
    o << buf;
  } else {
    o << "no configuration ran clean\n";
  }
  if (r.interrupted) o << "interrupted: the configuration that was playing is left out\n";
  if (!r.load_note.empty()) o << "load: " << r.load_note << "\n";
  return o.str();
}

std::string probe_json(const probe_report& r, const std::string& version) {
  std::ostringstream o;
  o << "{\n  \"version\": \"" << escape(version) << "\",\n  \"device\": {\"name\": \"" << escape(r.device.name)
    << "\", \"host_api\": \"" << escape(r.device.host_api) << "\", \"sample_rate\": " << r.device.sample_rate
    << ", \"period_frames\": " << r.device.period_frames
    << "},\n  \"period_fixed\": " << (r.period_fixed ? "true" : "false")
    << ",\n  \"period_note\": \"" << escape(r.period_note) << "\",\n  \"interrupted\": "
    << (r.interrupted ? "true" : "false") << ",\n  \"handoff\": \"" << r.handoff
    << "\",\n  \"wake\": \"" << r.wake << "\",\n  \"load\": \"" << r.load << "\",\n  \"steps\": [";
  for (std::size_t i = 0; i < r.steps.size(); ++i) {
    const auto& s = r.steps[i];
    o << (i ? "," : "") << "\n    {\"period_frames\": " << s.period_frames
      << ", \"requested_period_frames\": " << s.requested_period_frames << ", \"half_frames\": " << s.half_frames
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
