// pingpong::player channel layouts: which speaker each channel of a file
// feeds, and how a file's channels become the output's (copy, mono to all,
// pad, or a downmix matrix by speaker position).
//
// Where a layout comes from, in order:
//   1. libsndfile's channel map (SFC_GET_CHANNEL_MAP_INFO): the WAVE_FORMAT_-
//      EXTENSIBLE channel mask of WAV/RF64, the channel layout chunk of CAF
//      and AIFF. libsndfile 1.2 reports none for FLAC, Ogg, W64, AU, ….
//   2. The order a codec's specification defines for 1–8 channels: FLAC
//      (format spec, "channel assignment") and Vorbis (Vorbis I spec §4.3.9;
//      Opus channel mapping family 1 uses the same order, RFC 7845 §5.1.1.2).
//   3. One or two channels: mono, or left and right, in every container.
//   4. A WAV with no channel mask (plain WAVE_FORMAT_PCM/IEEE_FLOAT, as
//      libsndfile's SF_FORMAT_WAV writes 6 channels) and 6 or 8 channels:
//      assumed to be in the WAVE default order, 5.1 (FL FR FC LFE BL BR) or
//      7.1 (FL FR FC LFE BL BR SL SR), as ffmpeg and SoX assume. Other counts
//      (3, 4, 5, 7) are read as different layouts by different tools, so
//      nothing is assumed for them.
//   Otherwise the layout is unknown, and a downmix is the plain mean of all
//   channels: without positions there is no left or right to keep.
//
// Thread: plan_channels and read_channel_layout run where files are opened
// (control or producer), map_channels on the producer, per read.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

typedef struct sf_private_tag SNDFILE;  // as sndfile.h declares it

namespace pingpong::player {

/// The speaker each channel of a file feeds.
struct channel_layout {
  std::vector<int> speakers;  ///< SF_CHANNEL_MAP_* (sndfile.h), one per channel; empty if unknown
  std::string origin;         ///< what says so, e.g. "channel mask in the file", "FLAC default order"
  bool assumed = false;       ///< a guess (a WAV without a channel mask), not stated by the file or a spec
  int channels = 0;

  /// "mono", "stereo", "quad", "5.1", "7.1", "5.1.2", …; "unknown (6 ch)".
  std::string name() const;
  /// One short name per channel, e.g. "FL FR FC LFE BL BR"; empty if unknown.
  std::string speaker_names() const;
};

/// The layout of an open file. `format` is SF_INFO::format.
/// Thread: any that owns `file`. Does not move the read position.
channel_layout read_channel_layout(SNDFILE* file, int format, int channels);

/// How one file's channels become the output's.
struct channel_plan {
  enum class kind { copy, mono_to_all, pad, mix };
  kind how = kind::copy;
  int in_channels = 0;
  int out_channels = 0;
  /// how == mix: out_channels × in_channels coefficients, one row per output.
  std::vector<float> mix;
  /// For the summary, e.g. "6 → 2 (5.1 downmix, ITU-R BS.775, LFE dropped, …)".
  std::string text;
};

/// Chooses the mapping of a file with `layout` to `out_channels`:
///   same count: copy (the device's speaker order is not known, so a
///   file plays in its own order); one channel: the same on every output;
///   fewer channels than outputs: copied, extra outputs silent; more: a
///   downmix. With a known layout that is the ITU-R BS.775 3/2 → 2/0 downmix
///   (L' = L + 0.7071 C + 0.7071 Ls, R' = R + 0.7071 C + 0.7071 Rs, LFE
///   dropped), to mono (L' + R') / 2, and to more than two outputs the stereo
///   downmix on the first two; with none, the mean of all channels.
/// Not normalised (as ffmpeg's float path and the standard's coefficients):
/// a loud mix can exceed full scale, and the text says by how much at most.
channel_plan plan_channels(const channel_layout& layout, int out_channels);

/// Maps `frames` interleaved frames by `plan` into `out` and applies `gain`
/// unless `apply_gain` is false (0 dB: copied samples stay bit-exact).
/// Thread: the producer. No allocation, no locks, no system calls.
void map_channels(const channel_plan& plan, const float* in, float* out, std::size_t frames, float gain,
                  bool apply_gain) noexcept;

}  // namespace pingpong::player
