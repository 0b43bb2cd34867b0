// libsndfile handles: files by path (after the open checks), bytes in memory
// through libsndfile's virtual I/O, and what the source needs to know of
// them. RAII over the C API, as libsndfile's own sndfile.hh does.
//
// Thread: whichever opens or decodes files (control, producer). Blocking I/O.
#pragma once

#include <sndfile.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

namespace pingpong::player::source_detail {

/// libsndfile's message for an error on `file`, without "Error : " and the final '.'.
std::string sndfile_error(SNDFILE* file);

struct memory_cursor {
  const unsigned char* data = nullptr;
  sf_count_t size = 0;
  sf_count_t pos = 0;
};

struct sndfile_closer {
  void operator()(SNDFILE* file) const noexcept { sf_close(file); }
};
using sndfile_ptr = std::unique_ptr<SNDFILE, sndfile_closer>;

/// input_error naming `path` and libsndfile's reason.
[[noreturn]] void fail_open(const std::string& path);
/// Checks `path` (open_checks.hpp), opens it, checks what was opened. Throws input_error.
sndfile_ptr open_sndfile(const std::string& path, SF_INFO& info);
/// Opens a memory_file through `cursor`, which must outlive the handle.
sndfile_ptr open_memory(const std::string& name, const unsigned char* data, std::size_t size, SF_INFO& info,
                        memory_cursor& cursor);
/// -1 when libsndfile does not know the length (it reports SF_COUNT_MAX).
std::int64_t known_frames(const SF_INFO& info);
/// libsndfile's name of a major format or subtype, e.g. "FLAC".
std::string format_name(int format);
/// A header with nothing decodable behind it is an error (a declared-empty
/// file is not). Moves the read position: for handles about to be closed.
void require_audio(const std::string& name, SNDFILE* file, const SF_INFO& info);

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

// ---- streams: stdin ('-'), /dev/stdin, named pipes ----------------------------
//
// A pipe can be read once, front to back. So a stream is opened once (the
// first time anything asks: probe_file() at start-up), its header parsed by
// libsndfile's own pipe support (sf_open_fd: WAV, AU, AIFF, Ogg, MP3; FLAC
// and CAF need to seek: refused with one line), and the open handle is kept
// here until the source takes it for playing. Bytes reach libsndfile through
// a relay thread (the real descriptor → a pipe of our own) that polls, so a
// stop never waits for a writer that has stalled: cancel_streams() ends the
// relay, and libsndfile reads the end of the stream.

/// "-", or a path that is a FIFO (a named pipe; /dev/stdin on a pipe).
bool is_stream_path(const std::string& path);

struct stream_input;
/// The stream's handle: opened on the first call, the same one after.
/// Throws input_error (a terminal on stdin, no writer before a signal, a
/// format that needs seeking, not audio).
std::shared_ptr<stream_input> open_stream(const std::string& path);
/// Its libsndfile handle (taken: the caller owns it; a second take throws)
/// and what libsndfile read of its header.
sndfile_ptr take_stream_file(stream_input& stream);
const SF_INFO& stream_info(const stream_input& stream);
/// The handle before it is taken, for reading its header's metadata; throws once taken.
SNDFILE* stream_handle(stream_input& stream);

}  // namespace pingpong::player::source_detail
