// `pingpong probe`'s sweep, as the terminal shows it.
#include <cstdio>
#include <sstream>

#include "player/report/text.hpp"

namespace pingpong::player {

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
                  s.clean           ? "clean"
                  : s.stopped_early ? "fails (stopped early)"
                                    : "glitched");
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

}  // namespace pingpong::player
