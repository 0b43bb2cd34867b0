#include "player/lab/temp_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "player/text.hpp"

namespace pingpong::player {

unnamed_temp_file::unnamed_temp_file(const std::string& dir) {
  fd_ = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd_ >= 0) return;
  // EOPNOTSUPP/EISDIR: this filesystem has no O_TMPFILE. The name exists
  // only between mkstemp and unlink, two system calls apart.
  std::string name = dir + "/pingpong-XXXXXX";
  fd_ = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd_ < 0) {
    error_ = "cannot create a temporary file in '" + dir + "': " + error_text(errno);
    return;
  }
  ::unlink(name.c_str());
}

unnamed_temp_file::~unnamed_temp_file() {
  if (fd_ >= 0) ::close(fd_);
}

std::string temp_directory() {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): pingpong never sets the environment, so reading it races with nothing
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

}  // namespace pingpong::player
