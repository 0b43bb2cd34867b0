// The live status line of `pingpong play` on a terminal.
// Thread: main (play()'s on_tick hook).
#pragma once

#include <string>

#include "player/player.hpp"

namespace pingpong::cli {

/// "m:ss.s", or "--:--" for a negative (unknown) time.
std::string clock_text(double s);
/// The status line's text for a terminal `width` columns wide: fields
/// dropped from the right (the name shortened first) so it never wraps;
/// ANSI colour if `colour`.
std::string status_text(const player::live_status& st, std::size_t width, bool colour);
/// Redraws the one status line in place, fitted to the terminal's width.
void draw_status(const player::live_status& st, bool colour);
/// Colour on stdout: a terminal, and NO_COLOR unset or empty (no-color.org).
bool colour_wanted();

}  // namespace pingpong::cli
