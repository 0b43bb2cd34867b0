// The self-contained HTML report of `pingpong compare` (inline CSS and SVG,
// no scripts, nothing loaded from the network; also well-formed XML).
#pragma once

#include <string>

#include "player/lab/compare.hpp"

namespace pingpong::player {

/// header, summary table, verdicts, per load the policies' charts, legend.
std::string render_html(const compare_report& report);

}  // namespace pingpong::player
