// The human summary and the JSON object of a play report.
#include <cmath>
#include <cstdio>
#include <sstream>

#include "player/json.hpp"
#include "player/player.hpp"
#include "player/text.hpp"

namespace pingpong::player {
namespace {

using json::escape;
const auto num = json::number;

std::string latency_json(const latency_summary& l) {
  std::ostringstream o;
  o << "{\"p50\": " << num(l.p50) << ", \"p99\": " << num(l.p99) << ", \"p999\": " << num(l.p999)
    << ", \"max\": " << num(l.max) << ", \"count\": " << l.count << ", \"histogram\": [";
  for (std::size_t i = 0; i < l.bins.size(); ++i)
    o << (i ? ", " : "") << "[" << num(l.bins[i].lower_us) << ", " << num(l.bins[i].upper_us) << ", " << l.bins[i].count
      << "]";
  o << "]}";
  return o.str();
}

}  // namespace

std::string to_json(const play_report& r, const std::string& version) {
  std::ostringstream o;
  o << "{\n  \"version\": \"" << escape(version) << "\",\n  \"files\": [";
  for (std::size_t i = 0; i < r.files.size(); ++i) o << (i ? ", " : "") << "\"" << escape(r.files[i]) << "\"";
  o << "]";
  bool raw_needed = false;
  for (const auto& f : r.files) raw_needed = raw_needed || !json::valid_utf8(f);
  if (raw_needed) {
    // Names that are not UTF-8 appear above with U+FFFD; here are their bytes.
    o << ",\n  \"files_percent_encoded\": [";
    for (std::size_t i = 0; i < r.files.size(); ++i) o << (i ? ", " : "") << "\"" << json::raw_bytes(r.files[i]) << "\"";
    o << "]";
  }
  o << ",\n  \"device\": {\"name\": \"" << escape(r.device.name) << "\", \"host_api\": \"" << escape(r.device.host_api)
    << "\", \"sample_rate\": " << r.device.sample_rate << ", \"period_frames\": " << r.device.period_frames
    << ", \"period_fixed\": " << (r.device.period_fixed ? "true" : "false") << ", \"channels\": " << r.device.channels
    << ", \"output_latency_s\": " << num(r.device.output_latency_s);
  if (!r.device.format.empty()) o << ", \"format\": \"" << escape(r.device.format) << "\"";
  o << "},\n"
    << "  \"handoff\": \"" << r.handoff << "\",\n  \"wake\": \"" << r.wake << "\",\n  \"half_frames\": " << r.half_frames
    << ",\n  \"channel_mapping\": \"" << escape(r.channel_mapping) << "\",\n  \"resampled\": "
    << (r.resampled ? "true" : "false") << ",\n  \"frames_played\": " << r.frames_played
    << ",\n  \"duration_s\": " << num(r.duration_s) << ",\n  \"wall_s\": " << num(r.wall_s)
    << ",\n  \"underruns\": {\"events\": " << r.underrun_events << ", \"frames\": " << r.underrun_frames << "},\n"
    << "  \"deadline_misses\": " << r.deadline_misses << ",\n  \"device_xruns\": " << r.device_xruns
    << ",\n  \"device_status\": {\"output_underflow\": " << r.output_underflows
    << ", \"output_overflow\": " << r.output_overflows << ", \"priming\": " << r.priming_callbacks
    << ", \"server_stalls\": " << r.server_stalls << ", \"longest_stall_s\": " << num(r.longest_stall_s) << "},\n"
    << "  \"clipped_samples\": " << r.clipped_samples << ",\n"
    << "  \"callbacks\": " << r.callbacks << ",\n  \"swaps\": " << r.swaps << ",\n  \"wake_syscalls\": " << r.wake_syscalls
    << ",\n  \"lock_busy\": " << r.lock_busy << ",\n  \"max_swap_ns\": " << r.max_swap_ns
    << ",\n  \"callback_us\": " << latency_json(r.callback_us) << ",\n  \"interval_us\": " << latency_json(r.interval_us);
  if (r.wake_late_us.count > 0) o << ",\n  \"wake_late_us\": " << latency_json(r.wake_late_us);
  o << ",\n  \"cpu_load\": " << (r.cpu_load >= 0 ? num(r.cpu_load) : "null")
    << ",\n  \"producer_min_slack_frames\": " << (r.min_slack_frames >= 0 ? std::to_string(r.min_slack_frames) : "null")
    << ",\n  \"first_audio_ms\": " << (r.first_audio_ms >= 0 ? num(r.first_audio_ms) : "null")
    << ",\n  \"startup_ms\": " << (r.startup_ms >= 0 ? num(r.startup_ms) : "null")
    << ",\n  \"producer_scheduling\": \"" << escape(r.producer_scheduling) << "\""
    << ",\n  \"memory\": \"" << escape(r.memory) << "\""
    << ",\n  \"interrupted\": " << (r.interrupted ? "true" : "false")
    << ",\n  \"notes\": [";
  for (std::size_t i = 0; i < r.notes.size(); ++i) o << (i ? ", " : "") << "\"" << escape(r.notes[i]) << "\"";
  o << "],\n  \"result\": \"" << verdict(r) << "\"";
  if (!r.error.empty()) o << ",\n  \"error\": \"" << escape(r.error) << "\", \"exit_code\": " << r.error_code;
  o << "\n}\n";
  return o.str();
}

std::string summary_text(const play_report& r) {
  char buf[512];
  std::ostringstream o;
  std::snprintf(buf, sizeof buf, "played %.2f s (%llu frames) of %zu file%s on '", r.duration_s,
                (unsigned long long)r.frames_played, r.files.size(), r.files.size() == 1 ? "" : "s");
  o << buf << printable(r.device.name) << "' (" << r.device.host_api
    << (r.device.format.empty() ? "" : ", " + r.device.format) << ")";
  std::snprintf(buf, sizeof buf, ", %d Hz, period %zu%s, half %zu%s\n", r.device.sample_rate, r.device.period_frames,
                r.device.period_fixed ? " (the server's)" : "", r.half_frames, r.interrupted ? " — interrupted" : "");
  o << buf;
  std::snprintf(buf, sizeof buf, "handoff %s, wake %s; channels %s%s\n", r.handoff.c_str(), r.wake.c_str(),
                r.channel_mapping.c_str(), r.resampled ? "; resampled" : "");
  o << buf;
  std::snprintf(buf, sizeof buf,
                "underruns %llu (%llu frames)   deadline misses %llu   device xruns %llu (underflow %llu, overflow %llu)\n",
                (unsigned long long)r.underrun_events, (unsigned long long)r.underrun_frames,
                (unsigned long long)r.deadline_misses, (unsigned long long)r.device_xruns,
                (unsigned long long)r.output_underflows, (unsigned long long)r.output_overflows);
  o << buf;
  if (r.server_stalls > 0) {
    std::snprintf(buf, sizeof buf, "audio server stalled %llu time%s (longest %.1f s), counted as device xruns\n",
                  (unsigned long long)r.server_stalls, r.server_stalls == 1 ? "" : "s", r.longest_stall_s);
    o << buf;
  }
  if (r.clipped_samples > 0) {
    std::snprintf(buf, sizeof buf, "clipped %llu samples to ±1.0 (%s); lower --gain or use --bits float\n",
                  (unsigned long long)r.clipped_samples, r.device.format.c_str());
    o << buf;
  }
  if (r.callback_us.count > 0) {
    std::snprintf(buf, sizeof buf, "callback µs p50 %.1f p99 %.1f p99.9 %.1f max %.1f", r.callback_us.p50,
                  r.callback_us.p99, r.callback_us.p999, r.callback_us.max);
    o << buf;
    if (r.interval_us.count > 0) {
      std::snprintf(buf, sizeof buf, "   interval µs p50 %.0f p99 %.0f max %.0f", r.interval_us.p50, r.interval_us.p99,
                    r.interval_us.max);
      o << buf;
    }
    o << "\n";
  }
  if (r.wake_late_us.count > 0) {
    std::snprintf(buf, sizeof buf, "sim device wake-up lateness µs p50 %.0f p99 %.0f max %.0f\n", r.wake_late_us.p50,
                  r.wake_late_us.p99, r.wake_late_us.max);
    o << buf;
  }
  // Figures that were never measured are left out, not printed as -1.
  std::string line;
  if (r.cpu_load >= 0) line += "cpu load " + std::to_string(int(std::lround(r.cpu_load * 100))) + " %";
  if (r.min_slack_frames >= 0) line += (line.empty() ? "" : "   ") + std::string("producer min slack ") + std::to_string(r.min_slack_frames) + " frames";
  if (r.first_audio_ms >= 0) {
    std::snprintf(buf, sizeof buf, "first audio %.1f ms after start", r.first_audio_ms);
    line += (line.empty() ? "" : "   ") + std::string(buf);
  }
  if (!line.empty()) o << line << "\n";
  if (!r.producer_scheduling.empty() || !r.memory.empty())
    o << "producer " << (r.producer_scheduling.empty() ? "?" : r.producer_scheduling) << "; memory "
      << (r.memory.empty() ? "?" : r.memory) << "\n";
  o << "result: " << verdict(r) << (r.error.empty() ? "" : ": " + printable(r.error)) << "\n";
  return o.str();
}

}  // namespace pingpong::player
