// The keys of `pingpong play` on a terminal: raw mode on stdin (restored on
// every way out), a reader polled by the control thread, the commands it
// sends to play() (play_control).
// Thread: main (the monitor loop's on_idle), signal handlers aside.
#pragma once

#include <chrono>
#include <string>

#include "player/player.hpp"

namespace pingpong::cli {

/// True if keys can work: stdin is a terminal and this process is in its
/// foreground (a background job reading it would be stopped by SIGTTIN).
bool keys_possible();

/// Puts the terminal on stdin in raw-ish mode (no line buffering, no echo;
/// Ctrl-C still signals) for its lifetime. The saved mode is restored by
/// the destructor, at exit() (atexit) and by restore_terminal() — which is
/// async-signal-safe (one tcsetattr), for the second-signal fast path.
class raw_terminal {
 public:
  raw_terminal();
  ~raw_terminal();
  raw_terminal(const raw_terminal&) = delete;
  raw_terminal& operator=(const raw_terminal&) = delete;
  bool active() const noexcept { return active_; }

 private:
  bool active_ = false;
};
/// Restores the terminal mode saved by raw_terminal, if any. Async-signal-safe.
extern "C" void restore_terminal() noexcept;

/// Reads keys (with `timeout` of waiting) and applies them to `control`:
///   Space, p  pause / resume        ← →  seek −/+5 s      ↓ ↑  −/+60 s
///   9 /       volume −1 dB          0 *  volume +1 dB     m    mute
///   > Enter   next file             <    previous file    q Esc  quit
/// Escape sequences (ESC [ C, ESC O C) are told from a lone Esc by a short
/// wait for the rest of the sequence (as less and mpv do).
class key_reader {
 public:
  void poll(player::play_control& control, std::chrono::milliseconds timeout);
  /// A note for the status line (e.g. "cannot seek in a pipe"), for 2 s.
  std::string message() const;

 private:
  void apply(player::play_control& control, int key);
  void say(std::string text);
  std::string message_;
  std::chrono::steady_clock::time_point message_until_{};
  bool gone_ = false;  // stdin hung up
};

}  // namespace pingpong::cli
