// libsndfile handles for files and memory (see sndfile_input.hpp).
#include "player/source/sndfile_input.hpp"
#include "player/text.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "player/source/channel_layout.hpp"
#include "player/source/open_checks.hpp"
#include "player/source/source.hpp"

namespace pingpong::player::source_detail {

/// libsndfile's message for an error on `file`, without "Error : " and the final '.'.
std::string sndfile_error(SNDFILE* file) {
  std::string text = one_line(sf_strerror(file));
  for (const char* prefix : {"Error : ", "Error: ", "System error : "})
    if (text.rfind(prefix, 0) == 0) text.erase(0, std::strlen(prefix));
  while (!text.empty() && (text.back() == '.' || text.back() == ' ')) text.pop_back();
  return text;
}

// ---- in-memory files: libsndfile virtual I/O ---------------------------------
namespace {

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
}  // namespace

[[noreturn]] void fail_open(const std::string& path) {
  std::string why = sndfile_error(nullptr);
  if (why.empty()) why = "not a supported audio file";
  fail("cannot open " + in_quotes(path) + ": " + why);
}

sndfile_ptr open_sndfile(const std::string& path, SF_INFO& info) {
  check_path(path);
  info = SF_INFO{};
  if (has_mp3_name(path) && !looks_like_mpeg(path)) {
    // Recognised by content (a WAV named .mp3 is fine), never by the name.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("cannot open " + in_quotes(path) + ": " + error_text(errno));
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

}  // namespace pingpong::player::source_detail

namespace pingpong::player {

using namespace source_detail;

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
  const auto tag = [&](int which) {
    const char* text = sf_get_string(file.get(), which);
    return text != nullptr ? one_line(text) : std::string();
  };
  out.title = tag(SF_STR_TITLE);
  out.artist = tag(SF_STR_ARTIST);
  out.album = tag(SF_STR_ALBUM);
  out.date = tag(SF_STR_DATE);
  out.comment = tag(SF_STR_COMMENT);
  out.duration_s = (out.frames >= 0 && info.samplerate > 0)
                       ? static_cast<double>(out.frames) / static_cast<double>(info.samplerate)
                       : -1.0;
  return out;
}

}  // namespace pingpong::player
