#include "player/lab/policy_summary.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "player/lab/figures.hpp"

namespace pingpong::player {

using figures::max_usable;
using figures::median_of;
using figures::sat_add;

std::string_view to_string(run_result result) noexcept {
  switch (result) {
    case run_result::clean:
      return "clean";
    case run_result::glitched:
      return "glitched";
    case run_result::failed:
      return "error";
    case run_result::interrupted:
      return "interrupted";
  }
  return "?";
}

run_result result_of(const compare_run& run) noexcept {
  const play_report& r = run.report;
  if (!r.error.empty()) return run_result::failed;
  if (r.interrupted) return run_result::interrupted;
  return r.underrun_events > 0 || r.deadline_misses > 0 ? run_result::glitched : run_result::clean;
}

std::uint64_t glitch_count(const compare_run& run) noexcept {
  const play_report& r = run.report;
  return sat_add(sat_add(r.underrun_events, r.deadline_misses), r.device_xruns);
}

namespace {

/// The period a run's callbacks had, in µs: the run's own figure, else its
/// device's, else the report's device. NaN if none says.
double period_us_of(const compare_run& r, const device_info& fallback) {
  if (std::isfinite(r.period_us) && r.period_us > 0) return r.period_us;
  for (const device_info* d : {&r.report.device, &fallback})
    if (d->sample_rate > 0 && d->period_frames > 0) return double(d->period_frames) * 1e6 / double(d->sample_rate);
  return not_measured;
}

/// Adds one counted (clean or glitched) run's counts to the sums.
void add_counts(policy_summary& p, const compare_run& run) {
  const play_report& r = run.report;
  const bool first = p.counted++ == 0;
  p.underruns = sat_add(p.underruns, r.underrun_events);
  p.underruns_min = first ? r.underrun_events : std::min(p.underruns_min, r.underrun_events);
  p.underruns_max = first ? r.underrun_events : std::max(p.underruns_max, r.underrun_events);
  p.underrun_frames = sat_add(p.underrun_frames, r.underrun_frames);
  p.deadline_misses = sat_add(p.deadline_misses, r.deadline_misses);
  p.device_xruns = sat_add(p.device_xruns, r.device_xruns);
  p.callback_max_us = max_usable(p.callback_max_us, r.callback_us.max);
  p.blocked_max_us = max_usable(p.blocked_max_us, run.blocked_us_max);
  if (!p.worst || glitch_count(run) > glitch_count(*p.worst)) p.worst = &run;
}

/// The counted runs' callback bins, summed per bucket (edges as recorded).
void merge_bins(policy_summary& p) {
  std::map<std::pair<double, double>, std::uint64_t> sum;
  for (const compare_run* r : p.runs) {
    if (!counted(result_of(*r))) continue;
    for (const auto& b : r->report.callback_us.bins) {
      if (b.count == 0 || !std::isfinite(b.lower_us) || !std::isfinite(b.upper_us) || b.upper_us <= 0) continue;
      auto& n = sum[{b.lower_us, b.upper_us}];
      n = sat_add(n, b.count);
    }
  }
  for (const auto& [edges, n] : sum) {
    p.callback_bins.push_back({edges.first, edges.second, n});
    p.callback_bins_total = sat_add(p.callback_bins_total, n);
  }
}

/// Counts every run by its result and fills the figures from the counted ones.
void aggregate(policy_summary& p, const device_info& fallback) {
  std::vector<double> p50, p99, p999, syscalls;
  for (const compare_run* r : p.runs) {
    if (p.period_frames == 0) p.period_frames = r->report.device.period_frames;
    if (!std::isfinite(p.period_us)) p.period_us = period_us_of(*r, fallback);
    switch (result_of(*r)) {
      case run_result::failed:
        ++p.failed;
        continue;
      case run_result::interrupted:
        ++p.interrupted;
        continue;
      case run_result::glitched:
        ++p.glitched;
        break;
      case run_result::clean:
        ++p.clean;
        break;
    }
    add_counts(p, *r);
    p50.push_back(r->report.callback_us.p50);
    p99.push_back(r->report.callback_us.p99);
    p999.push_back(r->report.callback_us.p999);
    syscalls.push_back(r->syscalls_per_callback);
  }
  if (p.period_frames == 0) p.period_frames = fallback.period_frames;
  p.callback_p50_us = median_of(std::move(p50));
  p.callback_p99_us = median_of(std::move(p99));
  p.callback_p999_us = median_of(std::move(p999));
  p.syscalls_per_callback = median_of(std::move(syscalls));
  merge_bins(p);
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

std::vector<std::string> loads_of(const std::vector<policy_summary>& policies) {
  std::vector<std::string> loads;
  for (const policy_summary& p : policies)
    if (std::find(loads.begin(), loads.end(), p.load) == loads.end()) loads.push_back(p.load);
  return loads;
}

}  // namespace pingpong::player
