// `pingpong probe --json`: the sweep as one JSON object.
#include "player/report/json.hpp"
#include "player/report/json_values.hpp"

namespace pingpong::player {
namespace {

json::value step_json(const probe_step& s) {
  return {{"period_frames", s.period_frames},
          {"requested_period_frames", s.requested_period_frames},
          {"half_frames", s.half_frames},
          {"latency_ms", json::number(s.latency_ms)},
          {"underruns", s.underruns},
          {"deadline_misses", s.deadline_misses},
          {"device_xruns", s.device_xruns},
          {"worst_callback_us", json::number(s.worst_callback_us)},
          {"period_us", json::number(s.period_us)},
          {"clean", s.clean},
          {"stopped_early", s.stopped_early}};
}

}  // namespace

std::string probe_json(const probe_report& r, const std::string& version) {
  json::value o;
  o["version"] = version;
  o["device"] = json::device_brief(r.device);
  o["period_fixed"] = r.period_fixed;
  o["period_note"] = r.period_note;
  o["interrupted"] = r.interrupted;
  o["handoff"] = r.handoff;
  o["wake"] = r.wake;
  o["load"] = r.load;
  json::value steps = json::value::array();
  for (const probe_step& s : r.steps) steps.push_back(step_json(s));
  o["steps"] = std::move(steps);
  o["best"] = nullptr;
  if (r.best >= 0) {
    const probe_step& b = r.steps[std::size_t(r.best)];
    o["best"] = {{"period_frames", b.period_frames},
                 {"half_frames", b.half_frames},
                 {"latency_ms", json::number(b.latency_ms)},
                 {"margin", json::number(1.0 - b.worst_callback_us / b.period_us)}};
  }
  return json::text(o);
}

}  // namespace pingpong::player
