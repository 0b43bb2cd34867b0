// `pingpong play --json`: the play report as one JSON object.
#include "player/report/json.hpp"
#include "player/report/json_values.hpp"

namespace pingpong::player {
namespace {

json::value device_json(const device_info& d) {
  json::value out = json::device_brief(d);
  out["period_fixed"] = d.period_fixed;
  out["channels"] = d.channels;
  out["output_latency_s"] = json::number(d.output_latency_s);
  if (!d.format.empty()) out["format"] = d.format;
  return out;
}

/// The files as given (names that are not UTF-8 show U+FFFD), and when any
/// is not UTF-8 their exact bytes, percent-encoded, beside them.
void add_files(json::value& out, const std::vector<std::string>& files) {
  out["files"] = files;
  bool raw_needed = false;
  for (const auto& f : files) raw_needed = raw_needed || !json::valid_utf8(f);
  if (!raw_needed) return;
  json::value raw = json::value::array();
  for (const auto& f : files) raw.push_back(json::percent_encoded(f));
  out["files_percent_encoded"] = std::move(raw);
}

}  // namespace

std::string to_json(const play_report& r, const std::string& version) {
  json::value o;
  o["version"] = version;
  add_files(o, r.files);
  o["device"] = device_json(r.device);
  o["handoff"] = r.handoff;
  o["wake"] = r.wake;
  o["half_frames"] = r.half_frames;
  o["channel_mapping"] = r.channel_mapping;
  o["resampled"] = r.resampled;
  o["frames_played"] = r.frames_played;
  o["duration_s"] = json::number(r.duration_s);
  o["wall_s"] = json::number(r.wall_s);
  o["underruns"] = json::underruns(r);
  o["deadline_misses"] = r.deadline_misses;
  o["device_xruns"] = r.device_xruns;
  o["device_status"] = {{"output_underflow", r.output_underflows},
                        {"output_overflow", r.output_overflows},
                        {"priming", r.priming_callbacks},
                        {"server_stalls", r.server_stalls},
                        {"longest_stall_s", json::number(r.longest_stall_s)}};
  o["clipped_samples"] = r.clipped_samples;
  o["callbacks"] = r.callbacks;
  o["swaps"] = r.swaps;
  o["wake_syscalls"] = r.wake_syscalls;
  o["lock_busy"] = r.lock_busy;
  o["max_swap_ns"] = r.max_swap_ns;
  o["callback_us"] = json::latency_with_histogram(r.callback_us);
  o["interval_us"] = json::latency_with_histogram(r.interval_us);
  if (r.wake_late_us.count > 0) o["wake_late_us"] = json::latency_with_histogram(r.wake_late_us);
  o["cpu_load"] = json::measured(r.cpu_load);
  o["producer_min_slack_frames"] = r.min_slack_frames >= 0 ? json::value(r.min_slack_frames) : json::value(nullptr);
  o["first_audio_ms"] = json::measured(r.first_audio_ms);
  o["startup_ms"] = json::measured(r.startup_ms);
  o["producer_scheduling"] = r.producer_scheduling;
  o["memory"] = r.memory;
  o["interrupted"] = r.interrupted;
  o["notes"] = r.notes;
  o["result"] = verdict(r);
  if (!r.error.empty()) {
    o["error"] = r.error;
    o["exit_code"] = r.error_code;
  }
  return json::text(o);
}

}  // namespace pingpong::player
