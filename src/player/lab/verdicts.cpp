#include "player/lab/verdicts.hpp"

#include <cmath>
#include <cstdio>
#include <span>
#include <sstream>
#include <string>

#include "player/lab/figures.hpp"
#include "player/lab/policy_summary.hpp"

namespace pingpong::player {
namespace {

using figures::max_usable;
using figures::sat_add;
using figures::usable;

/// A figure for the verdict: `digits` decimals, "n/a" when unmeasured.
std::string num(double v, int digits = 1) {
  if (!usable(v)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string where_it_stalls(load_kind kind) {
  switch (kind) {
    case load_kind::stall:
      return "lockfree: the producer stalls outside any lock, so the RT side never waits; only a stall longer than the "
             "queued audio becomes an underrun. mutex / mutex-pi: the producer stalls while holding the handoff lock, "
             "so "
             "the RT callback blocks in its next swap until the stall ends (deadline misses, and the device starves). "
             "trylock: the RT swap is refused while the lock is held: silence (underruns) instead of blocking.";
    case load_kind::inversion:
      return "mutex: the RT thread waits for the low-priority producer, and the medium-priority hog preempts the "
             "producer "
             "inside the lock, so the wait lasts as long as the hog's burst. mutex-pi: the producer inherits the RT "
             "priority while it holds the lock, so the hog cannot preempt it; the wait is bounded by the critical "
             "section "
             "(the busy work inside it), not removed. trylock: never waits; refused swaps are underruns. lockfree: "
             "nothing to wait for.";
    case load_kind::cpu:
      return "cpu: hogs compete with the SCHED_OTHER producer only; the RT thread (SCHED_FIFO where permitted) "
             "preempts "
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
  double lockfree_blocked = not_measured, worst_locked = not_measured;
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

}  // namespace pingpong::player
