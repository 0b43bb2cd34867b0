#include "player/lab/notes.hpp"

#include <cmath>
#include <cstdint>

#include "player/lab/policy_summary.hpp"

namespace pingpong::player {
namespace {

/// Callbacks a full run would have had, for "interrupted after N of M callbacks".
std::uint64_t expected_callbacks(const compare_report& report, const compare_run& run) {
  const device_info& d = run.report.device;
  if (d.period_frames == 0 || d.sample_rate <= 0 || !std::isfinite(report.duration_s) || report.duration_s < 0)
    return 0;
  return std::uint64_t(report.duration_s * d.sample_rate / double(d.period_frames));
}

}  // namespace

std::string left_out_reason(const compare_report& report, const compare_run& run) {
  switch (result_of(run)) {
    case run_result::failed:
      return "failed: " + run.report.error;
    case run_result::interrupted: {
      std::string s = "interrupted after " + std::to_string(run.report.callbacks);
      if (const std::uint64_t full = expected_callbacks(report, run)) s += " of " + std::to_string(full);
      return s + " callbacks";
    }
    case run_result::clean:
    case run_result::glitched:
      return {};
  }
  return {};
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

}  // namespace pingpong::player
