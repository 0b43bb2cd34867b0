// pp_compare_audio: is RECORDING a sample-exact copy of REFERENCE?
//
//   pp_compare_audio REFERENCE RECORDING [options]
//
// Both files are decoded by libsndfile to float. The recording may start with
// any amount of silence (the device ran before the audio started): the
// reference's first non-silent frame is looked up in the recording and that
// sets the offset. Every reference frame is then compared with the aligned
// recording frame, exactly by default. A mismatch is explained where it can
// be: silence inserted into the stream (an underrun), frames replaced by
// silence (a dropout), frames dropped or inserted/duplicated (the rest of the
// stream shifts; found by re-aligning a window of the reference nearby, which
// is unambiguous for a signal that differs from frame to frame such as
// pp_make_media's counter.wav), the recording ending early, and audio in the
// recording after the reference's end.
//
// Exit status: 0 identical, 1 different, 2 bad usage or unreadable file.
// The last line of the output is the one-line verdict.
#include <sndfile.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using i64 = std::int64_t;

struct options {
  std::string reference, recording;
  double tolerance = 0;
  bool channels_from_reference = false;
  bool mono_to_all = false;
  bool has_offset = false;
  i64 offset = 0;
  bool ignore_trailing = false;
  bool prefix = false;
  i64 max_shift = 48000;
  bool quiet = false;
};

void usage(std::FILE* to) {
  std::fputs(
      "usage: pp_compare_audio REFERENCE RECORDING [options]\n"
      "Compares RECORDING with REFERENCE frame by frame after skipping the recording's leading silence.\n"
      "  --tolerance T               max |expected - got| per sample, default 0 (bit-exact)\n"
      "  --channels-from-reference   compare only the reference's channels (the recording may have more)\n"
      "  --mono-to-all               compare a mono reference against every channel of the recording\n"
      "  --offset N                  recording frame that holds reference frame 0 (default: found)\n"
      "  --ignore-trailing           audio in the recording after the reference's end is no difference\n"
      "  --prefix                    a recording that stops early (silent or ended from some frame on) is\n"
      "                              no difference: verdict PREFIX with the number of exact frames\n"
      "  --max-shift N               how far to look for dropped/inserted frames, default 48000\n"
      "  --quiet                     print only the verdict line\n"
      "exit: 0 identical, 1 different, 2 bad usage or unreadable file\n",
      to);
}

struct audio {
  std::vector<float> samples;  // interleaved
  int channels = 0;
  int rate = 0;
  i64 frames = 0;
  std::string format;
};

bool load(const std::string& path, audio& a) {
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (!f) {
    std::fprintf(stderr, "pp_compare_audio: cannot read %s: %s\n", path.c_str(), sf_strerror(nullptr));
    return false;
  }
  if (info.channels < 1) {
    std::fprintf(stderr, "pp_compare_audio: %s has no channels\n", path.c_str());
    sf_close(f);
    return false;
  }
  a.channels = info.channels;
  a.rate = info.samplerate;
  SF_FORMAT_INFO fi{};
  fi.format = info.format & SF_FORMAT_TYPEMASK;
  a.format = sf_command(f, SFC_GET_FORMAT_INFO, &fi, sizeof fi) == 0 && fi.name ? fi.name : "?";
  constexpr sf_count_t chunk = 65536;
  std::vector<float> buf(static_cast<std::size_t>(chunk) * info.channels);
  for (;;) {
    const sf_count_t n = sf_readf_float(f, buf.data(), chunk);
    if (n <= 0) break;
    a.samples.insert(a.samples.end(), buf.begin(), buf.begin() + n * info.channels);
  }
  const int err = sf_error(f);
  if (err != SF_ERR_NO_ERROR) {
    std::fprintf(stderr, "pp_compare_audio: error decoding %s: %s\n", path.c_str(), sf_error_number(err));
    sf_close(f);
    return false;
  }
  sf_close(f);
  a.frames = static_cast<i64>(a.samples.size() / static_cast<std::size_t>(a.channels));
  return true;
}

bool parse_number(const char* s, double& out) {
  char* end = nullptr;
  errno = 0;
  out = std::strtod(s, &end);
  return errno == 0 && end != s && *end == '\0' && std::isfinite(out);
}

int parse_args(int argc, char** argv, options& o) {
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    double v = 0;
    auto number = [&](double min) {
      if (i + 1 >= argc || !parse_number(argv[i + 1], v) || v < min) {
        std::fprintf(stderr, "pp_compare_audio: %s needs a number >= %g\n", argv[i], min);
        return false;
      }
      ++i;
      return true;
    };
    if (a == "-h" || a == "--help") return -1;
    if (a == "--channels-from-reference") {
      o.channels_from_reference = true;
    } else if (a == "--mono-to-all") {
      o.mono_to_all = true;
    } else if (a == "--ignore-trailing") {
      o.ignore_trailing = true;
    } else if (a == "--prefix") {
      o.prefix = true;
    } else if (a == "--quiet" || a == "-q") {
      o.quiet = true;
    } else if (a == "--tolerance") {
      if (!number(0)) return 2;
      o.tolerance = v;
    } else if (a == "--offset") {
      if (!number(-1e15)) return 2;
      o.has_offset = true;
      o.offset = static_cast<i64>(v);
    } else if (a == "--max-shift") {
      if (!number(0)) return 2;
      o.max_shift = static_cast<i64>(v);
    } else if (a.size() > 1 && a[0] == '-') {
      std::fprintf(stderr, "pp_compare_audio: unknown option %s\n", argv[i]);
      return 2;
    } else {
      files.emplace_back(a);
    }
  }
  if (files.size() != 2) {
    std::fprintf(stderr, "pp_compare_audio: want REFERENCE and RECORDING, got %zu file(s)\n", files.size());
    return 2;
  }
  if (o.channels_from_reference && o.mono_to_all) {
    std::fprintf(stderr, "pp_compare_audio: --channels-from-reference and --mono-to-all exclude each other\n");
    return 2;
  }
  o.reference = files[0];
  o.recording = files[1];
  return 0;
}

struct event {
  std::string text;
};

class comparer {
 public:
  comparer(const audio& ref, const audio& rec, const options& opt, int channels)
      : ref_(ref), rec_(rec), opt_(opt), channels_(channels) {}

  float expected(i64 i, int c) const {
    const int rc = opt_.mono_to_all ? 0 : c;
    return ref_.samples[static_cast<std::size_t>(i * ref_.channels + rc)];
  }
  // Outside the recording: silence.
  float got(i64 j, int c) const {
    if (j < 0 || j >= rec_.frames) return 0.0f;
    return rec_.samples[static_cast<std::size_t>(j * rec_.channels + c)];
  }
  bool same(float e, float g) const { return std::fabs(double(e) - double(g)) <= opt_.tolerance; }
  bool frame_match(i64 i, i64 j) const {
    for (int c = 0; c < channels_; ++c)
      if (!same(expected(i, c), got(j, c))) return false;
    return true;
  }
  bool ref_silent(i64 i) const {
    for (int c = 0; c < channels_; ++c)
      if (!(std::fabs(expected(i, c)) <= opt_.tolerance)) return false;
    return true;
  }
  bool rec_silent(i64 j) const {
    for (int c = 0; c < channels_; ++c)
      if (!(std::fabs(got(j, c)) <= opt_.tolerance)) return false;
    return true;
  }
  // Does the recording from frame j on continue the reference from frame i
  // on? Checks at least 32 frames and enough to include 8 non-silent
  // reference frames, so that silence does not match silence anywhere.
  bool window_match(i64 i, i64 j) const {
    if (i < 0 || i >= ref_.frames || j < 0 || j >= rec_.frames) return false;
    int sounding = 0;
    for (i64 k = 0; i + k < ref_.frames; ++k) {
      if (!frame_match(i + k, j + k)) return false;
      if (!ref_silent(i + k)) ++sounding;
      if (k + 1 >= 32 && sounding >= 8) return true;
      if (k + 1 >= 65536) return false;
    }
    return sounding > 0 || ref_.frames - i < 32;
  }

  i64 first_sound_ref() const {
    for (i64 i = 0; i < ref_.frames; ++i)
      if (!ref_silent(i)) return i;
    return ref_.frames;
  }
  i64 first_sound_rec() const {
    for (i64 j = 0; j < rec_.frames; ++j)
      if (!rec_silent(j)) return j;
    return rec_.frames;
  }
  // Per channel: the first frame whose sample in channel c is not silent.
  i64 first_sound_ref(int c) const {
    for (i64 i = 0; i < ref_.frames; ++i)
      if (!(std::fabs(expected(i, c)) <= opt_.tolerance)) return i;
    return -1;
  }
  i64 first_sound_rec(int c) const {
    for (i64 j = 0; j < rec_.frames; ++j)
      if (!(std::fabs(got(j, c)) <= opt_.tolerance)) return j;
    return -1;
  }

  const audio& ref_;
  const audio& rec_;
  const options& opt_;
  int channels_;
};

__attribute__((format(printf, 1, 2))) std::string fmt(const char* f, ...) {
  va_list args, copy;
  va_start(args, f);
  va_copy(copy, args);
  const int n = std::vsnprintf(nullptr, 0, f, copy);
  va_end(copy);
  std::string out(n > 0 ? static_cast<std::size_t>(n) : 0, '\0');
  if (n > 0) std::vsnprintf(out.data(), out.size() + 1, f, args);
  va_end(args);
  return out;
}

std::string plural(i64 n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

int main(int argc, char** argv) {
  options opt;
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (const int rc = parse_args(argc, argv, opt); rc != 0) {
    if (rc < 0)
      usage(stdout);
    else
      std::fputs("pp_compare_audio: see pp_compare_audio --help\n", stderr);
    return rc < 0 ? 0 : 2;
  }
  audio ref, rec;
  if (!load(opt.reference, ref) || !load(opt.recording, rec)) return 2;
  auto info = [&](const char* what, const std::string& path, const audio& a) {
    if (!opt.quiet)
      std::printf("%s: %s: %s, %d ch, %d Hz, %lld frames\n", what, path.c_str(), a.format.c_str(), a.channels, a.rate,
                  static_cast<long long>(a.frames));
  };
  info("reference", opt.reference, ref);
  info("recording", opt.recording, rec);
  auto verdict_different = [&](const std::string& why) {
    std::printf("pp_compare_audio: DIFFERENT: %s\n", why.c_str());
    return 1;
  };

  if (ref.rate != rec.rate)
    return verdict_different(fmt("sample rates differ (reference %d Hz, recording %d Hz)", ref.rate, rec.rate));
  int channels = ref.channels;
  if (opt.mono_to_all) {
    if (ref.channels != 1) {
      std::fprintf(stderr, "pp_compare_audio: --mono-to-all needs a mono reference (it has %d channels)\n",
                   ref.channels);
      return 2;
    }
    channels = rec.channels;
  } else if (opt.channels_from_reference ? rec.channels < ref.channels : rec.channels != ref.channels) {
    return verdict_different(fmt("channel counts differ (reference %d, recording %d)%s", ref.channels, rec.channels,
                                 rec.channels > ref.channels ? "; see --channels-from-reference, --mono-to-all" : ""));
  }

  const comparer cmp(ref, rec, opt, channels);
  const i64 nref = ref.frames, nrec = rec.frames;

  // ---- alignment -------------------------------------------------------------
  const i64 r0 = cmp.first_sound_ref();
  const i64 s0 = cmp.first_sound_rec();
  i64 offset = 0;
  i64 lost_at_start = 0;
  if (opt.has_offset) {
    offset = opt.offset;
  } else if (r0 < nref && s0 < nrec) {
    offset = s0 - r0;
    // If the recording's first sound is not the reference's, the first
    // frames of audio may be missing: find where the recording picks up.
    if (!cmp.window_match(r0, s0)) {
      for (i64 k = 1; k <= opt.max_shift && r0 + k < nref; ++k)
        if (cmp.window_match(r0 + k, s0)) {
          lost_at_start = k;
          offset = s0 - (r0 + k);
          break;
        }
    }
  }
  if (!opt.quiet) {
    std::printf("first sound: reference frame %lld, recording frame %lld\n", static_cast<long long>(r0),
                static_cast<long long>(s0));
    std::printf("offset: reference frame 0 = recording frame %lld%s\n", static_cast<long long>(offset),
                opt.has_offset ? " (given)" : "");
  }

  // ---- the walk ----------------------------------------------------------------
  std::vector<event> events;
  constexpr std::size_t max_events = 20;
  int resync_budget = 200;
  // recording = reference - missing + extra, plus unexplained differing frames
  i64 missing = 0;    // reference frames not in the recording
  i64 extra = 0;      // recording frames not in the reference
  i64 differing = 0;  // reference frames with different samples, not explained by a shift
  bool have_first = false;
  i64 first_i = 0, first_j = 0;
  int first_c = 0;
  float first_e = 0, first_g = 0;
  auto note_first = [&](i64 i, i64 j) {
    if (have_first) return;
    for (int c = 0; c < channels; ++c)
      if (!cmp.same(cmp.expected(i, c), cmp.got(j, c))) {
        have_first = true;
        first_i = i;
        first_j = j;
        first_c = c;
        first_e = cmp.expected(i, c);
        first_g = cmp.got(j, c);
        return;
      }
  };
  auto add_event = [&](std::string text) {
    if (events.size() < max_events) events.push_back({std::move(text)});
  };
  i64 corrupt_start = -1, corrupt_len = 0, corrupt_rec = 0;
  auto flush_corrupt = [&] {
    if (corrupt_len > 0)
      add_event(fmt("%s %s from reference frame %lld on (recording frame %lld), not explained by a shift",
                    plural(corrupt_len, "frame").c_str(), corrupt_len == 1 ? "differs" : "differ",
                    static_cast<long long>(corrupt_start), static_cast<long long>(corrupt_rec)));
    corrupt_len = 0;
  };

  i64 i = 0;
  i64 off = offset;
  if (lost_at_start > 0) {
    note_first(r0, r0 + offset);
    add_event(fmt("the recording lacks the first %s of sound (reference frames %lld..%lld)",
                  plural(lost_at_start, "frame").c_str(), static_cast<long long>(r0),
                  static_cast<long long>(r0 + lost_at_start - 1)));
    missing += lost_at_start;
    i = r0 + lost_at_start;  // before r0 both are silent
  }
  i64 prefix_end = -1;  // --prefix: the recording stopped at this reference frame
  while (i < nref) {
    const i64 j = i + off;
    if (j >= nrec) {
      // The recording ended: what is left of the reference had better be silence.
      i64 sounding = 0, first_missing = -1;
      for (i64 k = i; k < nref; ++k)
        if (!cmp.ref_silent(k)) {
          ++sounding;
          if (first_missing < 0) first_missing = k;
        }
      if (sounding > 0 && opt.prefix) {
        prefix_end = i;
      } else if (sounding > 0) {
        flush_corrupt();
        note_first(first_missing, first_missing + off);
        add_event(
            fmt("the recording ends %s before the reference does (at reference frame %lld, %lld of them not silent)",
                plural(nref - i, "frame").c_str(), static_cast<long long>(i), static_cast<long long>(sounding)));
        missing += nref - i;
      }
      break;
    }
    if (cmp.frame_match(i, j)) {
      flush_corrupt();
      ++i;
      continue;
    }
    if (opt.prefix && cmp.rec_silent(j)) {
      i64 k = j;
      while (k < nrec && cmp.rec_silent(k)) ++k;
      if (k == nrec) {  // silent from here to its end: the recording stopped
        prefix_end = i;
        break;
      }
    }
    note_first(i, j);
    if (resync_budget > 0 && events.size() < max_events) {
      --resync_budget;
      if (cmp.rec_silent(j)) {
        // Silence where the reference sounds: how long, and where does the
        // reference pick up after it?
        i64 len = 0;
        while (j + len < nrec && cmp.rec_silent(j + len)) ++len;
        if (j + len == nrec) {
          // Silent to its end: the recording stopped early.
          flush_corrupt();
          add_event(
              fmt("the recording is silent from reference frame %lld (recording frame %lld) to its end: the "
                  "last %s of the reference are missing",
                  static_cast<long long>(i), static_cast<long long>(j), plural(nref - i, "frame").c_str()));
          missing += nref - i;
          i = nref;
          break;
        }
        {
          i64 skip = -1;
          if (cmp.window_match(i, j + len))
            skip = 0;
          else if (cmp.window_match(i + len, j + len))
            skip = len;
          else
            for (i64 k = 1; k <= len + opt.max_shift && i + k < nref; ++k)
              if (k != len && cmp.window_match(i + k, j + len)) {
                skip = k;
                break;
              }
          if (skip >= 0) {
            flush_corrupt();
            if (skip == 0)
              add_event(
                  fmt("%s of silence inserted at reference frame %lld (recording frame %lld); the rest comes "
                      "%s late",
                      plural(len, "frame").c_str(), static_cast<long long>(i), static_cast<long long>(j),
                      plural(len, "frame").c_str()));
            else if (skip == len)
              add_event(fmt("dropout: %s replaced by silence at reference frame %lld (recording frame %lld)",
                            plural(len, "frame").c_str(), static_cast<long long>(i), static_cast<long long>(j)));
            else
              add_event(
                  fmt("%s of silence at reference frame %lld (recording frame %lld), then the reference "
                      "resumes %lld frames later (%lld frames lost, the rest %+lld frames shifted)",
                      plural(len, "frame").c_str(), static_cast<long long>(i), static_cast<long long>(j),
                      static_cast<long long>(skip), static_cast<long long>(skip), static_cast<long long>(len - skip)));
            extra += len;
            missing += skip;
            off = (j + len) - (i + skip);
            i += skip;
            continue;
          }
        }
      }
      // A shift: frames inserted (the recording continues the reference
      // from later on) or dropped (the reference continues further on).
      bool resolved = false;
      for (i64 s = 1; s <= opt.max_shift && !resolved; ++s) {
        if (cmp.window_match(i, j + s)) {
          bool dup = j - s >= 0;
          for (i64 k = 0; dup && k < s; ++k)
            for (int c = 0; c < channels; ++c)
              if (cmp.got(j + k, c) != cmp.got(j - s + k, c)) dup = false;
          bool silent = true;
          for (i64 k = 0; silent && k < s; ++k) silent = cmp.rec_silent(j + k);
          flush_corrupt();
          add_event(fmt("%s %s at reference frame %lld (recording frame %lld); the rest comes %s late",
                        plural(s, "frame").c_str(),
                        silent ? "of silence inserted"
                        : dup  ? "duplicated"
                               : "inserted",
                        static_cast<long long>(i), static_cast<long long>(j), plural(s, "frame").c_str()));
          extra += s;
          off += s;
          resolved = true;
        } else if (i + s < nref && cmp.window_match(i + s, j)) {
          flush_corrupt();
          add_event(fmt("%s dropped at reference frame %lld (recording frame %lld); the rest comes %s early",
                        plural(s, "frame").c_str(), static_cast<long long>(i), static_cast<long long>(j),
                        plural(s, "frame").c_str()));
          missing += s;
          off -= s;
          i += s;
          resolved = true;
        }
      }
      if (resolved) continue;
    }
    // Unexplained: count it as a wrong frame.
    if (corrupt_len == 0) {
      corrupt_start = i;
      corrupt_rec = j;
    }
    ++corrupt_len;
    ++differing;
    ++i;
  }
  flush_corrupt();

  // Channels that start at different offsets: typically a recorder that
  // connected one port a cycle after the other while the audio had begun.
  if ((have_first || !events.empty()) && channels > 1) {
    std::string offsets;
    bool differ = false;
    i64 first_offset = 0;
    for (int c = 0; c < channels; ++c) {
      const i64 rc = cmp.first_sound_ref(c), gc = cmp.first_sound_rec(c);
      if (rc < 0 || gc < 0) continue;
      if (offsets.empty())
        first_offset = gc - rc;
      else
        differ |= gc - rc != first_offset;
      offsets += fmt("%sch %d %+lld", offsets.empty() ? "" : ", ", c, static_cast<long long>(gc - rc));
    }
    if (differ)
      events.insert(events.begin(), {"the channels' first sounds are at different offsets (" + offsets +
                                     " frames): the channels are not aligned with each other"});
  }

  // Sound outside the aligned reference.
  i64 leading = 0, trailing = 0, trailing_first = -1;
  for (i64 j = 0; j < std::min(offset, nrec); ++j)
    if (!cmp.rec_silent(j)) ++leading;
  for (i64 j = std::max<i64>(nref + off, 0); j < nrec; ++j)
    if (!cmp.rec_silent(j)) {
      ++trailing;
      if (trailing_first < 0) trailing_first = j;
    }
  if (leading > 0) add_event(fmt("%s of sound in the recording before the offset", plural(leading, "frame").c_str()));
  if (trailing > 0 && !opt.ignore_trailing)
    add_event(fmt("%s of sound in the recording after the reference's end (from recording frame %lld)",
                  plural(trailing, "frame").c_str(), static_cast<long long>(trailing_first)));

  if (!opt.quiet) {
    for (const auto& e : events) std::printf("event: %s\n", e.text.c_str());
    if (have_first)
      std::printf("first mismatch: reference frame %lld channel %d: expected %.9g, got %.9g (recording frame %lld)\n",
                  static_cast<long long>(first_i), first_c, double(first_e), double(first_g),
                  static_cast<long long>(first_j));
    std::printf("compared %lld frames x %d ch: %lld missing, %lld extra, %lld differing%s\n",
                static_cast<long long>(nref), channels, static_cast<long long>(missing), static_cast<long long>(extra),
                static_cast<long long>(differing),
                opt.ignore_trailing && trailing > 0
                    ? fmt(", %lld trailing frames ignored", static_cast<long long>(trailing)).c_str()
                    : "");
  }

  const std::string tol = opt.tolerance > 0 ? fmt("within %g", opt.tolerance) : std::string("bit-exact");
  if (events.empty() && !have_first && prefix_end >= 0) {
    std::printf("pp_compare_audio: PREFIX: the first %lld of %lld frames x %d ch %s at offset %lld, then silence\n",
                static_cast<long long>(prefix_end), static_cast<long long>(nref), channels, tol.c_str(),
                static_cast<long long>(offset));
    return 0;
  }
  if (events.empty() && !have_first) {
    std::printf("pp_compare_audio: IDENTICAL: %lld frames x %d ch %s at offset %lld\n", static_cast<long long>(nref),
                channels, tol.c_str(), static_cast<long long>(offset));
    return 0;
  }
  std::string why = events.empty() ? std::string("frames differ") : events.front().text;
  if (events.size() > 1) why += fmt(" (+%zu more event%s)", events.size() - 1, events.size() > 2 ? "s" : "");
  if (have_first)
    why += fmt("; first mismatch at reference frame %lld ch %d: expected %.9g, got %.9g",
               static_cast<long long>(first_i), first_c, double(first_e), double(first_g));
  return verdict_different(why);
}
