#include "cli/process.hpp"

#include <pingpong/detail/checks.hpp>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define PINGPONG_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(realtime_sanitizer)
#define PINGPONG_SANITIZED 1
#endif
#endif
#if PINGPONG_SANITIZED
#include <sanitizer/common_interface_defs.h>
#endif

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "cli/keys.hpp"
#include "player/errors.hpp"
#include "player/text.hpp"

namespace pingpong::cli {
namespace pp = pingpong::player;

static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free);  // signal-safe

namespace {
/// Where a second signal's last words go (the saved stderr); see quiet_library_stderr().
std::atomic<int> signal_message_fd{STDERR_FILENO};

}  // namespace

std::atomic<bool> interrupted{false};
std::atomic<int> interrupt_signal{0};

extern "C" void on_signal(int signal_number) {
  // The first signal asks for a clean stop (fade, summary, exit 128+N); a
  // second one ends the process at once, whatever the first is waiting for.
  // Only async-signal-safe calls here: tcsetattr(), write() and _exit().
  if (interrupted.load(std::memory_order_relaxed)) {  // relaxed: a polled flag, nothing published with it
    restore_terminal();  // _exit skips atexit and destructors: the keys' raw mode ends here
    static const char message[] = "pingpong: stopped at once (second signal)\n";
    const ssize_t ignored = ::write(signal_message_fd.load(std::memory_order_relaxed), message, sizeof message - 1);
    (void)ignored;
    ::_exit(128 + signal_number);
  }
  // relaxed: both are polled by the control loop; nothing else is published.
  interrupt_signal.store(signal_number, std::memory_order_relaxed);
  interrupted.store(true, std::memory_order_relaxed);
}

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);  // the terminal went away: stop as cleanly as for SIGTERM
}

/// Which of fds 0-2 were closed when pingpong started (see ensure_standard_fds).
bool stdout_was_closed = false;

/// A file opened later must never become fd 0, 1 or 2: with stdout closed,
/// `pingpong play f.wav -o out.wav >&-` would give the output file fd 1 and
/// write the "playing" line into the WAV. So closed ones get /dev/null.
void ensure_standard_fds() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    if (fd == STDOUT_FILENO) stdout_was_closed = true;
    const int null_fd = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    if (null_fd != fd && null_fd >= 0) {  // cannot happen (lowest free fd), but never leave one in the way
      ::dup2(null_fd, fd);
      ::close(null_fd);
    }
  }
}

/// Where pingpong's own diagnostics go: stderr, or a copy of it once
/// quiet_library_stderr() has sent fd 2 to /dev/null.
std::FILE* err_out = stderr;
int err_fd = STDERR_FILENO;

/// After quiet_library_stderr(), the last words of a dying process must
/// still reach the user: a misuse of the buffer API (checks.hpp) and an
/// uncaught exception both write to the saved copy before aborting.
extern "C" void misuse_to_saved_stderr(const char* message) noexcept {
  std::fprintf(err_out, "pingpong: misuse of the buffer API: %s\n", message);
  std::abort();
}
void terminate_to_saved_stderr() {
  std::string what = "unknown exception";
  try {
    if (const std::exception_ptr e = std::current_exception()) std::rethrow_exception(e);
    what = "std::terminate called";
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  std::fprintf(err_out, "pingpong: internal error: %s\n", what.c_str());
  std::abort();
}

/// Libraries below libsndfile print to fd 2 on their own: libmpg123 writes
/// a line per damaged MP3 frame ("[src/libmpg123/layer3.c:...] error: ...")
/// and libsndfile offers no way to quiet it (libsndfile issue #958); libjack
/// prints connection attempts. That would break the one-line error contract
/// and the status line. So fd 2 goes to /dev/null while pingpong works, and
/// pingpong writes to a saved copy. Sanitizer reports go to the copy too.
/// PINGPONG_DEBUG_STDERR=1 keeps the libraries' messages.
void quiet_library_stderr() {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read at start-up; nothing in pingpong calls setenv
  if (std::getenv("PINGPONG_DEBUG_STDERR") != nullptr) return;
  std::fflush(stderr);
  const int saved = ::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
  if (saved < 0) return;
  signal_message_fd.store(saved, std::memory_order_relaxed);  // relaxed: set before any handler is installed
  const int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  std::FILE* copy = ::fdopen(saved, "w");
  if (null_fd < 0 || copy == nullptr) {
    if (null_fd >= 0) ::close(null_fd);
    if (copy != nullptr)
      std::fclose(copy);
    else
      ::close(saved);
    return;
  }
  std::setvbuf(copy, nullptr, _IONBF, 0);  // unbuffered, as stderr
  ::dup2(null_fd, STDERR_FILENO);
  ::close(null_fd);
  err_out = copy;
  err_fd = saved;
  pingpong::set_misuse_handler(&misuse_to_saved_stderr);
  std::set_terminate(&terminate_to_saved_stderr);
#if PINGPONG_SANITIZED
  __sanitizer_set_report_fd(reinterpret_cast<void*>(static_cast<std::intptr_t>(saved)));
#endif
}

/// One line on stderr, however odd the names in it, and the exit code.
int fail(int code, const std::string& message) {
  std::fprintf(err_out, "pingpong: %s\n", pp::printable(message).c_str());
  return code;
}

/// What every command ends with: stdout flushed, and a failed write to it
/// (a full disk, /dev/full, a closed pipe) is an error, not a silent loss.
/// `required`: stdout is the command's output (info, devices, a table), so
/// a stdout that was closed at start is an error too (as coreutils has it).
int finish_stdout(int code, bool required) {
  if (required && stdout_was_closed && (code == pp::exit_ok || code == pp::exit_glitched))
    return fail(pp::exit_output, "writing to stdout failed: stdout is closed");
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    const int e = errno;
    std::clearerr(stdout);
    if (code == pp::exit_ok || code == pp::exit_glitched)
      return fail(pp::exit_output, std::string("writing to stdout failed: ") + pp::error_text(e ? e : EIO));
  }
  return code;
}

}  // namespace pingpong::cli
