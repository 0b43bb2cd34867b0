#include "cli/keys.hpp"

#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <thread>

namespace pingpong::cli {
namespace {

// The mode to restore, saved before raw mode is set; `saved_valid` says it
// is there. Read by a signal handler: a plain struct written before the flag.
termios saved_mode{};
std::atomic<bool> saved_valid{false};
static_assert(std::atomic<bool>::is_always_lock_free);  // signal-safe

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
}

raw_terminal::~raw_terminal() {
  restore_terminal();
  saved_valid.store(false, std::memory_order_release);  // release: nothing more to restore
}

void key_reader::poll(player::play_control& control, std::chrono::milliseconds timeout) {
  if (gone_) {  // stdin hung up: no keys any more, but keep the monitor's pace
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
