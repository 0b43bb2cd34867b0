// pingpong::player channel layouts — see channel_layout.hpp.
#include "player/source/channel_layout.hpp"

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numbers>
#include <span>

namespace pingpong::player {
namespace {

/// 1/√2 (−3 dB): ITU-R BS.775's level for the centre and the surrounds in a
/// 3/2 → 2/0 downmix, and the constant-power pan law's centre.
constexpr double minus_3_db = 0.70710678118654752440;

// The orders the codec specifications define when the file says nothing.
// libsndfile names WAV mask bits LEFT/RIGHT/CENTER, so these do too: the same
// layout reads the same from a WAV mask and from a spec's default.
constexpr int L = SF_CHANNEL_MAP_LEFT, R = SF_CHANNEL_MAP_RIGHT, C = SF_CHANNEL_MAP_CENTER, LFE = SF_CHANNEL_MAP_LFE,
              BL = SF_CHANNEL_MAP_REAR_LEFT, BR = SF_CHANNEL_MAP_REAR_RIGHT, BC = SF_CHANNEL_MAP_REAR_CENTER,
              SL = SF_CHANNEL_MAP_SIDE_LEFT, SR = SF_CHANNEL_MAP_SIDE_RIGHT;

/// FLAC format specification, "channel assignment" (1–8 channels).
constexpr int flac_3[] = {L, R, C}, flac_4[] = {L, R, BL, BR}, flac_5[] = {L, R, C, BL, BR},
              flac_6[] = {L, R, C, LFE, BL, BR}, flac_7[] = {L, R, C, LFE, BC, SL, SR},
              flac_8[] = {L, R, C, LFE, BL, BR, SL, SR};
/// Vorbis I specification §4.3.9 (Opus mapping family 1 too): centre second.
constexpr int vorbis_3[] = {L, C, R}, vorbis_4[] = {L, R, BL, BR}, vorbis_5[] = {L, C, R, BL, BR},
              vorbis_6[] = {L, C, R, BL, BR, LFE}, vorbis_7[] = {L, C, R, SL, SR, BC, LFE},
              vorbis_8[] = {L, C, R, SL, SR, BL, BR, LFE};
/// The WAVE default (the mask bits' order), assumed for 5.1 and 7.1 only.
constexpr int wave_6[] = {L, R, C, LFE, BL, BR}, wave_8[] = {L, R, C, LFE, BL, BR, SL, SR};

/// The orders above by channel count; none below 3 (mono and stereo are the same everywhere).
using speaker_order = std::span<const int>;
constexpr speaker_order flac_orders[] = {{}, {}, {}, flac_3, flac_4, flac_5, flac_6, flac_7, flac_8};
constexpr speaker_order vorbis_orders[] = {{}, {}, {}, vorbis_3, vorbis_4, vorbis_5, vorbis_6, vorbis_7, vorbis_8};

speaker_order order_of(std::span<const speaker_order> orders, int channels) {
  if (channels < 0 || static_cast<std::size_t>(channels) >= orders.size()) return {};
  return orders[static_cast<std::size_t>(channels)];
}

/// A speaker with a place in the room (not "invalid", not an Ambisonic component).
bool has_position(int speaker) {
  return speaker >= SF_CHANNEL_MAP_MONO && speaker <= SF_CHANNEL_MAP_TOP_REAR_CENTER;
}

/// One name per place: libsndfile has two spellings of the front three.
int canonical(int speaker) {
  switch (speaker) {
    case SF_CHANNEL_MAP_LEFT:
      return SF_CHANNEL_MAP_FRONT_LEFT;
    case SF_CHANNEL_MAP_RIGHT:
      return SF_CHANNEL_MAP_FRONT_RIGHT;
    case SF_CHANNEL_MAP_MONO:
    case SF_CHANNEL_MAP_CENTER:
      return SF_CHANNEL_MAP_FRONT_CENTER;
    default:
      return speaker;
  }
}

bool is_height(int speaker) {
  return speaker >= SF_CHANNEL_MAP_TOP_CENTER && speaker <= SF_CHANNEL_MAP_TOP_REAR_CENTER;
}

const char* short_name(int speaker) {
  switch (canonical(speaker)) {
    case SF_CHANNEL_MAP_FRONT_LEFT:
      return "FL";
    case SF_CHANNEL_MAP_FRONT_RIGHT:
      return "FR";
    case SF_CHANNEL_MAP_FRONT_CENTER:
      return speaker == SF_CHANNEL_MAP_MONO ? "M" : "FC";
    case SF_CHANNEL_MAP_LFE:
      return "LFE";
    case SF_CHANNEL_MAP_REAR_LEFT:
      return "BL";
    case SF_CHANNEL_MAP_REAR_RIGHT:
      return "BR";
    case SF_CHANNEL_MAP_REAR_CENTER:
      return "BC";
    case SF_CHANNEL_MAP_FRONT_LEFT_OF_CENTER:
      return "FLC";
    case SF_CHANNEL_MAP_FRONT_RIGHT_OF_CENTER:
      return "FRC";
    case SF_CHANNEL_MAP_SIDE_LEFT:
      return "SL";
    case SF_CHANNEL_MAP_SIDE_RIGHT:
      return "SR";
    case SF_CHANNEL_MAP_TOP_CENTER:
      return "TC";
    case SF_CHANNEL_MAP_TOP_FRONT_LEFT:
      return "TFL";
    case SF_CHANNEL_MAP_TOP_FRONT_RIGHT:
      return "TFR";
    case SF_CHANNEL_MAP_TOP_FRONT_CENTER:
      return "TFC";
    case SF_CHANNEL_MAP_TOP_REAR_LEFT:
      return "TBL";
    case SF_CHANNEL_MAP_TOP_REAR_RIGHT:
      return "TBR";
    case SF_CHANNEL_MAP_TOP_REAR_CENTER:
      return "TBC";
    default:
      return "?";
  }
}

struct stereo_gains {
  double left = 0.0, right = 0.0;
};

/// Constant-power pan from 0 (left) to 1 (right): 0.5 gives the centre's 1/√2.
stereo_gains pan(double position) {
  return {std::cos(position * std::numbers::pi / 2), std::sin(position * std::numbers::pi / 2)};
}

/// What one speaker contributes to the left and right of a stereo downmix.
/// ITU-R BS.775 (3/2 → 2/0): fronts 1, centre and surrounds 1/√2, LFE 0.
/// Rear and side speakers are both surrounds (7.1's four fold into the two
/// surround terms); the rear centre is a surround split over both sides;
/// left/right of centre are panned between the front speakers by the
/// centre's law. Heights are not in BS.775: each takes the gains of the
/// speaker below it at −3 dB, as the surrounds do.
stereo_gains stereo_gains_of(int speaker) {
  const double k = minus_3_db;
  switch (canonical(speaker)) {
    case SF_CHANNEL_MAP_FRONT_LEFT:
      return {1.0, 0.0};
    case SF_CHANNEL_MAP_FRONT_RIGHT:
      return {0.0, 1.0};
    case SF_CHANNEL_MAP_FRONT_CENTER:
      return {k, k};
    case SF_CHANNEL_MAP_FRONT_LEFT_OF_CENTER:
      return pan(0.25);
    case SF_CHANNEL_MAP_FRONT_RIGHT_OF_CENTER:
      return pan(0.75);
    case SF_CHANNEL_MAP_REAR_LEFT:
    case SF_CHANNEL_MAP_SIDE_LEFT:
      return {k, 0.0};
    case SF_CHANNEL_MAP_REAR_RIGHT:
    case SF_CHANNEL_MAP_SIDE_RIGHT:
      return {0.0, k};
    case SF_CHANNEL_MAP_REAR_CENTER:  // a surround split over both sides
    case SF_CHANNEL_MAP_TOP_CENTER:   // a centre at -3 dB, as heights are
    case SF_CHANNEL_MAP_TOP_FRONT_CENTER:
      return {k * k, k * k};
    case SF_CHANNEL_MAP_TOP_FRONT_LEFT:
      return {k, 0.0};
    case SF_CHANNEL_MAP_TOP_FRONT_RIGHT:
      return {0.0, k};
    case SF_CHANNEL_MAP_TOP_REAR_LEFT:
      return {k * k, 0.0};
    case SF_CHANNEL_MAP_TOP_REAR_RIGHT:
      return {0.0, k * k};
    case SF_CHANNEL_MAP_TOP_REAR_CENTER:
      return {k * k * k, k * k * k};
    default:
      return {};  // LFE: dropped, as BS.775 and ffmpeg/SoX downmixes do
  }
}

bool is_wav_family(int container) {
  return container == SF_FORMAT_WAV || container == SF_FORMAT_WAVEX || container == SF_FORMAT_RF64 ||
         container == SF_FORMAT_W64;
}

std::string range_text(int first, int last) {
  return first == last ? "output " + std::to_string(first)
                       : "outputs " + std::to_string(first) + "\u2013" + std::to_string(last);
}

}  // namespace

std::string channel_layout::name() const {
  if (speakers.empty()) return "unknown (" + std::to_string(channels) + " ch)";
  if (speakers.size() == 1) return "mono";
  int ear = 0, lfe = 0, height = 0;
  for (const int s : speakers) {
    if (s == SF_CHANNEL_MAP_LFE)
      ++lfe;
    else if (is_height(s))
      ++height;
    else
      ++ear;
  }
  const auto has = [this](int speaker) {
    return std::any_of(speakers.begin(), speakers.end(), [&](int s) { return canonical(s) == speaker; });
  };
  const bool front_pair = has(SF_CHANNEL_MAP_FRONT_LEFT) && has(SF_CHANNEL_MAP_FRONT_RIGHT);
  if (speakers.size() == 2 && front_pair) return "stereo";
  if (speakers.size() == 4 && front_pair &&
      ((has(SF_CHANNEL_MAP_REAR_LEFT) && has(SF_CHANNEL_MAP_REAR_RIGHT)) ||
       (has(SF_CHANNEL_MAP_SIDE_LEFT) && has(SF_CHANNEL_MAP_SIDE_RIGHT))))
    return "quad";
  std::string text = std::to_string(ear);
  text += '.';
  text += std::to_string(lfe);
  if (height > 0) {
    text += '.';
    text += std::to_string(height);
  }
  return text;
}

std::string channel_layout::speaker_names() const {
  std::string text;
  for (const int s : speakers) {
    if (!text.empty()) text += ' ';
    text += short_name(s);
  }
  return text;
}

channel_layout read_channel_layout(SNDFILE* file, int format, int channels) {
  channel_layout layout;
  layout.channels = channels;
  if (channels <= 0) return layout;
  const int container = format & SF_FORMAT_TYPEMASK;
  const int codec = format & SF_FORMAT_SUBMASK;
  const auto use = [&](speaker_order order, const char* origin, bool assumed = false) {
    layout.speakers.assign(order.begin(), order.end());
    layout.origin = origin;
    layout.assumed = assumed;
    return layout;
  };

  std::vector<int> map(static_cast<std::size_t>(channels), SF_CHANNEL_MAP_INVALID);
  if (sf_command(file, SFC_GET_CHANNEL_MAP_INFO, map.data(), static_cast<int>(sizeof(int) * map.size())) == SF_TRUE) {
    // A mask with fewer bits than channels leaves the rest "invalid"; an
    // Ambisonic B-format file has components, not speakers: neither says
    // where a channel plays, so the whole layout counts as unknown.
    if (!std::all_of(map.begin(), map.end(), has_position)) {
      layout.origin = "the file's channel map gives some channels no speaker";
      return layout;
    }
    return use(map, is_wav_family(container) ? "channel mask in the file" : "channel layout in the file");
  }
  // libsndfile 1.2 reports no channel map for FLAC or Ogg: their specs define
  // the order for 1–8 channels (a FLAC file's WAVEFORMATEXTENSIBLE_CHANNEL_MASK
  // tag, which would override it, is not visible through libsndfile).
  const speaker_order flac = order_of(flac_orders, channels), vorbis = order_of(vorbis_orders, channels);
  if (container == SF_FORMAT_FLAC && !flac.empty()) return use(flac, "FLAC default order");
  if (container == SF_FORMAT_OGG && codec == SF_FORMAT_VORBIS && !vorbis.empty())
    return use(vorbis, "Vorbis default order");
  // Opus with more than two channels is mapping family 1 (Vorbis order) in
  // practice; family 255 (no order) cannot be told apart through libsndfile.
  if (container == SF_FORMAT_OGG && codec == SF_FORMAT_OPUS && !vorbis.empty())
    return use(vorbis, "Opus: Vorbis order (mapping family 1)");
  static constexpr int mono[] = {SF_CHANNEL_MAP_MONO}, stereo[] = {L, R};
  if (channels == 1) return use(mono, "one channel");
  if (channels == 2) return use(stereo, "two channels: left, right");
  if (is_wav_family(container) && channels == 6) return use(wave_6, "WAV default order, no channel mask", true);
  if (is_wav_family(container) && channels == 8) return use(wave_8, "WAV default order, no channel mask", true);
  layout.origin = "none in the file";
  return layout;
}

channel_plan plan_channels(const channel_layout& layout, int out_channels) {
  channel_plan plan;
  const int in = layout.channels;
  const int out = out_channels;
  plan.in_channels = in;
  plan.out_channels = out;
  plan.text = std::to_string(in) + " \u2192 " + std::to_string(out);
  if (in == out) {
    plan.how = channel_plan::kind::copy;
    return plan;
  }
  if (in == 1) {
    plan.how = channel_plan::kind::mono_to_all;
    plan.text += " (mono to all)";
    return plan;
  }
  if (in < out) {
    plan.how = channel_plan::kind::pad;
    plan.text += " (extra outputs silent)";
    return plan;
  }

  plan.how = channel_plan::kind::mix;
  const auto uin = static_cast<std::size_t>(in);
  plan.mix.assign(static_cast<std::size_t>(out) * uin, 0.0f);
  if (layout.speakers.empty()) {
    // Nothing says which channel is where: no side is favoured.
    std::fill(plan.mix.begin(), plan.mix.end(), 1.0f / static_cast<float>(in));
    plan.text += " (fold-down: mean of all channels, no layout known)";
    return plan;
  }

  bool has_lfe = false;
  for (std::size_t c = 0; c < uin; ++c) {
    const stereo_gains g = stereo_gains_of(layout.speakers[c]);
    has_lfe = has_lfe || layout.speakers[c] == SF_CHANNEL_MAP_LFE;
    if (out == 1) {
      // Half of each side: a centred stereo signal keeps its level in mono
      // (BS.775's 1/√2 for a 2/0 → 1/0 downmix would raise it by 3 dB).
      plan.mix[c] = static_cast<float>((g.left + g.right) / 2);
    } else {
      plan.mix[c] = static_cast<float>(g.left);
      plan.mix[uin + c] = static_cast<float>(g.right);
    }
  }
  double peak = 0.0;  // the largest gain a full-scale signal in every channel can get
  for (std::size_t o = 0; o < static_cast<std::size_t>(out); ++o) {
    double sum = 0.0;
    for (std::size_t c = 0; c < uin; ++c) sum += std::fabs(plan.mix[o * uin + c]);
    peak = std::max(peak, sum);
  }

  const std::string name = layout.name();
  const bool only_left_right = name == "stereo";
  std::string how = name + " downmix";
  if (out == 1) {
    how += " to mono: (L + R) / 2";
    if (!only_left_right) how += " of the ITU-R BS.775 stereo downmix";
  } else {
    if (out > 2) how += " to stereo on outputs 1\u20132";
    if (!only_left_right) how += ", ITU-R BS.775";
  }
  if (has_lfe) how += ", LFE dropped";
  if (out > 2) how += ", " + range_text(3, out) + " silent";
  if (peak > 1.0 + 1e-6) {
    char gain[48];
    std::snprintf(gain, sizeof gain, ", not normalised: peak gain %+.1f dB", 20.0 * std::log10(peak));
    how += gain;
  }
  if (layout.assumed) how += "; layout assumed: " + layout.origin;
  plan.text += " (" + how + ")";
  return plan;
}

void map_channels(const channel_plan& plan, const float* in, float* out, std::size_t frames, float gain,
                  bool apply_gain) noexcept {
  const auto uic = static_cast<std::size_t>(plan.in_channels);
  const auto uoc = static_cast<std::size_t>(plan.out_channels);
  switch (plan.how) {
    case channel_plan::kind::copy:
      if (!apply_gain) {
        std::memcpy(out, in, frames * uic * sizeof(float));
      } else {
        for (std::size_t i = 0, n = frames * uic; i < n; ++i) out[i] = in[i] * gain;
      }
      return;
    case channel_plan::kind::mono_to_all:
      for (std::size_t f = 0; f < frames; ++f) {
        const float v = apply_gain ? in[f] * gain : in[f];
        for (std::size_t o = 0; o < uoc; ++o) out[f * uoc + o] = v;
      }
      return;
    case channel_plan::kind::pad:
      for (std::size_t f = 0; f < frames; ++f) {
        for (std::size_t o = 0; o < uoc; ++o) {
          float v = o < uic ? in[f * uic + o] : 0.0f;
          if (apply_gain) v *= gain;
          out[f * uoc + o] = v;
        }
      }
      return;
    case channel_plan::kind::mix: {
      const float* const rows = plan.mix.data();
      for (std::size_t f = 0; f < frames; ++f) {
        const float* frame = in + f * uic;
        for (std::size_t o = 0; o < uoc; ++o) {
          const float* row = rows + o * uic;
          float v = 0.0f;
          for (std::size_t c = 0; c < uic; ++c) v += row[c] * frame[c];
          if (apply_gain) v *= gain;
          out[f * uoc + o] = v;
        }
      }
      return;
    }
  }
}

}  // namespace pingpong::player
