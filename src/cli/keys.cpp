#include "cli/keys.hpp"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <thread>

namespace pingpong::cli {
namespace {

// The mode to restore, saved before raw mode is set; `saved_valid` says it
// is there. Read by a signal handler: a plain struct written before the flag.
termios saved_mode{};
std::atomic<bool> saved_valid{false};
static_assert(std::atomic<bool>::is_always_lock_free);  // signal-safe
// The keys' mode, re-applied when the process continues in the foreground
// after a stop (Ctrl-Z, then fg; or SIGSTOP/SIGCONT from outside).
termios raw_mode{};
std::atomic<bool> raw_valid{false};

bool in_foreground() noexcept {
  return ::tcgetpgrp(STDIN_FILENO) == ::getpgrp();
}

extern "C" void reapply_raw_mode() noexcept {
  // acquire: raw_mode was written before the flag. Only in the foreground:
  // tcsetattr from a background job would stop it again (SIGTTOU).
  if (raw_valid.load(std::memory_order_acquire) && in_foreground()) (void)::tcsetattr(STDIN_FILENO, TCSANOW, &raw_mode);
}

extern "C" void on_terminal_stop(int) {
  // Ctrl-Z: the shell gets the user's terminal back while we are stopped,
  // as with mpv or less; then stop for real (the default action, unblocked
  // here so it happens now) and, once continued, take the keys' mode again.
  // Async-signal-safe calls only: tcsetattr, tcgetpgrp, getpgrp, sigaction,
  // pthread_sigmask, raise.
  const int saved_errno = errno;
  restore_terminal();
  struct sigaction dfl {
  }, ours{};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(SIGTSTP, &dfl, &ours);
  sigset_t tstp;
  sigemptyset(&tstp);
  sigaddset(&tstp, SIGTSTP);
  pthread_sigmask(SIG_UNBLOCK, &tstp, nullptr);
  raise(SIGTSTP);  // stopped here until SIGCONT
  sigaction(SIGTSTP, &ours, nullptr);
  reapply_raw_mode();
  errno = saved_errno;
}

extern "C" void on_continue(int) {
  // A stop we did not see (SIGSTOP from outside): the shell may have reset
  // the terminal meanwhile. Re-applying an unchanged mode is harmless.
  const int saved_errno = errno;
  reapply_raw_mode();
  errno = saved_errno;
}

enum key : int { key_left = 0x100, key_right, key_up, key_down, key_escape };

constexpr std::chrono::milliseconds escape_wait{40};  // the rest of an escape sequence arrives within this

/// One byte from stdin within `ms` milliseconds; -1 if none came; -2 if
/// stdin is gone (hung up, closed: nothing will come).
int byte_within(int ms) {
  pollfd p{STDIN_FILENO, POLLIN, 0};
  if (::poll(&p, 1, ms) <= 0) return -1;
  if ((p.revents & POLLIN) == 0) return -2;
  unsigned char c = 0;
  return ::read(STDIN_FILENO, &c, 1) == 1 ? c : -2;
}

}  // namespace

extern "C" void restore_terminal() noexcept {
  // acquire: the saved mode was written before the flag (release in raw_terminal).
  if (saved_valid.load(std::memory_order_acquire)) (void)::tcsetattr(STDIN_FILENO, TCSANOW, &saved_mode);
}

bool keys_possible() {
  return ::isatty(STDIN_FILENO) == 1 && ::tcgetpgrp(STDIN_FILENO) == ::getpgrp();
}

raw_terminal::raw_terminal() {
  termios mode{};
  if (::tcgetattr(STDIN_FILENO, &mode) != 0) return;
  saved_mode = mode;
  saved_valid.store(true, std::memory_order_release);  // release: pairs with restore_terminal()
  static const bool registered = std::atexit([] { restore_terminal(); }) == 0;
  (void)registered;
  // No line buffering, no echo; ISIG stays (Ctrl-C is SIGINT, and a second
  // one the fast path), output processing too (the summary's newlines).
  mode.c_lflag &= ~tcflag_t(ICANON | ECHO);
  mode.c_cc[VMIN] = 0;
  mode.c_cc[VTIME] = 0;
  active_ = ::tcsetattr(STDIN_FILENO, TCSANOW, &mode) == 0;
  if (!active_) return;
  raw_mode = mode;
  raw_valid.store(true, std::memory_order_release);  // release: pairs with reapply_raw_mode()
  struct sigaction sa {};
  sa.sa_handler = on_terminal_stop;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGTSTP, &sa, nullptr);
  sa.sa_handler = on_continue;
  sigaction(SIGCONT, &sa, nullptr);
}

raw_terminal::~raw_terminal() {
  raw_valid.store(false, std::memory_order_release);  // first: a late SIGCONT must not re-apply it
  restore_terminal();
  saved_valid.store(false, std::memory_order_release);  // release: nothing more to restore
  if (active_) {
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGTSTP, &dfl, nullptr);
    sigaction(SIGCONT, &dfl, nullptr);
  }
}

void key_reader::poll(player::play_control& control, std::chrono::milliseconds timeout) {
  if (gone_ || !in_foreground()) {
    // stdin hung up: no keys any more; or a background job (`bg`), which
    // would be stopped by reading the terminal (SIGTTIN): keep the pace.
    std::this_thread::sleep_for(timeout);
    return;
  }
  int c = byte_within(static_cast<int>(timeout.count()));
  if (c == -2) {
    gone_ = true;
    return;
  }
  while (c >= 0) {
    int k = c;
    if (c == 0x1b) {
      // A lone Esc, or the start of ESC [ X / ESC O X.
      const int second = byte_within(static_cast<int>(escape_wait.count()));
      k = key_escape;
      if (second == '[' || second == 'O') {
        int final_byte = byte_within(static_cast<int>(escape_wait.count()));
        while (final_byte >= '0' && final_byte <= '9')
          final_byte = byte_within(static_cast<int>(escape_wait.count()));  // ESC [ 1 ; 5 C
        if (final_byte == ';') final_byte = byte_within(static_cast<int>(escape_wait.count()));
        while (final_byte >= '0' && final_byte <= '9') final_byte = byte_within(static_cast<int>(escape_wait.count()));
        k = final_byte == 'A'   ? key_up
            : final_byte == 'B' ? key_down
            : final_byte == 'C' ? key_right
            : final_byte == 'D' ? key_left
                                : -1;  // another key's sequence: ignored
      } else if (second >= 0) {
        k = -1;  // Alt+key: ignored
      }
    }
    if (k >= 0) apply(control, k);
    c = byte_within(0);
  }
  if (c == -2) gone_ = true;
}

void key_reader::apply(player::play_control& control, int key) {
  std::string why;
  switch (key) {
    case ' ':
    case 'p':
      control.toggle_pause();
      break;
    case key_left:
      if (!control.seek(-5.0, why)) say(why);
      break;
    case key_right:
      if (!control.seek(5.0, why)) say(why);
      break;
    case key_down:
      if (!control.seek(-60.0, why)) say(why);
      break;
    case key_up:
      if (!control.seek(60.0, why)) say(why);
      break;
    case '9':
    case '/':
      control.change_volume(-1.0);
      break;
    case '0':
    case '*':
      control.change_volume(1.0);
      break;
    case 'm':
      control.toggle_mute();
      break;
    case '>':
    case '\r':
    case '\n':
      if (!control.skip(1, why)) say(why);
      break;
    case '<':
      if (!control.skip(-1, why)) say(why);
      break;
    case 'q':
    case key_escape:
      control.quit();
      break;
    default:
      break;
  }
}

void key_reader::say(std::string text) {
  message_ = std::move(text);
  message_until_ = std::chrono::steady_clock::now() + std::chrono::seconds(2);
}

std::string key_reader::message() const {
  return std::chrono::steady_clock::now() < message_until_ ? message_ : std::string();
}

}  // namespace pingpong::cli
