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

}  // namespace pingpong::player::source_detail
