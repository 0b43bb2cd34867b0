// pingpong::player::unnamed_temp_file — the lab's temporary files (the io
// load's, the generated input): they have no name, so none is ever left behind.
#pragma once

#include <string>

namespace pingpong::player {

/// A temporary file with no name, so nothing is left behind however the
/// process ends (kill -9 included): O_TMPFILE in `dir`, or where the
/// filesystem has none, mkstemp and unlink at once. Read and write it
/// through fd(); code that opens by path (libsndfile, play_options.files)
/// opens proc_path(), which names the same file while this object lives.
/// Thread: any; one owner.
class unnamed_temp_file {
 public:
  /// Never throws: on failure fd() is -1 and error() says why.
  explicit unnamed_temp_file(const std::string& dir);
  ~unnamed_temp_file();
  unnamed_temp_file(const unnamed_temp_file&) = delete;
  unnamed_temp_file& operator=(const unnamed_temp_file&) = delete;

  explicit operator bool() const noexcept { return fd_ >= 0; }
  int fd() const noexcept { return fd_; }
  /// "/proc/self/fd/N": opens this file again (an own offset), in this process only.
  std::string proc_path() const { return "/proc/self/fd/" + std::to_string(fd_); }
  const std::string& error() const noexcept { return error_; }

 private:
  int fd_ = -1;
  std::string error_;
};

/// Where temporary files go: $TMPDIR, else /tmp.
std::string temp_directory();

}  // namespace pingpong::player
