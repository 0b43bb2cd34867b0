// `pingpong play`'s summary, as the terminal shows it.
#include <cmath>
#include <cstdio>
#include <sstream>

#include "player/report/text.hpp"
#include "player/text.hpp"

namespace pingpong::player {
namespace {

/// A stream position as m:ss.mmm (to the millisecond: a 64-frame underrun
/// at 48 kHz lasts 1.3 ms).
std::string position_text(double s) {
  char buf[32];
  const int m = int(s / 60.0);
  std::snprintf(buf, sizeof buf, "%d:%06.3f", m, s - 60.0 * m);
  return buf;
}

}  // namespace

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
  std::snprintf(
      buf, sizeof buf,
      "underruns %llu (%llu frames)   deadline misses %llu   device xruns %llu (underflow %llu, overflow %llu)\n",
      (unsigned long long)r.underrun_events, (unsigned long long)r.underrun_frames,
      (unsigned long long)r.deadline_misses, (unsigned long long)r.device_xruns,
      (unsigned long long)r.output_underflows, (unsigned long long)r.output_overflows);
  o << buf;
  if (!r.underrun_log.empty()) {
    // Where they fell: the first few, as a listener would look for them.
    constexpr std::size_t shown = 5;
    o << "  at";
    for (std::size_t i = 0; i < std::min(shown, r.underrun_log.size()); ++i) {
      const underrun_entry& u = r.underrun_log[i];
      std::snprintf(buf, sizeof buf, "%s %s (%u frames)", i ? "," : "", position_text(u.position_s).c_str(),
                    unsigned(u.silence_frames));
      o << buf;
    }
    const std::uint64_t more = r.underrun_events - std::min<std::uint64_t>(r.underrun_events, shown);
    if (more > 0)
      o << ", and " << more << " more (--json lists " << (r.underrun_log.size() > shown ? "them" : "the logged ones")
        << ")";
    o << "\n";
  }
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
  if (r.min_slack_frames >= 0)
    line += (line.empty() ? "" : "   ") + std::string("producer min slack ") + std::to_string(r.min_slack_frames) +
            " frames";
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
