// The checks a file passes before libsndfile decodes it (see open_checks.hpp).
#include "player/source/open_checks.hpp"

#include "player/source/source.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace pingpong::player::source_detail {

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

namespace {

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

}  // namespace

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
  const std::vector<unsigned char> head = read_at(fd, start, std::size_t{64} * 1024);
  ::close(fd);
  const std::size_t n = head.size();
  for (std::size_t i = 0; i + 4 <= n; ++i) {
    const std::size_t len = mpeg_frame_length(&head[i]);
    if (len > 0 && i + len + 4 <= n && mpeg_frame_length(&head[i + len]) > 0) return true;
  }
  return false;
}

/// What libsndfile opened must be a real, sane description of audio.
void check_opened(const std::string& name, const SF_INFO& info) {
  if ((info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_RAW)  // guessed from the name: nothing in it says audio
    fail("cannot open " + in_quotes(name) + ": not a supported audio file (no known header)");
  if (info.samplerate < min_sample_rate || info.samplerate > max_sample_rate)
    fail("cannot open " + in_quotes(name) + ": unsupported sample rate " + std::to_string(info.samplerate) +
         " Hz (pingpong plays " + std::to_string(min_sample_rate) + " to " + std::to_string(max_sample_rate) + " Hz)");
  if (info.channels <= 0)
    fail("cannot open " + in_quotes(name) + ": bad channel count " + std::to_string(info.channels));
}

namespace {

std::uint32_t big_endian32(const unsigned char* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | std::uint32_t(p[3]);
}

}  // namespace

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
  if (n < 12 || std::memcmp(head, "FORM", 4) != 0 ||
      (std::memcmp(head + 8, "AIFF", 4) != 0 && std::memcmp(head + 8, "AIFC", 4) != 0))
    return;
  for (std::uint64_t pos = 12; pos + 8 <= n;) {
    const std::uint32_t chunk = big_endian32(head + pos + 4);
    if (std::memcmp(head + pos, "SSND", 4) == 0) {
      if (pos + 16 > size) bad("truncated AIFF header (the file ends inside the SSND chunk header)");
      if (pos + 16 > n) return;
      const std::uint64_t audio = pos + 16 + big_endian32(head + pos + 8);
      if (audio > size)
        bad("bad AIFF header (the audio is declared to start at byte " + std::to_string(audio) +
            ", past the end of the " + std::to_string(size) + "-byte file)");
      return;
    }
    pos += 8 + std::uint64_t(chunk) + (chunk & 1);
  }
}

}  // namespace pingpong::player::source_detail
