// libFuzzer target: the source's open-and-decode path on arbitrary bytes.
//
//   bytes 0..3   settings: output rate, output channels, gain, trim, loops
//   bytes 4..    the "file", opened from memory through libsndfile's virtual
//                I/O (memory_file), then resampled (libsoxr), channel-mapped
//                and gained exactly as `pingpong play` does.
//
// Any input may be rejected with input_error (that is the contract: one clear
// line, exit 2). Anything else — a crash, a sanitizer report, another
// exception type, a read() that is short before the end, a hang — is a finding.
// Build and run: scripts/fuzz.sh [SECONDS]  (clang, libFuzzer, ASan+UBSan).
// Without libFuzzer the same function runs over files given on the command
// line (fuzz_replay.cpp), so every build replays the seed corpus.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "player/source/source.hpp"

namespace pp = pingpong::player;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  // 0 (the file's own rate, no resampling) often, so that more inputs reach
  // their end, and their end-of-file and error paths, within max_frames.
  static constexpr int rates[8] = {0, 0, 0, 8000, 22050, 44100, 48000, 96000};
  pp::source_options o;
  o.output_rate = rates[data[0] & 7];
  o.output_channels = (data[0] >> 3) & 7;                                        // 0: the file's own
  o.gain_db = (data[0] & 0x40) ? (static_cast<int>(data[1]) - 200) / 2.0 : 0.0;  // -100 .. +27.5 dB
  o.start_s = (data[2] & 0x0f) * 0.005;
  o.end_s = (data[2] >> 4) != 0 ? o.start_s + (data[2] >> 4) * 0.01 : -1.0;
  o.loops = 1 + (data[3] & 1);
  o.memory = {pp::memory_file{"fuzz-input", data + 4, size - 4}};

  // Bounded work per input: a header may claim hours of audio at 1 Hz.
  constexpr std::size_t max_frames = 1 << 14;
  try {
    pp::source s(o);
    const int channels = s.output_channels();
    if (channels <= 0 || s.output_rate() <= 0) std::abort();
    std::vector<float> buf(1024 * static_cast<std::size_t>(channels));
    std::size_t total = 0;
    while (total < max_frames) {
      const std::size_t got = s.read(buf.data(), 1024);
      total += got;
      if (got < 1024) {
        if (s.read(buf.data(), 1024) != 0) std::abort();  // short only at the very end
        break;
      }
    }
  } catch (const pp::input_error&) {
    // Rejected with a message: fine.
  }
  return 0;
}
