#include "player/output_file.hpp"
#include "player/text.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace pingpong::player {
namespace {

std::string quoted(const std::string& path) {
  return "'" + path + "'";
}

std::string folder_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// A name in `folder` that no other pingpong process (or this one) picks.
std::string hidden_name(const std::string& folder, const std::string& base) {
  static std::atomic<unsigned> counter{0};
  // relaxed: only uniqueness within the process matters; the pid covers the rest.
  const unsigned n = counter.fetch_add(1, std::memory_order_relaxed);
  return folder + "/." + base + ".pingpong-" + std::to_string(::getpid()) + "-" + std::to_string(n);
}

}  // namespace

int write_all(int fd, const void* data, std::size_t size) noexcept {
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return EIO;
    p += n;
    size -= std::size_t(n);
  }
  return 0;
}

void check_output_path(const std::string& path, const std::string& what, const std::vector<std::string>& inputs) {
  if (path.empty() || path == "-") return;
  struct stat target {};
  if (::stat(path.c_str(), &target) == 0) {
    if (S_ISDIR(target.st_mode)) throw input_error(what + " " + quoted(path) + " is a directory");
    for (const auto& input : inputs) {
      struct stat in {};
      if (::stat(input.c_str(), &in) == 0 && in.st_dev == target.st_dev && in.st_ino == target.st_ino)
        throw input_error(what + " " + quoted(path) + " is the input " + quoted(input) +
                          (input == path ? "" : " (the same file by another name)") +
                          ": writing it would destroy the input; choose another name");
    }
    if (!S_ISREG(target.st_mode)) return;  // a device or pipe: written in place
    if (::access(path.c_str(), W_OK) != 0)
      throw output_error("cannot write " + what + " " + quoted(path) + ": " + error_text(errno));
  }
  const std::string folder = folder_of(path);
  struct stat dir {};
  if (::stat(folder.c_str(), &dir) != 0)
    throw input_error(what + " " + quoted(path) + ": folder " + quoted(folder) + " does not exist");
  if (!S_ISDIR(dir.st_mode)) throw input_error(what + " " + quoted(path) + ": " + quoted(folder) + " is not a folder");
  if (::access(folder.c_str(), W_OK | X_OK) != 0)
    throw output_error("cannot write " + what + " " + quoted(path) + ": folder " + quoted(folder) + ": " +
                       error_text(errno));
}

output_file::output_file(std::string path, std::string what) : path_(std::move(path)), what_(std::move(what)) {
  const auto fail = [&](const std::string& why) {
    throw output_error("cannot write " + what_ + " " + quoted(path_) + ": " + why);
  };
  struct stat target {};
  const bool exists = ::stat(path_.c_str(), &target) == 0;
  if (exists && !S_ISREG(target.st_mode)) {
    in_place_ = true;
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd_ < 0) fail(error_text(errno));
    return;
  }
  const std::string folder = folder_of(path_);
  // The new file gets the mode a plain create would (0666 less the umask),
  // or the replaced file's.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  const mode_t mode = exists ? (target.st_mode & 07777) : (0666 & ~mask);
  fd_ = ::open(folder.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
  if (fd_ < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL || errno == ENOENT)) {
    // No O_TMPFILE on this file system: a hidden name, removed on failure.
    temp_name_ = hidden_name(folder, base_of(path_));
    fd_ = ::open(temp_name_.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, mode);
    if (fd_ < 0) temp_name_.clear();
  }
  if (fd_ < 0) fail(error_text(errno));
  if (exists) (void)::fchmod(fd_, mode);  // O_TMPFILE applies the umask; keep the old file's mode
}

output_file::~output_file() {
  discard();
}

void output_file::discard() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!committed_ && !temp_name_.empty()) ::unlink(temp_name_.c_str());
  temp_name_.clear();
}

void output_file::commit() {
  const auto fail = [&](const std::string& why) {
    const std::string message = "writing " + what_ + " " + quoted(path_) + " failed: " + why;
    discard();
    throw output_error(message);
  };
  if (fd_ < 0) fail("already closed");
  if (!in_place_ && ::fsync(fd_) != 0) fail(error_text(errno));
  if (!in_place_) {
    std::string named = temp_name_;
    if (named.empty()) {
      // O_TMPFILE: give the data a hidden name first (linkat cannot replace
      // an existing file), then rename it over the target in one step.
      named = hidden_name(folder_of(path_), base_of(path_));
      const std::string self = "/proc/self/fd/" + std::to_string(fd_);
      if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, named.c_str(), AT_SYMLINK_FOLLOW) != 0) fail(error_text(errno));
      temp_name_ = named;
    }
    if (::rename(named.c_str(), path_.c_str()) != 0) fail(error_text(errno));
    temp_name_.clear();
  }
  committed_ = true;
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0 && errno != EINTR)
    throw output_error("writing " + what_ + " " + quoted(path_) + " failed: " + error_text(errno));
}

void write_output_text(const std::string& path, const std::string& what, const std::string& text) {
  if (path == "-") {
    std::fflush(stdout);
    if (const int e = write_all(STDOUT_FILENO, text.data(), text.size()); e != 0)
      throw output_error("writing " + what + " to stdout failed: " + error_text(e));
    return;
  }
  output_file out(path, what);
  if (const int e = write_all(out.fd(), text.data(), text.size()); e != 0)
    throw output_error("writing " + what + " " + quoted(path) + " failed: " + error_text(e));
  out.commit();
}

}  // namespace pingpong::player
