// The sentences every lab report shares (table, JSON, HTML, probe): why a run
// is left out of the figures, and what the device's period is.
#pragma once

#include <cstddef>
#include <string>

#include "player/lab/compare.hpp"

namespace pingpong::player {

/// Why a run is left out of the figures ("interrupted after 364 of 1506
/// callbacks", "failed: ..."); "" for a counted run.
std::string left_out_reason(const compare_report& report, const compare_run& run);

/// "" when the device ran at the requested period; otherwise what the period
/// is and how to change it (JACK: the server's buffer size).
std::string period_note(const device_info& device, std::size_t requested_period_frames);

}  // namespace pingpong::player
