// Errors of the player and the exit codes the CLI maps them to.
// Never thrown on the real-time thread.
#pragma once

#include <stdexcept>
#include <string>

namespace pingpong::player {

/// Documented exit codes of the `pingpong` command.
enum exit_code : int {
  exit_ok = 0,         ///< played (or listed, probed, ...)
  exit_glitched = 1,   ///< played with glitches and --fail-on-glitch was given
  exit_bad_input = 2,  ///< bad usage, bad option value, unreadable or unsupported file
  exit_device = 3,     ///< audio device or audio server error
  exit_output = 4,     ///< an output could not be written (-o, --json, --report, stdout); nothing half-written is left
  exit_interrupted = 130,  ///< stopped by Ctrl-C before the end (summary still printed)
};

/// Bad usage or bad input (a file that cannot be opened or decoded, an
/// impossible option value). Exit code 2. what() is one line for the user.
struct input_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The audio device or server failed or refused. Exit code 3.
struct device_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// An output (render, JSON, report, stdout) could not be written: a full
/// disk, an unwritable folder, a closed or failing stdout. Exit code 4.
struct output_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace pingpong::player
