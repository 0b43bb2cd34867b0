// `pingpong compare --json`: every run, then per load the verdict and the
// policies' summaries (lab/policy_summary.hpp: the same figures as the table).
#include "player/lab/notes.hpp"
#include "player/lab/policy_summary.hpp"
#include "player/report/json.hpp"
#include "player/report/json_values.hpp"

namespace pingpong::player {
namespace {

json::value run_json(const compare_run& r) {
  const play_report& p = r.report;
  json::value o = {{"handoff", r.handoff},
                   {"wake", r.wake},
                   {"load", r.load},
                   {"repeat", r.repeat},
                   {"result", to_string(result_of(r))},
                   {"interrupted", p.interrupted},
                   {"period_frames", p.device.period_frames},
                   {"half_frames", p.half_frames},
                   {"underruns", json::underruns(p)},
                   {"deadline_misses", p.deadline_misses},
                   {"device_xruns", p.device_xruns}};
  o["callback_us"] = json::percentiles(p.callback_us.p50, p.callback_us.p99, p.callback_us.p999, p.callback_us.max);
  o["interval_us"] = json::percentiles(p.interval_us.p50, p.interval_us.p99, p.interval_us.p999, p.interval_us.max);
  o["blocked_us_max"] = json::number(r.blocked_us_max);
  o["syscalls_per_callback"] = json::measured(r.syscalls_per_callback);
  o["callbacks"] = p.callbacks;
  o["frames_played"] = p.frames_played;
  o["stalls_injected"] = p.stalls_injected;
  o["load_note"] = r.load_note;
  if (!p.error.empty()) o["error"] = p.error;
  return o;
}

json::value policy_json(const policy_summary& p) {
  return {
      {"handoff", p.handoff},
      {"wake", p.wake},
      {"runs", p.runs.size()},
      {"counted", p.counted},
      {"clean", p.clean},
      {"glitched", p.glitched},
      {"failed", p.failed},
      {"interrupted", p.interrupted},
      {"period_frames", p.period_frames},
      {"underruns",
       {{"events", p.underruns},
        {"frames", p.underrun_frames},
        {"events_min", p.underruns_min},
        {"events_max", p.underruns_max}}},
      {"deadline_misses", p.deadline_misses},
      {"device_xruns", p.device_xruns},
      {"callback_us", json::percentiles(p.callback_p50_us, p.callback_p99_us, p.callback_p999_us, p.callback_max_us)},
      {"blocked_us_max", json::number(p.blocked_max_us)},
      {"syscalls_per_callback", json::number(p.syscalls_per_callback)}};
}

/// Per load (the verdicts' order): the verdict, where it stalls, the policies.
json::value summary_json(const compare_report& report) {
  const std::vector<policy_summary> policies = summarize_policies(report);
  json::value out = json::value::object();
  for (const scenario_summary& s : report.summary) {
    json::value listed = json::value::array();
    for (const policy_summary& p : policies)
      if (p.load == s.load) listed.push_back(policy_json(p));
    out[s.load] = {{"verdict", s.verdict}, {"where_it_stalls", s.where_it_stalls}, {"policies", std::move(listed)}};
  }
  return out;
}

}  // namespace

std::string compare_json(const compare_report& report) {
  json::value o;
  o["version"] = report.version;
  o["date"] = report.date;
  o["machine"] = report.machine;
  o["command"] = report.command;
  o["input"] = report.input;
  o["device"] = json::device_brief(report.device);
  o["requested_period_frames"] = report.requested_period_frames;
  o["period_note"] = period_note(report.device, report.requested_period_frames);
  o["half_frames"] = report.half_frames;
  o["requested_half_frames"] = report.requested_half_frames;
  o["duration_s"] = json::number(report.duration_s);
  o["repeats"] = report.repeats;
  o["planned_runs"] = report.planned_runs;
  o["interrupted"] = report.interrupted();
  json::value runs = json::value::array();
  for (const compare_run& r : report.runs) runs.push_back(run_json(r));
  o["runs"] = std::move(runs);
  o["summary"] = summary_json(report);
  return json::text(o);
}

}  // namespace pingpong::player
