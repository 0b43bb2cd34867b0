// pingpong::player::source — the producer's input: decodes files with
// libsndfile, one after another without gaps, trims (--start/--end), loops,
// resamples with libsoxr to the output rate, maps channels to the output
// count and applies gain. Streaming: memory does not grow with file length.
//
// Inputs are files or bytes in memory (memory_file; the fuzz target uses it).
//
// Thread: the producer (one thread). Blocking, allocating, I/O: never call it
// from the real-time callback. Errors throw input_error with one clear line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "player/errors.hpp"

namespace pingpong::player {

/// What `pingpong info` prints. Throws input_error if libsndfile cannot open
/// `path` (missing, a directory, empty, truncated, not audio, unsupported).
struct file_info {
  std::string path;
  std::string format;   ///< container, e.g. "WAV (Microsoft)", "FLAC", "OGG (OGG Container format)"
  std::string subtype;  ///< encoding, e.g. "Signed 16 bit PCM", "Vorbis", "Opus"
  int sample_rate = 0;
  int channels = 0;
  std::int64_t frames = 0;  ///< -1 if the file does not say
  double duration_s = 0.0;  ///< frames / sample_rate; -1 if frames is -1
  /// Speaker layout: "mono", "stereo", "quad", "5.1", "7.1", …; "unknown (6 ch)" when nothing says.
  std::string layout;
  /// What says so: "channel mask in the file" (WAV), "channel layout in the
  /// file" (CAF, AIFF), "FLAC default order", "Vorbis default order",
  /// "assumed: WAV default order (no channel mask)", …; when unknown, why.
  std::string layout_source;
  /// The speaker of each channel, SF_CHANNEL_MAP_* values of sndfile.h; empty when unknown.
  std::vector<int> channel_map;
  /// The same as short names, e.g. "FL FR FC LFE BL BR"; empty when unknown.
  std::string speakers;
  /// Tags libsndfile reads (RIFF INFO, Vorbis comments, ID3, AIFF text
  /// chunks); empty where the file has none.
  std::string title, artist, album, date, comment;
};
file_info probe_file(const std::string& path);

/// A file held in memory (any format libsndfile reads by content), decoded
/// through libsndfile's virtual I/O. The bytes are not copied: they must
/// outlive the source.
struct memory_file {
  std::string name;  ///< used in messages, like a path
  const void* data = nullptr;
  std::size_t size = 0;
};

/// The sample rates pingpong plays (files and the sim device): a header
/// outside them is damage, not audio.
inline constexpr int min_sample_rate = 1000, max_sample_rate = 768000;

struct source_options {
  std::vector<std::string> files;   ///< played in order, gaplessly
  std::vector<memory_file> memory;  ///< played after `files`, in order
  double start_s = 0.0;             ///< skip this much of each file
  double end_s = -1.0;              ///< stop each file here; < 0: at its end
  int loops = 1;                    ///< times to play the whole list; 0 = until stopped
  double gain_db = 0.0;
  int output_rate = 0;  ///< 0: the first file's rate
  /// 0: the first file's channel count. Each file is mapped to it by its
  /// layout (see channel_layout.hpp): copied, mono to all, padded with
  /// silence, or downmixed (ITU-R BS.775; the mean of all channels only
  /// when no layout is known). To play every file without a downmix, pass
  /// the widest file's count (probe_file(...).channels).
  int output_channels = 0;
};

class source {
 public:
  /// Opens and checks every file up front, so a bad file fails before
  /// playback starts. Throws input_error.
  explicit source(const source_options& options);
  ~source();
  source(const source&) = delete;
  source& operator=(const source&) = delete;

  /// Fills `out` with up to `frames` interleaved float frames at
  /// output_rate() × output_channels(). Returns the frames written; fewer
  /// than asked only at the very end (0 once finished). Throws input_error
  /// on a decode error in the middle of a file (e.g. truncated data is not
  /// an error: it ends that file early, as libsndfile reports), a file cut
  /// shorter while playing, or a later file that cannot be opened. An error
  /// after some frames of this call returns those frames (a short read)
  /// and throws from the next call: every good frame is delivered.
  std::size_t read(float* out, std::size_t frames);

  /// The message of an error that ended the last read() early (that
  /// read()'s frames are good; the next read() would throw it), and clears
  /// it. Empty if the last short read was the real end.
  std::string take_error();

  int output_rate() const noexcept;
  int output_channels() const noexcept;
  /// Output frames of one pass over the list (after trimming and
  /// resampling); -1 if unknown. Multiply by loops for the total.
  std::int64_t frames_per_pass() const noexcept;
  /// Index into options.files of the file being decoded now.
  std::size_t current_file() const noexcept;
  /// True if any file needs resampling to output_rate().
  bool resampling() const noexcept;
  /// How channels are mapped, one line for the summary, e.g. "6 → 2 (5.1
  /// downmix, ITU-R BS.775, LFE dropped, not normalised: peak gain +7.7 dB)"
  /// or "6 → 2 (fold-down: mean of all channels, no layout known)". The first
  /// file's mapping, then each other one with its files: "2 → 2; file 3: 6 → 2 (…)".
  std::string channel_mapping() const;
  /// Continues at `frame` (output rate, counted from the file's --start)
  /// of file `file` (an index into the list); `file` past the last: the
  /// end (read() returns 0). A frame past the file's end: its end. What
  /// was staged is dropped. Throws input_error (the file cannot be
  /// reopened; a stream, which cannot seek).
  void seek(std::size_t file, std::int64_t frame);
  /// False for a file that is read once, front to back (a pipe, stdin).
  bool seekable(std::size_t file) const noexcept;

  /// Frames decoded so far, output-side.
  std::int64_t frames_produced() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Streams ("-", /dev/stdin on a pipe, a named pipe) are opened once and
/// kept until the source plays them (a pipe can be read only once; see
/// sndfile_input.hpp). cancel_streams() ends their relays, so a producer
/// blocked on a stalled pipe reads its end; release_streams() forgets them.
/// Thread: control.
void cancel_streams() noexcept;
void release_streams() noexcept;

/// Parses "90", "1.5", "1:30", "01:02:03.5" into seconds. Throws input_error.
double parse_time(const std::string& text);

}  // namespace pingpong::player
