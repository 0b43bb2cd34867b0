// libsndfile handles for files and memory (see sndfile_input.hpp).
#include "player/source/sndfile_input.hpp"
#include "player/text.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <poll.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

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

// ---- streams -----------------------------------------------------------------

bool is_stream_path(const std::string& path) {
  if (path == "-") return true;
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISFIFO(st.st_mode);
}

struct stream_input {
  std::string name;
  unique_fd source;                 // stdin's copy or the FIFO
  unique_fd read_end, write_end;    // our pipe: libsndfile reads read_end
  std::vector<unsigned char> head;  // bytes read to sniff the format, relayed first
  std::atomic<bool> stop{false};
  std::thread relay;
  sndfile_ptr file;
  SF_INFO info{};
  bool taken = false;

  ~stream_input() {
    stop.store(true, std::memory_order_relaxed);  // relaxed: a polled flag
    if (relay.joinable()) relay.join();
  }
  /// Copies the source into our pipe until the end, an error or stop.
  void run() noexcept {
    auto wait = [&](int fd, short events) {
      while (!stop.load(std::memory_order_relaxed)) {  // relaxed: a polled flag
        pollfd p{fd, events, 0};
        const int n = ::poll(&p, 1, 50);
        if (n > 0) return (p.revents & (events | POLLHUP | POLLERR)) != 0;
        if (n < 0 && errno != EINTR) return false;
      }
      return false;
    };
    auto put = [&](const unsigned char* data, std::size_t size) {
      while (size > 0) {
        if (!wait(write_end.fd, POLLOUT)) return false;
        const ssize_t n = ::write(write_end.fd, data, size);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n <= 0) return false;
        data += n;
        size -= static_cast<std::size_t>(n);
      }
      return true;
    };
    if (put(head.data(), head.size())) {
      std::vector<unsigned char> buf(1 << 16);
      while (wait(source.fd, POLLIN)) {
        const ssize_t n = ::read(source.fd, buf.data(), buf.size());
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n <= 0 || !put(buf.data(), static_cast<std::size_t>(n))) break;
      }
    }
    write_end.reset();  // the reader sees the end of the stream
  }
};

namespace {
std::mutex streams_mutex;
std::map<std::string, std::shared_ptr<stream_input>>& streams() {
  static auto* const opened =
      new std::map<std::string, std::shared_ptr<stream_input>>;  // never destroyed: see release_streams
  return *opened;
}

/// The first bytes of a stream, to name a format that cannot come through a pipe.
const char* needs_seeking(const std::vector<unsigned char>& head) {
  const auto starts = [&](const char* magic) {
    const std::size_t n = std::strlen(magic);
    return head.size() >= n && std::memcmp(head.data(), magic, n) == 0;
  };
  if (starts("fLaC")) return "FLAC";
  if (starts("caff")) return "CAF";
  return nullptr;
}

constexpr const char* pipe_formats = "WAV, AU, AIFF, Ogg (Vorbis, Opus) or MP3";
/// How long a named pipe may go without a writer's first bytes.
constexpr int fifo_writer_wait_ms = 2000;
}  // namespace

std::shared_ptr<stream_input> open_stream(const std::string& path) {
  std::lock_guard held(streams_mutex);
  if (auto it = streams().find(path); it != streams().end()) return it->second;
  auto s = std::make_shared<stream_input>();
  s->name = path == "-" ? "stdin" : path;
  const std::string quoted = in_quotes(path);
  if (path == "-") {
    if (::isatty(STDIN_FILENO) == 1)
      fail("cannot read " + quoted + ": stdin is a terminal; pipe audio in (cat song.wav | pingpong play -)");
    s->source.reset(::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3));
  } else {
    // A FIFO's open() would block until a writer comes, maybe forever:
    // open without waiting, then wait a bounded time for its first bytes
    // (a signal, Ctrl-C, ends the wait too).
    s->source.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (s->source.fd < 0) fail("cannot open " + quoted + ": " + error_text(errno));
    pollfd p{s->source.fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, fifo_writer_wait_ms);
    if (ready < 0 && errno == EINTR) fail("cannot open " + quoted + ": interrupted while waiting for a writer");
    if (ready == 0)
      fail("cannot open " + quoted + ": nothing was written to the named pipe within " +
           std::to_string(fifo_writer_wait_ms / 1000) + " s (start its writer first, or with pingpong)");
    (void)::fcntl(s->source.fd, F_SETFL, 0);  // blocking from here: the relay polls
  }
  if (s->source.fd < 0) fail("cannot open " + quoted + ": " + error_text(errno));
  // The first bytes say the format; read them here (blocking, interruptible).
  s->head.resize(4096);
  std::size_t got = 0;
  while (got < s->head.size()) {
    const ssize_t n = ::read(s->source.fd, s->head.data() + got, s->head.size() - got);
    if (n < 0 && errno == EINTR) fail("cannot read " + quoted + ": interrupted while waiting for data");
    if (n < 0) fail("cannot read " + quoted + ": " + error_text(errno));
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  s->head.resize(got);
  if (got == 0) fail("cannot open " + quoted + ": empty stream");
  if (const char* format = needs_seeking(s->head))
    fail("cannot play " + quoted + " from a pipe: " + format +
         " needs a seekable file; save it to a file first, or pipe " + pipe_formats);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) fail("cannot read " + quoted + ": " + error_text(errno));
  s->read_end.reset(fds[0]);
  s->write_end.reset(fds[1]);
  (void)::fcntl(s->write_end.fd, F_SETFL, O_NONBLOCK);
  s->relay = std::thread([raw = s.get()] { raw->run(); });
  SNDFILE* file = sf_open_fd(s->read_end.fd, SFM_READ, &s->info, SF_FALSE);
  if (file == nullptr) {
    const std::string why = sndfile_error(nullptr);
    fail("cannot play " + quoted + " from a pipe: " + (why.empty() ? "not a supported audio stream" : why) +
         " (a pipe can carry " + pipe_formats + ")");
  }
  s->file.reset(file);
  check_opened(path, s->info);
  streams()[path] = s;
  return s;
}

sndfile_ptr take_stream_file(stream_input& stream) {
  std::lock_guard held(streams_mutex);
  if (stream.taken) fail("cannot read " + in_quotes(stream.name) + " twice: a pipe can be played once");
  stream.taken = true;
  return std::move(stream.file);
}

const SF_INFO& stream_info(const stream_input& stream) {
  return stream.info;
}

SNDFILE* stream_handle(stream_input& stream) {
  std::lock_guard held(streams_mutex);
  if (stream.taken) fail("cannot read " + in_quotes(stream.name) + " twice: a pipe can be played once");
  return stream.file.get();
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

void cancel_streams() noexcept {
  std::lock_guard held(streams_mutex);
  for (auto& [path, s] : streams()) s->stop.store(true, std::memory_order_relaxed);  // relaxed: a polled flag
}

void release_streams() noexcept {
  std::map<std::string, std::shared_ptr<stream_input>> gone;
  {
    std::lock_guard held(streams_mutex);
    gone.swap(streams());
  }
  for (auto& [path, s] : gone) s->stop.store(true, std::memory_order_relaxed);  // relaxed: a polled flag
}

file_info probe_file(const std::string& path) {
  SF_INFO info{};
  sndfile_ptr owned;
  SNDFILE* file_ptr = nullptr;
  std::shared_ptr<stream_input> stream;
  if (is_stream_path(path)) {
    // Read once: the header only, the handle kept for the source (no frame is consumed here).
    stream = open_stream(path);
    info = stream_info(*stream);
    file_ptr = stream_handle(*stream);
  } else {
    owned = open_sndfile(path, info);
    require_audio(path, owned.get(), info);
    file_ptr = owned.get();
  }
  SNDFILE* const file = file_ptr;
  file_info out;
  out.path = path;
  out.format = format_name(info.format & SF_FORMAT_TYPEMASK);
  out.subtype = format_name(info.format & SF_FORMAT_SUBMASK);
  out.sample_rate = info.samplerate;
  out.channels = info.channels;
  out.frames = known_frames(info);
  const channel_layout layout = read_channel_layout(file, info.format, info.channels);
  out.layout = layout.name();
  out.layout_source = layout.assumed ? "assumed: " + layout.origin : layout.origin;
  out.channel_map = layout.speakers;
  out.speakers = layout.speaker_names();
  const auto tag = [&](int which) {
    const char* text = sf_get_string(file, which);
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
