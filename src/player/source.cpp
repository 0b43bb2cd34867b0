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
#include "player/source.hpp"

#include "player/channel_layout.hpp"

#include <fcntl.h>
#include <sndfile.h>
#include <soxr.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <string_view>
#include <system_error>
#include <utility>

namespace pingpong::player {
namespace {

constexpr std::size_t chunk_frames = 4096;  // decode granularity (file-side frames)

/// One line for the user: control characters (a newline in a libsndfile
/// message or a file name) become spaces, trailing blanks go.
std::string one_line(std::string text) {
  for (char& ch : text)
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = ' ';
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

[[noreturn]] void fail(const std::string& message) {
  throw input_error(one_line(message));
}

std::string in_quotes(const std::string& path) {
  return "'" + path + "'";
}

/// libsndfile's message for an error on `file`, without "Error : " and the final '.'.
std::string sndfile_error(SNDFILE* file) {
  std::string text = one_line(sf_strerror(file));
  for (const char* prefix : {"Error : ", "Error: ", "System error : "})
    if (text.rfind(prefix, 0) == 0) text.erase(0, std::strlen(prefix));
  while (!text.empty() && (text.back() == '.' || text.back() == ' ')) text.pop_back();
  return text;
}

/// Checks what std::filesystem can tell before libsndfile tries: these get
/// plainer messages than libsndfile's "System error".
void check_path(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (status.type() == fs::file_type::not_found) fail("cannot open " + in_quotes(path) + ": no such file");
  if (ec) fail("cannot open " + in_quotes(path) + ": " + ec.message());
  if (status.type() == fs::file_type::directory) fail("cannot open " + in_quotes(path) + ": is a directory");
  // A FIFO would block open() until a writer comes (forever); devices and
  // sockets are not audio files either.
  const char* kind = status.type() == fs::file_type::fifo        ? "a FIFO"
                     : status.type() == fs::file_type::character ? "a character device"
                     : status.type() == fs::file_type::block     ? "a block device"
                     : status.type() == fs::file_type::socket    ? "a socket"
                                                                  : nullptr;
  if (kind != nullptr) fail("cannot open " + in_quotes(path) + ": not a regular file (" + kind + ")");
  if (status.type() == fs::file_type::regular) {
    const auto size = fs::file_size(path, ec);
    if (!ec && size == 0) fail("cannot open " + in_quotes(path) + ": empty file");
  }
}

// ---- .mp3 names ------------------------------------------------------------
// libsndfile hands any file named *.mp3 that it does not recognise by content
// to libmpg123, which prints "Note: Illegal Audio-MPEG-Header ..." lines to
// stderr itself (libsndfile gives no way to quiet it: libsndfile issue #958)
// and then fails with a misleading message. So a .mp3 file with no sign of
// MPEG audio in its first 64 KiB (an ID3v2 tag, or two consecutive frame
// headers) is only recognised by content, without the name.

/// Length in bytes of the MPEG audio frame whose header is at `p`, 0 if
/// `p` is not a valid header (free-format bitrate counts as not valid).
std::size_t mpeg_frame_length(const unsigned char* p) {
  if (p[0] != 0xFF || (p[1] & 0xE0) != 0xE0) return 0;
  const int version = (p[1] >> 3) & 3;  // 3: MPEG 1, 2: MPEG 2, 0: MPEG 2.5, 1: reserved
  const int layer = (p[1] >> 1) & 3;    // 3: I, 2: II, 1: III, 0: reserved
  const int bitrate_index = p[2] >> 4;
  const int rate_index = (p[2] >> 2) & 3;
  const int padding = (p[2] >> 1) & 1;
  if (version == 1 || layer == 0 || bitrate_index == 0 || bitrate_index == 15 || rate_index == 3) return 0;
  static constexpr int kbps[2][3][15] = {
      {{0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},  // MPEG 1, layer I
       {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},     // II
       {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320}},     // III
      {{0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},     // MPEG 2/2.5, layer I
       {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},          // II
       {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160}}};        // III
  static constexpr int mpeg1_rates[3] = {44100, 48000, 32000};
  const bool mpeg1 = version == 3;
  const int rate = mpeg1_rates[rate_index] >> (mpeg1 ? 0 : version == 2 ? 1 : 2);
  const int bitrate = 1000 * kbps[mpeg1 ? 0 : 1][3 - layer][bitrate_index];
  int bytes = 0;
  if (layer == 3)
    bytes = (12 * bitrate / rate + padding) * 4;
  else if (layer == 1 && !mpeg1)
    bytes = 72 * bitrate / rate + padding;
  else
    bytes = 144 * bitrate / rate + padding;
  return bytes > 4 ? static_cast<std::size_t>(bytes) : 0;
}

bool has_mp3_name(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return ext == ".mp3";
}

/// Reads up to `size` bytes at `offset` of `fd`.
std::vector<unsigned char> read_at(int fd, off_t offset, std::size_t size) {
  std::vector<unsigned char> buf(size);
  std::size_t n = 0;
  while (n < size) {
    const ssize_t got = ::pread(fd, buf.data() + n, size - n, offset + static_cast<off_t>(n));
    if (got <= 0) break;
    n += static_cast<std::size_t>(got);
  }
  buf.resize(n);
  return buf;
}

/// Two consecutive MPEG frame headers in the first 64 KiB after any ID3v2
/// tag (skipped by its declared size). Unreadable: true (let libsndfile
/// report it).
bool looks_like_mpeg(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return true;
  off_t start = 0;
  const std::vector<unsigned char> id3 = read_at(fd, 0, 10);
  if (id3.size() == 10 && id3[0] == 'I' && id3[1] == 'D' && id3[2] == '3') {
    // Size: 4 × 7 bits ("synchsafe"), after the 10-byte header; +10 with a footer.
    const off_t body = (off_t(id3[6] & 0x7f) << 21) | (off_t(id3[7] & 0x7f) << 14) | (off_t(id3[8] & 0x7f) << 7) |
                       off_t(id3[9] & 0x7f);
    start = 10 + body + ((id3[5] & 0x10) ? 10 : 0);
  }
  const std::vector<unsigned char> head = read_at(fd, start, 64 * 1024);
  ::close(fd);
  const std::size_t n = head.size();
  for (std::size_t i = 0; i + 4 <= n; ++i) {
    const std::size_t len = mpeg_frame_length(&head[i]);
    if (len > 0 && i + len + 4 <= n && mpeg_frame_length(&head[i + len]) > 0) return true;
  }
  return false;
}

// ---- in-memory files: libsndfile virtual I/O ---------------------------------

struct memory_cursor {
  const unsigned char* data = nullptr;
  sf_count_t size = 0;
  sf_count_t pos = 0;
};

sf_count_t vio_length(void* user) {
  return static_cast<memory_cursor*>(user)->size;
}
sf_count_t vio_seek(sf_count_t offset, int whence, void* user) {
  auto* c = static_cast<memory_cursor*>(user);
  sf_count_t base = 0;
  if (whence == SEEK_CUR) base = c->pos;
  if (whence == SEEK_END) base = c->size;
  // Overflow-safe: offsets come from file headers, so they can be anything.
  if ((offset > 0 && base > c->size - offset) || (offset < 0 && base + offset < 0)) return -1;
  c->pos = base + offset;
  return c->pos;
}
sf_count_t vio_read(void* ptr, sf_count_t count, void* user) {
  auto* c = static_cast<memory_cursor*>(user);
  if (count <= 0 || c->pos >= c->size) return 0;
  const sf_count_t n = std::min(count, c->size - c->pos);
  std::memcpy(ptr, c->data + c->pos, static_cast<std::size_t>(n));
  c->pos += n;
  return n;
}
sf_count_t vio_write(const void*, sf_count_t, void*) {
  return 0;
}
sf_count_t vio_tell(void* user) {
  return static_cast<memory_cursor*>(user)->pos;
}
SF_VIRTUAL_IO memory_io{vio_length, vio_seek, vio_read, vio_write, vio_tell};

struct sndfile_closer {
  void operator()(SNDFILE* file) const noexcept { sf_close(file); }
};
using sndfile_ptr = std::unique_ptr<SNDFILE, sndfile_closer>;

[[noreturn]] void fail_open(const std::string& path) {
  std::string why = sndfile_error(nullptr);
  if (why.empty()) why = "not a supported audio file";
  fail("cannot open " + in_quotes(path) + ": " + why);
}

/// What libsndfile opened must be a real, sane description of audio.
void check_opened(const std::string& name, const SF_INFO& info) {
  if ((info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_RAW)  // guessed from the name: nothing in it says audio
    fail("cannot open " + in_quotes(name) + ": not a supported audio file (no known header)");
  if (info.samplerate < min_sample_rate || info.samplerate > max_sample_rate)
    fail("cannot open " + in_quotes(name) + ": unsupported sample rate " + std::to_string(info.samplerate) +
         " Hz (pingpong plays " + std::to_string(min_sample_rate) + " to " + std::to_string(max_sample_rate) + " Hz)");
  if (info.channels <= 0) fail("cannot open " + in_quotes(name) + ": bad channel count " + std::to_string(info.channels));
}

std::uint32_t big_endian32(const unsigned char* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | std::uint32_t(p[3]);
}

/// Header damage libsndfile accepts as a valid empty (or wrong) file:
///   AU whose audio starts inside the 24-byte header (libsndfile plays the
///   header as sound) or past the end of the file;
///   AIFF/AIFF-C cut inside the SSND chunk's header, or whose SSND offset
///   puts the audio past the end of the file.
/// `head`: the first bytes of the file; `size`: the whole file's size.
void check_header(const std::string& name, const unsigned char* head, std::size_t n, std::uint64_t size) {
  const auto bad = [&](const std::string& why) { fail("cannot open " + in_quotes(name) + ": " + why); };
  if (n >= 8 && std::memcmp(head, ".snd", 4) == 0) {
    const std::uint32_t offset = big_endian32(head + 4);
    if (offset < 24) bad("bad AU header (audio offset " + std::to_string(offset) + ", inside the 24-byte header)");
    if (offset > size)
      bad("bad AU header (audio offset " + std::to_string(offset) + ", past the end of the " + std::to_string(size) +
          "-byte file)");
    return;
  }
  if (n < 12 || std::memcmp(head, "FORM", 4) != 0 || (std::memcmp(head + 8, "AIFF", 4) != 0 && std::memcmp(head + 8, "AIFC", 4) != 0))
    return;
  for (std::uint64_t pos = 12; pos + 8 <= n;) {
    const std::uint32_t chunk = big_endian32(head + pos + 4);
    if (std::memcmp(head + pos, "SSND", 4) == 0) {
      if (pos + 16 > size) bad("truncated AIFF header (the file ends inside the SSND chunk header)");
      if (pos + 16 > n) return;
      const std::uint64_t audio = pos + 16 + big_endian32(head + pos + 8);
      if (audio > size)
        bad("bad AIFF header (the audio is declared to start at byte " + std::to_string(audio) + ", past the end of the " +
            std::to_string(size) + "-byte file)");
      return;
    }
    pos += 8 + std::uint64_t(chunk) + (chunk & 1);
  }
}

sndfile_ptr open_sndfile(const std::string& path, SF_INFO& info) {
  check_path(path);
  info = SF_INFO{};
  if (has_mp3_name(path) && !looks_like_mpeg(path)) {
    // Recognised by content (a WAV named .mp3 is fine), never by the name.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("cannot open " + in_quotes(path) + ": " + std::strerror(errno));
    SNDFILE* probe = sf_open_fd(fd, SFM_READ, &info, SF_FALSE);
    const bool known = probe != nullptr;
    if (probe != nullptr) sf_close(probe);
    ::close(fd);
    if (!known) fail("cannot open " + in_quotes(path) + ": not an MP3 file (no MPEG audio frames found)");
    info = SF_INFO{};
  }
  if (const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK); fd >= 0) {
    const std::vector<unsigned char> head = read_at(fd, 0, 4096);
    struct stat st {};
    const bool sized = ::fstat(fd, &st) == 0;
    ::close(fd);
    if (sized) check_header(path, head.data(), head.size(), static_cast<std::uint64_t>(st.st_size));
  }
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  if (file == nullptr) fail_open(path);
  sndfile_ptr opened(file);
  check_opened(path, info);
  return opened;
}

/// Opens a memory_file through `cursor`, which must outlive the handle.
sndfile_ptr open_memory(const std::string& name, const unsigned char* data, std::size_t size, SF_INFO& info,
                        memory_cursor& cursor) {
  if (size == 0) fail("cannot open " + in_quotes(name) + ": empty file");
  info = SF_INFO{};
  cursor = memory_cursor{data, static_cast<sf_count_t>(size), 0};
  check_header(name, data, size, size);
  SNDFILE* file = sf_open_virtual(&memory_io, SFM_READ, &info, &cursor);
  if (file == nullptr) fail_open(name);
  sndfile_ptr opened(file);
  check_opened(name, info);
  return opened;
}

/// -1 when libsndfile does not know the length (it reports SF_COUNT_MAX).
std::int64_t known_frames(const SF_INFO& info) {
  if (info.frames < 0 || info.frames >= SF_COUNT_MAX) return -1;
  return static_cast<std::int64_t>(info.frames);
}

std::string format_name(int format) {
  SF_FORMAT_INFO fi{};
  fi.format = format;
  if (sf_command(nullptr, SFC_GET_FORMAT_INFO, &fi, sizeof fi) == 0 && fi.name != nullptr) return fi.name;
  char buf[32];
  std::snprintf(buf, sizeof buf, "unknown (0x%x)", static_cast<unsigned>(format));
  return buf;
}

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

/// A file descriptor we own.
struct unique_fd {
  int fd = -1;
  unique_fd() = default;
  explicit unique_fd(int f) noexcept : fd(f) {}
  unique_fd(unique_fd&& o) noexcept : fd(o.release()) {}
  unique_fd& operator=(unique_fd&& o) noexcept {
    reset(o.release());
    return *this;
  }
  ~unique_fd() { reset(); }
  int release() noexcept { return std::exchange(fd, -1); }
  void reset(int f = -1) noexcept {
    if (fd >= 0) ::close(fd);
    fd = f;
  }
};

struct soxr_deleter {
  void operator()(soxr_t r) const noexcept { soxr_delete(r); }
};
using soxr_ptr = std::unique_ptr<std::remove_pointer_t<soxr_t>, soxr_deleter>;

/// A file that declares audio (or does not say) must decode at least one
/// frame: a header with nothing decodable behind it is an error, not a
/// silent success. A file that declares 0 frames is a valid empty file.
/// Moves the read position: for handles about to be closed.
void require_audio(const std::string& name, SNDFILE* file, const SF_INFO& info) {
  if (known_frames(info) == 0) return;
  std::vector<float> frame(static_cast<std::size_t>(info.channels));
  if (sf_readf_float(file, frame.data(), 1) == 1) return;
  std::string why = sf_error(file) != SF_ERR_NO_ERROR ? sndfile_error(file) : std::string();
  fail("cannot decode " + in_quotes(name) + ": no audio decodes" +
       (known_frames(info) > 0 ? " (the header declares " + std::to_string(known_frames(info)) + " frames)" : "") +
       (why.empty() ? "" : ": " + why));
}

}  // namespace

file_info probe_file(const std::string& path) {
  SF_INFO info{};
  sndfile_ptr file = open_sndfile(path, info);
  require_audio(path, file.get(), info);
  file_info out;
  out.path = path;
  out.format = format_name(info.format & SF_FORMAT_TYPEMASK);
  out.subtype = format_name(info.format & SF_FORMAT_SUBMASK);
  out.sample_rate = info.samplerate;
  out.channels = info.channels;
  out.frames = known_frames(info);
  const channel_layout layout = read_channel_layout(file.get(), info.format, info.channels);
  out.layout = layout.name();
  out.layout_source = layout.assumed ? "assumed: " + layout.origin : layout.origin;
  out.channel_map = layout.speakers;
  out.speakers = layout.speaker_names();
  out.duration_s = (out.frames >= 0 && info.samplerate > 0)
                       ? static_cast<double>(out.frames) / static_cast<double>(info.samplerate)
                       : -1.0;
  return out;
}

// ---- source -------------------------------------------------------------------

struct source::impl {
  struct file_entry {
    std::string path;
    const unsigned char* bytes = nullptr;  ///< in memory (memory_file): its bytes
    std::size_t size = 0;
    bool in_memory = false;
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
  std::exception_ptr pending_error;  ///< an error after a partial read, for the next read()
  std::string deferred_error;        ///< an error that ended the input, raised once its good frames are out
  sndfile_ptr file;             ///< open file, null between files
  unique_fd fd;                 ///< its descriptor, if opened with sf_open_fd (see top)
  memory_cursor cursor;         ///< its read position, if in memory
  off_t opened_size = -1;       ///< the open file's size when opened (fd only), to notice truncation
  std::int64_t file_frame = 0;  ///< next frame of the open file to decode
  std::int64_t remaining = -1;  ///< frames left to decode in the open file; -1: until EOF
  bool input_done = false;      ///< the open file has no more frames to decode
  soxr_ptr resampler;           ///< for the open file, null if its rate is the output rate
  int resampler_rate = 0;       ///< the config `resampler` was created with (reused by soxr_clear)
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
  std::size_t decode(std::size_t max_frames);
  bool produce();
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
    sndfile_ptr f = open_entry(e, info, probe_cursor);
    require_audio(path, f.get(), info);
    e.rate = info.samplerate;
    e.channels = info.channels;
    e.layout = read_channel_layout(f.get(), info.format, info.channels);
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
  // Our own descriptor first (see the top of the file). libsndfile guesses a
  // few formats from the file name, which it does not have then: if that
  // open fails, open by name as checked.
  if (!file) fd.reset(::open(e.path.c_str(), O_RDONLY | O_CLOEXEC));
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
  fd.reset();
  input_done = true;
  dec_pos = dec_len = 0;
}

/// Decodes up to `max_frames` (≤ chunk_frames) of the open file into
/// `decoded`. 0 at the end of the (trimmed) file. A short read ends the file
/// unless libsndfile reports an error.
std::size_t source::impl::decode(std::size_t max_frames) {
  if (input_done) return 0;
  auto want = static_cast<std::int64_t>(std::min(max_frames, chunk_frames));
  if (remaining >= 0) want = std::min(want, remaining);
  if (want <= 0) {
    input_done = true;
    return 0;
  }
  sf_count_t got = sf_readf_float(file.get(), decoded.data(), static_cast<sf_count_t>(want));
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
/// everything has been played.
bool source::impl::produce() {
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

    if (e.rate == out_rate) {
      got = decode(chunk_frames);
      staged = decoded.data();
      file_done = got == 0;
    } else {
      if (dec_pos == dec_len && !input_done) {
        dec_pos = 0;
        dec_len = decode(chunk_frames);
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
        more = s.produce();
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
