#include "player/lab/input.hpp"

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "player/errors.hpp"

namespace pingpong::player {

generated_input::generated_input(double seconds) : file_(temp_directory()) {
  if (!file_) throw input_error("cannot write the generated signal: " + file_.error());
  SF_INFO info{};
  info.samplerate = 48000;
  info.channels = 2;
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  SNDFILE* f = sf_open_fd(file_.fd(), SFM_WRITE, &info, SF_FALSE);
  if (!f) throw input_error(std::string("cannot write the generated signal: ") + sf_strerror(nullptr));
  std::vector<float> block(std::size_t(2) * 4800);
  const auto total = std::int64_t(seconds * 48000);
  double phase = 0;
  bool written = true;
  for (std::int64_t done = 0; done < total && written;) {
    const auto n = std::min<std::int64_t>(4800, total - done);
    for (std::int64_t i = 0; i < n; ++i) {
      const double t = double(done + i) / 48000.0;
      phase += 2 * M_PI * (220.0 + 110.0 * std::sin(0.5 * t)) / 48000.0;
      block[std::size_t(2 * i)] = block[std::size_t(2 * i + 1)] = float(0.25 * std::sin(phase));
    }
    written = sf_writef_float(f, block.data(), n) == n;
    done += n;
  }
  const std::string error = written ? "" : sf_strerror(f);
  sf_close(f);
  if (!written) throw input_error("cannot write the generated signal: " + error);
}

run_input::run_input(const std::string& file, double duration_s) : path_(file) {
  if (path_.empty()) {
    generated_ = std::make_unique<generated_input>(std::min(duration_s, 30.0) + 1.0);
    path_ = generated_->path();
  }
}

}  // namespace pingpong::player
