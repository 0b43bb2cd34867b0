// pingpong::player::source — see source.hpp.
//
// Pipeline, per file, on the producer thread:
//
//   sf_readf_float (chunk of `chunk_frames`, file rate, file channels)
//     → [libsoxr, only if file rate != output rate] (output rate, file channels)
//     → channel map by layout (channel_layout.hpp) + gain, straight into the caller's buffer.
//
// Truncated vs corrupt: libsndfile ends a file at the first decode error
// either way (FLAC says "lost sync" for both). Playback opens the file on a
// descriptor of our own (sf_open_fd), so after an error it can tell a file
// cut short (the decoder has read to the end of the file: end it quietly,
// as for a short WAV) from damage in the middle (data left: input_error).
//
// Every buffer is sized once, in the constructor, from the largest channel
// count and rate ratio of the list, and so is each file's channel plan (its
// downmix matrix): nothing grows with file length or per read. One file
// is open at a time; the constructor opens and checks each file, then closes
// it (a long playlist must not exhaust file descriptors) and playback reopens
// it. Mapping and resampling are both linear and per channel, so resampling
// before mapping gives the same result as after.
#include "player/source/source.hpp"

#include <fcntl.h>
#include <sndfile.h>
#include <soxr.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string_view>
#include <utility>

#include "player/source/channel_layout.hpp"
#include "player/source/open_checks.hpp"
#include "player/source/sndfile_input.hpp"

namespace pingpong::player {
namespace {

using namespace source_detail;

constexpr std::size_t chunk_frames = 4096;  // decode granularity (file-side frames)

/// "%g" of a user-given time, for messages.
std::string seconds_text(double s) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", s);
  return buf;
}

/// Frame index of time `s` at `rate` (no overflow for absurd times).
std::int64_t to_frames(double s, int rate) {
  return std::llround(std::min(s * rate, 9.0e18));
}

struct soxr_deleter {
  void operator()(soxr_t r) const noexcept { soxr_delete(r); }
};
using soxr_ptr = std::unique_ptr<std::remove_pointer_t<soxr_t>, soxr_deleter>;

}  // namespace

// ---- source -------------------------------------------------------------------

struct source::impl {
  struct file_entry {
    std::string path;
    const unsigned char* bytes = nullptr;  ///< in memory (memory_file): its bytes
    std::size_t size = 0;
    bool in_memory = false;
    bool stream = false;  ///< a pipe or stdin: opened once, read front to back (see stream_input)
    int rate = 0;
    int channels = 0;
    std::int64_t frames = -1;  ///< whole file, -1 unknown
    std::int64_t start = 0;    ///< first frame played
    std::int64_t end = -1;     ///< one past the last frame played; -1: to the end
    channel_layout layout{};   ///< which speaker each channel feeds, as far as known
    channel_plan plan{};       ///< its channels to the output's (matrices sized here, not per read)
  };

  std::vector<file_entry> files;
  int out_rate = 0;
  int out_channels = 0;
  int loops = 1;
  float gain = 1.0f;
  bool apply_gain = false;
  bool any_resampling = false;
  std::int64_t pass_frames = 0;
  std::int64_t produced = 0;

  // Fixed-size work buffers.
  std::vector<float> decoded;    ///< chunk_frames × max channels, file rate
  std::vector<float> resampled;  ///< resampled_cap × max channels, output rate
  std::size_t resampled_cap = 0;

  // Playback state.
  std::size_t index = 0;         ///< file being decoded (or about to be)
  int pass = 0;                  ///< passes completed
  std::int64_t pass_output = 0;  ///< frames staged in the current pass
  bool finished = false;
  std::exception_ptr pending_error;      ///< an error after a partial read, for the next read()
  std::string deferred_error;            ///< an error that ended the input, raised once its good frames are out
  sndfile_ptr file;                      ///< open file, null between files
  unique_fd fd;                          ///< its descriptor, if opened with sf_open_fd (see top)
  std::shared_ptr<stream_input> stream;  ///< its stream, if a pipe (kept while it plays)
  memory_cursor cursor;                  ///< its read position, if in memory
  off_t opened_size = -1;                ///< the open file's size when opened (fd only), to notice truncation
  std::int64_t file_frame = 0;           ///< next frame of the open file to decode
  std::int64_t remaining = -1;           ///< frames left to decode in the open file; -1: until EOF
  bool input_done = false;               ///< the open file has no more frames to decode
  soxr_ptr resampler;                    ///< for the open file, null if its rate is the output rate
  int resampler_rate = 0;                ///< the config `resampler` was created with (reused by soxr_clear)
  int resampler_channels = 0;
  std::size_t dec_pos = 0, dec_len = 0;  ///< unconsumed decoded frames (resampling only)
  const float* staged = nullptr;         ///< frames ready for mapping, output rate, file channels
  std::size_t staged_pos = 0, staged_len = 0;
  const channel_plan* staged_plan = nullptr;  ///< how `staged` maps to the output (its file's plan)

  explicit impl(const source_options& o);
  sndfile_ptr open_entry(const file_entry& e, SF_INFO& info, memory_cursor& c);
  void open_current();
  void close_current() noexcept;
  bool read_to_end_of_file() const noexcept;
  off_t current_size() const noexcept;
  bool audio_after(std::int64_t stop);
  std::size_t decode(float* into, std::size_t max_frames);
  bool produce(float* direct = nullptr, std::size_t direct_max = 0);
  std::size_t direct_frames = 0;  ///< what the last produce() decoded straight into `direct`
};

source::impl::impl(const source_options& o) {
  if (o.files.empty() && o.memory.empty()) fail("no input files");
  if (!std::isfinite(o.start_s) || o.start_s < 0.0)
    fail("--start " + seconds_text(o.start_s) + " must be 0 or more seconds");
  if (std::isnan(o.end_s) || (o.end_s >= 0.0 && o.end_s <= o.start_s))
    fail("--end " + seconds_text(o.end_s) + " must be after --start " + seconds_text(o.start_s));
  if (o.loops < 0) fail("--loops " + std::to_string(o.loops) + " must be 0 (forever) or more");
  if (!std::isfinite(o.gain_db)) fail("bad gain " + seconds_text(o.gain_db) + " dB");
  if (o.output_rate < 0) fail("bad output rate " + std::to_string(o.output_rate));
  if (o.output_channels < 0) fail("bad output channel count " + std::to_string(o.output_channels));

  int max_channels = 1;
  files.reserve(o.files.size() + o.memory.size());
  std::vector<file_entry> inputs;
  for (const std::string& path : o.files) inputs.push_back(file_entry{path});
  for (const memory_file& m : o.memory)
    inputs.push_back(file_entry{m.name, static_cast<const unsigned char*>(m.data), m.size, true});
  for (file_entry& e : inputs) {
    const std::string& path = e.path;
    SF_INFO info{};
    memory_cursor probe_cursor;
    sndfile_ptr f;
    SNDFILE* handle = nullptr;
    if (!e.in_memory && is_stream_path(path)) {
      // A pipe is read once: its header only, from the handle kept for playing.
      for (const file_entry& other : files)
        if (other.stream && other.path == path)
          fail("cannot play " + in_quotes(path) + " twice: a pipe can be read once");
      if (o.loops != 1) fail("--loop cannot repeat " + in_quotes(path) + ": a pipe can be read once");
      e.stream = true;
      const std::shared_ptr<stream_input> opened = open_stream(path);
      info = stream_info(*opened);
      handle = stream_handle(*opened);
    } else {
      f = open_entry(e, info, probe_cursor);
      require_audio(path, f.get(), info);
      handle = f.get();
    }
    e.rate = info.samplerate;
    e.channels = info.channels;
    e.layout = read_channel_layout(handle, info.format, info.channels);
    e.frames = known_frames(info);
    if (e.frames >= 0) {
      const double duration = static_cast<double>(e.frames) / e.rate;
      if (o.start_s >= duration && o.start_s > 0.0) {  // an empty file with no --start plays nothing
        char dur[64];
        std::snprintf(dur, sizeof dur, "%.1f", duration);
        // Rounded up, the duration could look later than --start: show more.
        if (std::strtod(dur, nullptr) > o.start_s) std::snprintf(dur, sizeof dur, "%.6g", duration);
        fail("--start " + seconds_text(o.start_s) + " is past the end of " + in_quotes(path) + " (" + dur + " s)");
      }
    }
    e.start = to_frames(o.start_s, e.rate);
    if (e.frames >= 0) e.start = std::min(e.start, e.frames);
    if (o.end_s >= 0.0) {
      e.end = to_frames(o.end_s, e.rate);
      if (e.frames >= 0) e.end = std::min(e.end, e.frames);
    } else {
      e.end = e.frames;  // -1 if unknown
    }
    max_channels = std::max(max_channels, e.channels);
    files.push_back(std::move(e));
  }

  out_rate = o.output_rate > 0 ? o.output_rate : files.front().rate;
  out_channels = o.output_channels > 0 ? o.output_channels : files.front().channels;
  for (file_entry& e : files) e.plan = plan_channels(e.layout, out_channels);
  loops = o.loops;
  apply_gain = o.gain_db != 0.0;
  gain = static_cast<float>(std::pow(10.0, o.gain_db / 20.0));

  double max_ratio = 1.0;
  pass_frames = 0;
  for (const file_entry& e : files) {
    if (e.rate != out_rate) {
      any_resampling = true;
      max_ratio = std::max(max_ratio, static_cast<double>(out_rate) / e.rate);
    }
    if (pass_frames >= 0) {
      if (e.end < 0) {
        pass_frames = -1;
      } else {
        const std::int64_t trimmed = std::max<std::int64_t>(0, e.end - e.start);
        pass_frames += e.rate == out_rate ? trimmed : std::llround(static_cast<double>(trimmed) * out_rate / e.rate);
      }
    }
  }

  const auto mc = static_cast<std::size_t>(max_channels);
  decoded.assign(chunk_frames * mc, 0.0f);
  if (any_resampling) {
    // Any size works (soxr stops when the output is full and we call again);
    // this one takes a whole chunk's output in one call most of the time.
    // Capped: a file header claiming a tiny rate must not cost gigabytes.
    resampled_cap = std::min<std::size_t>(
        static_cast<std::size_t>(std::ceil(static_cast<double>(chunk_frames) * std::min(max_ratio, 16.0))) + 256,
        16 * chunk_frames);
    resampled.assign(resampled_cap * mc, 0.0f);
  }
}

sndfile_ptr source::impl::open_entry(const file_entry& e, SF_INFO& info, memory_cursor& c) {
  if (e.in_memory) return open_memory(e.path, e.bytes, e.size, info, c);
  return open_sndfile(e.path, info);
}

void source::impl::open_current() {
  const file_entry& e = files[index];
  SF_INFO info{};
  if (e.in_memory) {
    fd.reset();
    file = open_entry(e, info, cursor);
  }
  if (e.stream) {  // the handle opened at start-up, its header read, no frame yet
    fd.reset();
    stream = open_stream(e.path);
    file = take_stream_file(*stream);
    info = stream_info(*stream);
  }
  // Our own descriptor first (see the top of the file). libsndfile guesses a
  // few formats from the file name, which it does not have then: if that
  // open fails, open by name as checked.
  if (!file) fd.reset(::open(e.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.fd >= 0) {
    // Read ahead: the file is read once, front to back; let the kernel
    // fetch it early and in large pieces (a slow disk stalls the producer,
    // not the callback, but every millisecond of slack counts).
    (void)::posix_fadvise(fd.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    (void)::posix_fadvise(fd.fd, 0, 0, POSIX_FADV_WILLNEED);
  }
  opened_size = current_size();  // -1 in memory or if the open failed
  if (!file && fd.fd >= 0) {
    file.reset(sf_open_fd(fd.fd, SFM_READ, &info, SF_FALSE));
    // Different now from when the constructor checked it (replaced, or cut
    // short while the files before it played): say so, do not play it short.
    if (file && (info.samplerate != e.rate || info.channels != e.channels || known_frames(info) != e.frames))
      fail(in_quotes(e.path) + " changed since it was checked (" + std::to_string(e.frames) + " frames at " +
           std::to_string(e.rate) + " Hz, " + std::to_string(e.channels) + " ch; now " +
           std::to_string(known_frames(info)) + " frames at " + std::to_string(info.samplerate) + " Hz, " +
           std::to_string(info.channels) + " ch)");
    if (!file) fd.reset();
  }
  if (!file) file = open_sndfile(e.path, info);
  if (info.samplerate != e.rate || info.channels != e.channels)
    fail(in_quotes(e.path) + " changed while playing (now " + std::to_string(info.samplerate) + " Hz, " +
         std::to_string(info.channels) + " channels)");
  remaining = e.end < 0 ? -1 : std::max<std::int64_t>(0, e.end - e.start);
  input_done = false;
  dec_pos = dec_len = 0;
  file_frame = 0;

  if (e.start > 0 && remaining != 0) {
    if (sf_seek(file.get(), e.start, SEEK_SET) != e.start) {
      // Not seekable (or the seek failed): decode and drop instead.
      std::int64_t skip = e.start;
      while (skip > 0) {
        const auto want = static_cast<sf_count_t>(std::min<std::int64_t>(skip, chunk_frames));
        const sf_count_t got = sf_readf_float(file.get(), decoded.data(), want);
        if (got <= 0) {
          remaining = 0;
          break;
        }
        skip -= got;
      }
    }
    file_frame = e.start;
  }

  if (e.rate != out_rate) {
    if (resampler && resampler_rate == e.rate && resampler_channels == e.channels) {
      soxr_clear(resampler.get());
    } else {
      resampler.reset();
      soxr_error_t err = nullptr;
      const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
      const soxr_quality_spec_t q = soxr_quality_spec(SOXR_HQ, 0);
      soxr_t r = soxr_create(e.rate, out_rate, static_cast<unsigned>(e.channels), &err, &io, &q, nullptr);
      if (r == nullptr || err != nullptr) {
        if (r != nullptr) soxr_delete(r);
        fail("cannot resample " + in_quotes(e.path) + " from " + std::to_string(e.rate) + " to " +
             std::to_string(out_rate) + " Hz: " + soxr_strerror(err));
      }
      resampler.reset(r);
      resampler_rate = e.rate;
      resampler_channels = e.channels;
    }
  }
}

void source::impl::close_current() noexcept {
  file.reset();
  stream.reset();
  fd.reset();
  input_done = true;
  dec_pos = dec_len = 0;
}

/// Decodes up to `max_frames` of the open file into `into` (`decoded`, or
/// the caller's buffer on the direct path). 0 at the end of the (trimmed)
/// file. A short read ends the file unless libsndfile reports an error.
std::size_t source::impl::decode(float* into, std::size_t max_frames) {
  if (input_done) return 0;
  auto want = static_cast<std::int64_t>(max_frames);
  if (remaining >= 0) want = std::min(want, remaining);
  if (want <= 0) {
    input_done = true;
    return 0;
  }
  sf_count_t got = sf_readf_float(file.get(), into, static_cast<sf_count_t>(want));
  if (got < 0) got = 0;
  // libsndfile can report an error on a full read too (FLAC: it lost sync,
  // filled the gap with silence and went on): damage, checked like a short read.
  if (got < want || sf_error(file.get()) != SF_ERR_NO_ERROR) {
    // A short read ends the file, as libsndfile does (it returns nothing
    // more after an error either). A file cut short is not an error; a
    // decode error with decodable audio after it is. A file that got
    // shorter since we opened it (truncated under us while playing) is one
    // too. Either error comes after the good frames of this read.
    const file_entry& e = files[index];
    const std::int64_t stop = file_frame + got;
    char at[64];
    std::snprintf(at, sizeof at, " at %.3f s", static_cast<double>(stop) / static_cast<double>(e.rate));
    std::string why;
    if (const off_t now = current_size(); opened_size >= 0 && now >= 0 && now < opened_size) {
      why = in_quotes(e.path) + " was truncated while playing (from " + std::to_string(opened_size) + " to " +
            std::to_string(now) + " bytes); stopped" + at;
    } else if (sf_error(file.get()) != SF_ERR_NO_ERROR && (got == want || audio_after(stop))) {
      why = "cannot decode " + in_quotes(e.path) + at + ": " + sndfile_error(file.get());
    } else if (e.frames >= 0 && stop < e.frames && audio_after(stop)) {
      why = "cannot decode " + in_quotes(e.path) + at + ": the decoder stopped, but there is audio after";
    }
    // An error ends the input here; it is reported once this file's good
    // frames (and the resampler's tail) have been delivered: see produce().
    if (!why.empty()) deferred_error = std::move(why);
    if (got < want || !deferred_error.empty()) input_done = true;
  }
  file_frame += got;
  if (remaining >= 0) remaining -= got;
  return static_cast<std::size_t>(got);
}

/// After a decode error at frame `stop` of the open file: is there audio
/// after it (damage in the middle: an error), or is the file simply cut
/// short (no error, as for a short WAV)? A second handle seeks past the
/// damage and tries to read; the header's frame count says where to look.
/// Files of unknown length: has the decoder read to the end of the file?
bool source::impl::audio_after(std::int64_t stop) {
  const file_entry& e = files[index];
  if (e.stream) return false;  // cannot look ahead in a pipe: an error there is its end
  if (e.frames < 0) return !read_to_end_of_file();
  if (stop >= e.frames) return false;
  const std::int64_t left = e.frames - stop;
  for (const std::int64_t at : {stop + std::min<std::int64_t>(4096, left / 4), stop + left / 2, e.frames - 1}) {
    if (at <= stop || at >= e.frames) continue;
    try {
      // A fresh handle per probe: after a failed seek libsndfile's FLAC
      // decoder refuses every later one.
      SF_INFO info{};
      memory_cursor probe_cursor;
      sndfile_ptr probe = open_entry(e, info, probe_cursor);
      std::vector<float> frame(static_cast<std::size_t>(std::max(info.channels, 1)));
      if (sf_seek(probe.get(), at, SEEK_SET) == at && sf_readf_float(probe.get(), frame.data(), 1) == 1) return true;
    } catch (const input_error&) {
      return false;  // cannot reopen it: nothing says it is damage rather than the end
    }
  }
  return false;
}

/// The open file's size now (fd only), -1 if unknown.
off_t source::impl::current_size() const noexcept {
  struct stat st {};
  if (fd.fd < 0 || ::fstat(fd.fd, &st) != 0) return -1;
  return st.st_size;
}

/// True if the decoder has consumed the whole file (so a decode error means
/// the file was cut short). False when unknown (opened by name).
bool source::impl::read_to_end_of_file() const noexcept {
  if (files[index].in_memory) return cursor.pos >= cursor.size;
  const off_t size = current_size();
  if (size < 0) return false;
  const off_t pos = ::lseek(fd.fd, 0, SEEK_CUR);
  return pos >= 0 && pos >= size;
}

/// Stages the next frames (output rate, the file's channels). False once
/// everything has been played. With `direct`: a file that needs no
/// resampling, channel mapping or gain is decoded straight into it (up to
/// `direct_max` frames, counted in direct_frames; nothing staged), so the
/// frames reach the caller's buffer — the double buffer's half — in one copy,
/// libsndfile's own.
bool source::impl::produce(float* direct, std::size_t direct_max) {
  direct_frames = 0;
  while (!finished) {
    if (!file) {
      if (index >= files.size()) {
        // End of a pass.
        ++pass;
        if ((loops != 0 && pass >= loops) || pass_output == 0) {
          // Done, or a pass produced nothing (looping would spin on nothing).
          finished = true;
          index = files.size() - 1;
          break;
        }
        pass_output = 0;
        index = 0;
      }
      open_current();
    }
    const file_entry& e = files[index];
    std::size_t got = 0;  // frames staged by this step
    bool file_done = false;

    if (e.rate == out_rate && direct != nullptr && e.plan.how == channel_plan::kind::copy && !apply_gain) {
      got = decode(direct, direct_max);
      file_done = got == 0;
      if (got > 0) {
        direct_frames = got;
        staged = nullptr;
        staged_pos = staged_len = 0;
        pass_output += static_cast<std::int64_t>(got);
        return true;
      }
    } else if (e.rate == out_rate) {
      got = decode(decoded.data(), chunk_frames);
      staged = decoded.data();
      file_done = got == 0;
    } else {
      if (dec_pos == dec_len && !input_done) {
        dec_pos = 0;
        dec_len = decode(decoded.data(), chunk_frames);
      }
      soxr_error_t err = nullptr;
      if (dec_pos < dec_len) {
        std::size_t idone = 0;
        const auto ch = static_cast<std::size_t>(e.channels);
        err = soxr_process(resampler.get(), decoded.data() + dec_pos * ch, dec_len - dec_pos, &idone, resampled.data(),
                           resampled_cap, &got);
        dec_pos += idone;
      } else {
        // End of this file's input: drain the resampler until it is empty.
        err = soxr_process(resampler.get(), nullptr, 0, nullptr, resampled.data(), resampled_cap, &got);
        file_done = err == nullptr && got == 0;
      }
      if (err != nullptr) fail("cannot resample " + in_quotes(e.path) + ": " + soxr_strerror(err));
      staged = resampled.data();
    }

    if (got > 0) {
      staged_plan = &e.plan;
      staged_pos = 0;
      staged_len = got;
      pass_output += static_cast<std::int64_t>(got);
      return true;
    }
    if (file_done) {
      if (!deferred_error.empty()) fail(std::exchange(deferred_error, std::string()));
      close_current();
      ++index;
    }
  }
  staged = nullptr;
  staged_pos = staged_len = 0;
  return false;
}

void source::seek(std::size_t file, std::int64_t frame) {
  impl& s = *impl_;
  s.pending_error = nullptr;
  s.deferred_error.clear();
  s.staged = nullptr;
  s.staged_pos = s.staged_len = 0;
  if (file >= s.files.size()) {
    s.close_current();
    s.finished = true;
    s.index = s.files.size() - 1;
    return;
  }
  // Leaving a pipe for another file is fine (the rest of it is not read);
  // coming back to one, or moving in it, is not.
  if (!seekable(file)) fail(in_quotes(s.files[file].path) + ": cannot seek in a pipe");
  s.close_current();
  s.finished = false;
  s.index = file;
  s.pass_output = std::max<std::int64_t>(s.pass_output, 1);  // this pass has played something
  s.open_current();                                          // at the file's --start
  const impl::file_entry& e = s.files[file];
  if (frame <= 0 || s.remaining == 0) return;
  std::int64_t at = e.start + (e.rate == s.out_rate ? frame : std::llround(double(frame) * e.rate / s.out_rate));
  if (e.end >= 0) at = std::min(at, e.end);
  if (sf_seek(s.file.get(), at, SEEK_SET) != at) fail("cannot seek in " + in_quotes(e.path));
  s.file_frame = at;
  if (e.end >= 0) s.remaining = std::max<std::int64_t>(0, e.end - at);
}

bool source::seekable(std::size_t file) const noexcept {
  return file < impl_->files.size() && !impl_->files[file].stream;
}

source::source(const source_options& options) : impl_(std::make_unique<impl>(options)) {}
source::~source() = default;

std::size_t source::read(float* out, std::size_t frames) {
  impl& s = *impl_;
  if (s.pending_error) std::rethrow_exception(std::exchange(s.pending_error, nullptr));
  const auto oc = static_cast<std::size_t>(s.out_channels);
  std::size_t written = 0;
  while (written < frames) {
    if (s.staged_pos == s.staged_len) {
      bool more = false;
      try {
        more = s.produce(out + written * oc, frames - written);
      } catch (const input_error&) {
        if (written == 0) throw;
        // Frames already written are good audio (the end of the previous
        // file, the part before the damage): hand them out now, the error
        // with the next call.
        s.pending_error = std::current_exception();
        s.finished = true;
        break;
      }
      if (!more) break;
      if (s.direct_frames > 0) {  // decoded in place: nothing to map
        written += s.direct_frames;
        continue;
      }
    }
    const std::size_t n = std::min(frames - written, s.staged_len - s.staged_pos);
    map_channels(*s.staged_plan, s.staged + s.staged_pos * static_cast<std::size_t>(s.staged_plan->in_channels),
                 out + written * oc, n, s.gain, s.apply_gain);
    s.staged_pos += n;
    written += n;
  }
  s.produced += static_cast<std::int64_t>(written);
  return written;
}

std::string source::take_error() {
  if (!impl_->pending_error) return {};
  try {
    std::rethrow_exception(std::exchange(impl_->pending_error, nullptr));
  } catch (const std::exception& e) {
    return e.what();
  }
}

int source::output_rate() const noexcept {
  return impl_->out_rate;
}
int source::output_channels() const noexcept {
  return impl_->out_channels;
}
std::int64_t source::frames_per_pass() const noexcept {
  return impl_->pass_frames;
}
std::size_t source::current_file() const noexcept {
  return std::min(impl_->index, impl_->files.size() - 1);
}
bool source::resampling() const noexcept {
  return impl_->any_resampling;
}
std::string source::channel_mapping() const {
  // Each distinct mapping once, in playing order: the first file's plainly,
  // later ones with the files that use them, so a wider file later in the
  // list is not downmixed unannounced.
  struct group {
    const std::string* text;
    std::vector<std::size_t> files;  // 1-based
  };
  std::vector<group> groups;
  for (std::size_t i = 0; i < impl_->files.size(); ++i) {
    const std::string& text = impl_->files[i].plan.text;
    auto it = std::find_if(groups.begin(), groups.end(), [&](const group& g) { return *g.text == text; });
    if (it == groups.end()) it = groups.insert(groups.end(), group{&text, {}});
    it->files.push_back(i + 1);
  }
  std::string out = *groups.front().text;
  constexpr std::size_t listed = 5;  // file numbers named per mapping; the rest are counted
  for (std::size_t g = 1; g < groups.size(); ++g) {
    const std::vector<std::size_t>& numbers = groups[g].files;
    out += numbers.size() == 1 ? "; file " : "; files ";
    for (std::size_t k = 0; k < std::min(numbers.size(), listed); ++k)
      out += (k ? ", " : "") + std::to_string(numbers[k]);
    if (numbers.size() > listed) out += " and " + std::to_string(numbers.size() - listed) + " more";
    out += ": " + *groups[g].text;
  }
  return out;
}
std::int64_t source::frames_produced() const noexcept {
  return impl_->produced;
}

// ---- parse_time -----------------------------------------------------------------

namespace {

/// Digits with at most one '.', at least one digit; no sign, exponent, blanks.
bool parse_decimal(std::string_view text, bool allow_fraction, double& value) {
  if (text.empty()) return false;
  bool digit = false, dot = false;
  for (char ch : text) {
    if (ch >= '0' && ch <= '9') {
      digit = true;
    } else if (ch == '.' && allow_fraction && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  if (!digit) return false;
  // from_chars wants a digit before '.'; "1." and ".5" are fine as numbers.
  std::string normal(text);
  if (normal.front() == '.') normal.insert(normal.begin(), '0');
  if (normal.back() == '.') normal.pop_back();
  const auto [ptr, ec] = std::from_chars(normal.data(), normal.data() + normal.size(), value);
  return ec == std::errc{} && ptr == normal.data() + normal.size() && std::isfinite(value);
}

}  // namespace

double parse_time(const std::string& text) {
  const auto bad = [&text]() -> double { fail("bad time '" + text + "': use seconds or mm:ss"); };
  std::vector<std::string_view> parts;
  std::string_view rest(text);
  for (;;) {
    const auto colon = rest.find(':');
    parts.push_back(rest.substr(0, colon));
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  if (parts.size() > 3) return bad();
  double total = 0.0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const bool last = i + 1 == parts.size();
    double v = 0.0;
    if (!parse_decimal(parts[i], last, v)) return bad();
    // In mm:ss and hh:mm:ss, every field after the first is below 60.
    if (i > 0 && v >= 60.0) return bad();
    total = total * 60.0 + v;
  }
  if (!std::isfinite(total)) return bad();
  return total;
}

}  // namespace pingpong::player
