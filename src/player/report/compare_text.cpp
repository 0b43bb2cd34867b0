// `pingpong compare`'s table: the header, one row per load × policy (the
// figures of lab/policy_summary.hpp), the runs left out, the verdicts.
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "player/lab/figures.hpp"
#include "player/lab/notes.hpp"
#include "player/lab/policy_summary.hpp"
#include "player/report/text.hpp"

namespace pingpong::player {
namespace {

/// A figure for the table: `digits` decimals, "n/a" when unmeasured.
std::string num(double v, int digits = 1) {
  if (!figures::usable(v)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
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
  o << "pingpong compare — " << report.date << "\n"
    << report.machine << "\n"
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
  char buf[80];
  int n = std::snprintf(buf, sizeof buf, "%zu", p.counted);
  if (p.interrupted) n += std::snprintf(buf + n, sizeof buf - std::size_t(n), "+%zui", p.interrupted);
  if (p.failed) std::snprintf(buf + n, sizeof buf - std::size_t(n), "+%zuf", p.failed);
  return buf;
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
      if (!left_out_header) o << "left out of the figures and verdicts (runs column: +Ni interrupted, +Nf failed):\n";
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

}  // namespace pingpong::player
