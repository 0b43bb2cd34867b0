// The live status line of `pingpong play` on a terminal.
// Thread: main (play()'s on_tick hook).
#pragma once

#include <string>

#include "player/player.hpp"

namespace pingpong::cli {

/// "m:ss.s", or "--:--" for a negative (unknown) time.
std::string clock_text(double s);
/// Redraws the one status line in place, fitted to the terminal's width.
void draw_status(const player::live_status& st);

}  // namespace pingpong::cli
