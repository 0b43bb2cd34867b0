// The process around the commands: standard fds, stderr, signals, exit.
// Thread: main (signal handlers aside, which only set flags or _exit).
#pragma once

#include <atomic>
#include <cstdio>
#include <string>

namespace pingpong::cli {

/// Set by the first SIGINT/SIGTERM/SIGHUP (a second one exits at once);
/// the signal's number, for the exit code 128 + N. Polled by the commands.
extern std::atomic<bool> interrupted;
extern std::atomic<int> interrupt_signal;
void install_signal_handlers();

/// Reopens /dev/null on any of fds 0-2 that is closed (call first thing),
/// so no file pingpong opens becomes stdout; remembers a closed stdout.
void ensure_standard_fds();
extern bool stdout_was_closed;

/// Where pingpong's own diagnostics go: stderr, or a saved copy of it once
/// quiet_library_stderr() has sent fd 2 to /dev/null (libraries below
/// libsndfile print there on their own).
extern std::FILE* err_out;
extern int err_fd;
void quiet_library_stderr();

/// One line on stderr ("pingpong: ..."), however odd the names in it; returns `code`.
int fail(int code, const std::string& message);
/// Flushes stdout; a failed write (or, if `required`, a stdout closed at
/// start) turns a success into exit 4.
int finish_stdout(int code, bool required = false);

}  // namespace pingpong::cli
