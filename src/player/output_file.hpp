// Outputs that are complete or not there.
//
// Every file pingpong writes (an offline render, --json FILE, --report FILE)
// goes through here: the path is checked before any work starts (the folder
// exists and is writable, the target is not a directory, and it is none of
// the inputs, whether by name, symlink or hard link), the data is written to
// an unnamed temporary file in the target's folder, and only a commit() after
// every write and the final flush succeeded gives it the target's name, in
// one rename. A failed or interrupted job leaves the old file untouched and
// no stub behind, even after kill -9 (O_TMPFILE has no name until commit;
// where the file system lacks O_TMPFILE, a hidden named file is used and
// removed on every path but kill -9).
//
// Targets that are not regular files (/dev/null, /dev/full, a pipe, a
// terminal) are written in place: there is nothing to replace atomically.
//
// Thread: control (or the offline device's thread). Blocking I/O.
#pragma once

#include <string>
#include <vector>

#include "player/errors.hpp"

namespace pingpong::player {

/// Checks that `path` can be written as `what` (e.g. "--output") before any
/// work starts. Throws input_error if it names an input (same file by inode:
/// symlinks and hard links included), a directory, or a folder that does not
/// exist; output_error if the folder is not writable.
void check_output_path(const std::string& path, const std::string& what, const std::vector<std::string>& inputs);

/// A file being written: an unnamed temporary file beside `path`, named
/// `path` by commit(). Destroying it uncommitted discards it.
class output_file {
 public:
  /// Opens the temporary file. Throws output_error.
  output_file(std::string path, std::string what);
  ~output_file();
  output_file(const output_file&) = delete;
  output_file& operator=(const output_file&) = delete;

  /// The descriptor to write to (read/write, positioned at 0).
  int fd() const noexcept { return fd_; }
  const std::string& path() const noexcept { return path_; }
  /// True if the target is written in place (not a regular file).
  bool in_place() const noexcept { return in_place_; }

  /// fsyncs (regular files), gives the data its name, closes. Throws
  /// output_error; the target is unchanged then.
  void commit();

 private:
  void discard() noexcept;

  std::string path_, what_;
  std::string temp_name_;  ///< the fallback's hidden name; empty with O_TMPFILE or in place
  int fd_ = -1;
  bool in_place_ = false;
  bool committed_ = false;
};

/// Writes `text` to `path` as one complete file (through output_file), or
/// to stdout for "-". Throws output_error.
void write_output_text(const std::string& path, const std::string& what, const std::string& text);

/// Writes all of `size` bytes to `fd`, retrying short writes and EINTR.
/// Returns 0 or the errno of the failure.
int write_all(int fd, const void* data, std::size_t size) noexcept;

}  // namespace pingpong::player
