// The file the lab's runs play: the user's, or a generated signal in a file
// with no name (nothing is left behind, even after kill -9 or SIGHUP).
#pragma once

#include <memory>
#include <string>

#include "player/lab/temp_file.hpp"

namespace pingpong::player {

/// A slow sweep, float WAV, 48 kHz stereo, 0.25 full scale, in an unnamed
/// temporary file; the player opens it as /proc/self/fd/N. Throws input_error
/// if it cannot be written.
class generated_input {
 public:
  explicit generated_input(double seconds);
  std::string path() const { return file_.proc_path(); }

 private:
  unnamed_temp_file file_;
};

/// `file`, or when it is "" a generated signal as long as a run (at most
/// 30 s: the runs stop on time, a short file would only loop) plus 1 s.
class run_input {
 public:
  run_input(const std::string& file, double duration_s);
  const std::string& path() const { return path_; }

 private:
  std::unique_ptr<generated_input> generated_;
  std::string path_;
};

}  // namespace pingpong::player
