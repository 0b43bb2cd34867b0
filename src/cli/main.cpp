// pingpong — play audio files through the double buffer and measure glitches.
//
//   pingpong play FILE... [options]     play (see --help)
//   pingpong devices                    list output devices
//   pingpong info FILE...               format, rate, channels, length
//
// Exit codes: 0 ok; 1 glitched with --fail-on-glitch; 2 bad usage or input;
// 3 device or audio server error; 4 an output could not be written;
// 129/130/143 interrupted (SIGHUP/SIGINT/SIGTERM).
#include <CLI/CLI.hpp>
#include <pingpong/detail/checks.hpp>
#include <pingpong/version.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define PINGPONG_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define PINGPONG_SANITIZED 1
#endif
#endif
#if PINGPONG_SANITIZED
#include <sanitizer/common_interface_defs.h>
#endif

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "player/compare.hpp"
#include "player/output_file.hpp"
#include "player/player.hpp"
#include "player/source/source.hpp"
#include "player/text.hpp"

namespace pp = pingpong::player;

namespace {

std::atomic<bool> interrupted{false};
std::atomic<int> interrupt_signal{0};
static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free);  // signal-safe

/// Where a second signal's last words go (the saved stderr); see quiet_library_stderr().
std::atomic<int> signal_message_fd{STDERR_FILENO};

extern "C" void on_signal(int signal_number) {
  // The first signal asks for a clean stop (fade, summary, exit 128+N); a
  // second one ends the process at once, whatever the first is waiting for.
  // Only async-signal-safe calls here: write() and _exit().
  if (interrupted.load(std::memory_order_relaxed)) {  // relaxed: a polled flag, nothing published with it
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

std::string clock_text(double s) {
  if (s < 0) return "--:--";
  char buf[32];
  const int m = int(s / 60);
  std::snprintf(buf, sizeof buf, "%d:%04.1f", m, s - 60.0 * m);
  return buf;
}

/// Display columns of UTF-8 text (code points; wide glyphs count as one).
std::size_t columns(const std::string& s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

/// The first `width` columns of `s`, ending in "…" if cut.
std::string fit(const std::string& s, std::size_t width) {
  if (columns(s) <= width) return s;
  if (width == 0) return {};
  std::string out;
  std::size_t n = 0;
  for (const char c : s) {
    const bool starts = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (starts && ++n > width - 1) break;
    out += c;
  }
  return out + "…";
}

std::size_t terminal_width() {
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// One line, redrawn in place, that never wraps: the terminal's width is
/// read at each redraw (so a resize applies at once) and fields are dropped
/// from the right, the file name shortened, to fit.
void draw_status(const pp::live_status& st) {
  const std::size_t width = terminal_width() - 1;  // the last column would wrap on some terminals
  std::string head = st.stalled_s > 0 ? "‖ " : "▶ ";
  if (st.file_count > 1) head += std::to_string(st.file_index + 1) + "/" + std::to_string(st.file_count) + " ";
  const std::string clock = clock_text(st.file_position_s) + " / " + clock_text(st.file_duration_s);
  std::vector<std::string> fields;
  if (st.stalled_s > 0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "audio server stalled %.1f s", st.stalled_s);
    fields.emplace_back(buf);
  }
  fields.push_back("buf " + std::to_string(int(std::lround(st.fill * 100))) + "%");
  fields.push_back("underruns " + std::to_string(st.underruns));
  fields.push_back("xruns " + std::to_string(st.device_xruns));
  if (st.deadline_misses > 0) fields.push_back("late " + std::to_string(st.deadline_misses));
  if (st.cpu_load >= 0) fields.push_back("cpu " + std::to_string(int(std::lround(st.cpu_load * 100))) + "%");
  // Name first to go short, then the fields from the right.
  std::string tail = "  " + clock;
  for (const auto& f : fields) {
    if (columns(head) + 8 + columns(tail) + 2 + columns(f) > width) break;
    tail += "  " + f;
  }
  const std::size_t room = width > columns(head) + columns(tail) ? width - columns(head) - columns(tail) : 0;
  std::string line = head + fit(pp::printable(base_name(st.file)), room) + tail;
  line = fit(line, width);
  std::fprintf(stdout, "\r%s\x1b[K", line.c_str());
  std::fflush(stdout);
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
  if (std::getenv("PINGPONG_DEBUG_STDERR") != nullptr) return;
  std::fflush(stderr);
  const int saved = ::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
  if (saved < 0) return;
  signal_message_fd.store(saved, std::memory_order_relaxed);  // relaxed: set before any handler is installed
  const int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  std::FILE* copy = ::fdopen(saved, "w");
  if (null_fd < 0 || copy == nullptr) {
    if (null_fd >= 0) ::close(null_fd);
    if (copy != nullptr) std::fclose(copy); else ::close(saved);
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
int finish_stdout(int code, bool required = false) {
  if (required && stdout_was_closed && (code == pp::exit_ok || code == pp::exit_glitched))
    return fail(pp::exit_output, "writing to stdout failed: stdout is closed");
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    const int e = errno;
    std::clearerr(stdout);
    if (code == pp::exit_ok || code == pp::exit_glitched)
      return fail(pp::exit_output, std::string("writing to stdout failed: ") + std::strerror(e ? e : EIO));
  }
  return code;
}

/// Checks --json/--report paths before the work, so an unwritable one
/// fails at once, not after minutes of playing or measuring.
void check_text_output(const std::string& path, const std::string& what, const std::vector<std::string>& inputs) {
  if (path == "-" && stdout_was_closed) throw pp::output_error("cannot write " + what + " -: stdout is closed");
  pp::check_output_path(path, what, inputs);
}

/// A CLI11 check for a numeric option: rejects non-numbers and values out of
/// [lo, hi] (or (lo, hi] with `open_low`) with the allowed range in the
/// message, e.g. "--period: 'lots' is not a whole number; use 16 to 16384 frames".
/// `zero_ok`: 0 is also allowed (it means "automatic").
CLI::Validator number_in(double lo, double hi, const std::string& unit, bool integer, bool open_low = false,
                         bool zero_ok = false) {
  const auto text = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return std::string(buf);
  };
  std::string range = (open_low ? "more than " + text(lo) + " and at most " : text(lo) + " to ") + text(hi);
  if (!unit.empty()) range += " " + unit;
  if (zero_ok) range += " (0: automatic)";
  return CLI::Validator(
      [=](std::string& value) -> std::string {
        const char* begin = value.c_str();
        char* end = nullptr;
        errno = 0;
        const double v = std::strtod(begin, &end);
        const bool parsed = end != begin && *end == '\0' && errno == 0 && std::isfinite(v) &&
                            value.find_first_of(integer ? "xXpPnNeE." : "xXpPnN") == std::string::npos;  // no hex, inf, nan
        if (!parsed || (integer && v != std::floor(v)))
          return "'" + value + "' is not " + (integer ? "a whole number" : "a number") + "; use " + range;
        if (zero_ok && v == 0) return {};
        if ((open_low ? v <= lo : v < lo) || v > hi) return "'" + value + "' is out of range; use " + range;
        return {};
      },
      range, "");
}

/// `--loop N` (1..999999999) or `--loop inf`; anything else is an error
/// naming the allowed values (never a file name: `--loop B.wav` used to
/// play B first).
int parse_loops(const std::string& text) {
  const char* allowed = ": use a count from 1 to 999999999, or inf to repeat until stopped";
  if (text == "inf" || text == "infinite") return 0;
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
    throw pp::input_error("--loop '" + text + "' is not a count" + allowed);
  const int n = std::stoi(text);
  if (n == 0) throw pp::input_error("--loop 0 is out of range" + std::string(allowed));
  return n;
}

pp::output_encoding parse_bits(const std::string& text) {
  if (text.empty()) return pp::output_encoding::automatic;
  if (text == "16") return pp::output_encoding::pcm16;
  if (text == "24") return pp::output_encoding::pcm24;
  if (text == "32") return pp::output_encoding::pcm32;
  if (text == "float") return pp::output_encoding::float32;
  throw pp::input_error("--bits '" + text + "': use 16, 24, 32 or float");
}

struct play_cli {
  std::vector<std::string> files;
  std::string device, output, handoff = "lockfree", wake = "auto", start, end, json, loop, bits;
  std::size_t period = 256, half = 0;
  int rate = 0;
  double gain_db = 0.0;
  bool quiet = false, fail_on_glitch = false;
  CLI::Option* period_option = nullptr;
};

int run_play(play_cli& cli) {
  pp::play_options o;
  o.files = cli.files;
  o.device = cli.device;
  o.output_file = cli.output;
  o.period_frames = cli.period;
  o.period_given = cli.period_option->count() > 0;
  o.half_frames = cli.half;
  o.gain_db = cli.gain_db;
  o.rate = cli.rate;
  const auto handoff = pingpong::parse_handoff(cli.handoff);
  if (!handoff) return fail(pp::exit_bad_input, "--handoff '" + cli.handoff + "': use lockfree, mutex, mutex-pi or trylock");
  o.handoff = *handoff;
  if (cli.wake != "auto") {  // auto: the library's choice (pp::resolved_wake)
    const auto wake = pingpong::parse_wake(cli.wake);
    if (!wake) return fail(pp::exit_bad_input, "--wake '" + cli.wake + "': use auto, semaphore or poll");
    o.wake = *wake;
  }
  if (o.files.empty()) return fail(pp::exit_bad_input, "play: give at least one FILE (see pingpong play --help)");
  try {
    if (!cli.loop.empty()) o.loops = parse_loops(cli.loop);
    o.encoding = parse_bits(cli.bits);
    if (!cli.bits.empty() && cli.output.empty()) throw pp::input_error("--bits applies to --output only");
    if (!cli.start.empty()) o.start_s = pp::parse_time(cli.start);
    if (!cli.end.empty()) o.end_s = pp::parse_time(cli.end);
    if (o.end_s >= 0 && o.end_s <= o.start_s) return fail(pp::exit_bad_input, "--end must be after --start");
    if (!cli.json.empty()) {
      check_text_output(cli.json, "--json", o.files);
      if (cli.json != "-" && cli.json == cli.output) throw pp::input_error("--json and --output are the same file");
    }
  } catch (const pp::input_error& e) {
    return fail(pp::exit_bad_input, e.what());
  } catch (const pp::output_error& e) {
    return fail(pp::exit_output, e.what());
  }

  const bool json_stdout = cli.json == "-";
  const bool live = !cli.quiet && !json_stdout && ::isatty(STDOUT_FILENO) == 1;
  std::FILE* human = json_stdout ? err_out : stdout;
  pp::play_hooks hooks;
  hooks.interrupt = &interrupted;
  if (live) hooks.on_tick = draw_status;
  if (!cli.quiet) {
    hooks.on_start = [&](const pp::play_report& r) {
      for (const auto& note : r.notes) std::fprintf(err_out, "pingpong: note: %s\n", pp::printable(note).c_str());
      std::fprintf(human, "playing %zu file%s on '%s' (%s) at %d Hz, %d ch, period %zu, half %zu, %s/%s\n",
                   r.files.size(), r.files.size() == 1 ? "" : "s", pp::printable(r.device.name).c_str(),
                   r.device.host_api.c_str(), r.device.sample_rate, r.device.channels, r.device.period_frames,
                   r.half_frames, r.handoff.c_str(), r.wake.c_str());
      std::fflush(human);  // a pipe or file sees it now, not at exit
    };
  }
  install_signal_handlers();

  pp::play_report report;
  try {
    report = pp::play(o, hooks);
  } catch (const pp::input_error& e) {
    return fail(pp::exit_bad_input, e.what());
  } catch (const pp::output_error& e) {
    return fail(pp::exit_output, e.what());
  } catch (const pp::device_error& e) {
    return fail(pp::exit_device, e.what());
  } catch (const std::exception& e) {
    return fail(pp::exit_device, e.what());
  }
  if (live) std::fputs("\r\x1b[K", stdout);
  if (!cli.quiet) std::fputs(pp::summary_text(report).c_str(), human);
  if (!cli.json.empty()) {
    try {
      pp::write_output_text(cli.json, "--json", pp::to_json(report, PINGPONG_VERSION_STRING));
    } catch (const pp::output_error& e) {
      return fail(pp::exit_output, e.what());
    }
  }
  if (!report.error.empty()) return fail(report.error_code, report.error);
  int code = pp::exit_ok;
  if (report.interrupted) code = 128 + interrupt_signal.load(std::memory_order_relaxed);  // 129 SIGHUP, 130 SIGINT, 143 SIGTERM
  else if (cli.fail_on_glitch && report.glitched()) code = pp::exit_glitched;
  // The summary on a closed stdout went to /dev/null (ensure_standard_fds);
  // on a failing one it is an error like any other lost output.
  return finish_stdout(code);
}

int run_devices() {
  try {
    const auto devices = pp::list_devices();
    if (devices.empty()) {
      std::puts("no output devices (start a JACK server: scripts/jack.sh start; or play with --device sim)");
      return pp::exit_ok;
    }
    std::printf("%-5s %-32s %-28s %4s %8s %10s\n", "index", "name", "host API", "ch", "rate", "latency ms");
    for (const auto& d : devices)
      std::printf("%-5d %-32s %-28s %4d %8.0f %5.1f-%-5.1f%s\n", d.index, d.name.c_str(), d.host_api.c_str(),
                  d.max_output_channels, d.default_rate, d.low_latency_s * 1e3, d.high_latency_s * 1e3,
                  d.is_default ? " (default)" : "");
    std::puts("sim   (simulated device: a paced thread, no audio)");
    return pp::exit_ok;
  } catch (const pp::device_error& e) {
    return fail(pp::exit_device, e.what());
  }
}

int run_info(const std::vector<std::string>& files) {
  int code = pp::exit_ok;
  for (const auto& path : files) {
    try {
      const pp::file_info i = pp::probe_file(path);
      std::printf("%s: %s, %s, %d Hz, %d ch, %lld frames, %s", pp::printable(path).c_str(), i.format.c_str(),
                  i.subtype.c_str(), i.sample_rate, i.channels, (long long)i.frames, clock_text(i.duration_s).c_str());
      if (i.channels > 2)
        std::printf(", %s%s%s", i.layout.c_str(), i.speakers.empty() ? "" : (" (" + i.speakers + ")").c_str(),
                    i.layout_source.empty() ? "" : ("; " + i.layout_source).c_str());
      std::printf("\n");
    } catch (const pp::input_error& e) {
      fail(pp::exit_bad_input, e.what());
      code = pp::exit_bad_input;
    }
  }
  return code;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  for (char c : text + ",") {
    if (c == ',') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else if (c != ' ') {
      item += c;
    }
  }
  return out;
}

struct lab_cli {
  std::vector<std::string> file;
  std::string handoffs = "lockfree,mutex,mutex-pi,trylock", wakes = "semaphore,poll", loads = "none", device = "sim";
  std::string json, html;
  std::size_t period = 64, half = 1024;
  double duration = 5.0, stall_ms = 0.0, stall_rate = 4.0;
  int repeat = 2;
  bool quiet = false;
};

std::string command_line(int argc, char** argv) {
  std::string c = "pingpong";
  for (int i = 1; i < argc; ++i) c += std::string(" ") + argv[i];
  return c;
}


std::vector<pp::load_kind> parse_loads(const std::string& text) {
  std::vector<pp::load_kind> loads;
  for (const auto& name : split_list(text)) {
    if (name == "all") {
      loads = {pp::load_kind::none, pp::load_kind::cpu, pp::load_kind::io, pp::load_kind::stall, pp::load_kind::inversion};
      continue;
    }
    pp::load_kind k;
    if (!pp::parse_load(name, k)) throw pp::input_error("--load '" + name + "': use none, cpu, io, stall, inversion or all");
    loads.push_back(k);
  }
  if (loads.empty()) throw pp::input_error("--load: give at least one load");
  return loads;
}

int run_compare_cmd(const lab_cli& cli, const std::string& command) {
  pp::compare_options o;
  o.file = cli.file.empty() ? "" : cli.file.front();
  o.period_frames = cli.period;
  o.half_frames = cli.half;
  o.duration_s = cli.duration;
  o.repeats = cli.repeat;
  o.device = cli.device == "default" ? "" : cli.device;
  o.command = command;
  o.load.stall_ms = cli.stall_ms;
  o.load.stall_rate_hz = cli.stall_rate;
  try {
    for (const auto& h : split_list(cli.handoffs)) {
      const auto k = pingpong::parse_handoff(h);
      if (!k) throw pp::input_error("--handoffs '" + h + "': use lockfree, mutex, mutex-pi, trylock");
      o.handoffs.push_back(*k);
    }
    for (const auto& w : split_list(cli.wakes)) {
      const auto k = pingpong::parse_wake(w);
      if (!k) throw pp::input_error("--wake '" + w + "': use semaphore, poll");
      o.wakes.push_back(*k);
    }
    o.loads = parse_loads(cli.loads);
    if (!cli.json.empty()) check_text_output(cli.json, "--json", cli.file);
    if (!cli.html.empty()) check_text_output(cli.html, "--report", cli.file);
    if (!cli.json.empty() && cli.json == cli.html && cli.json != "-") throw pp::input_error("--json and --report are the same file");
  } catch (const pp::input_error& e) {
    return fail(pp::exit_bad_input, e.what());
  } catch (const pp::output_error& e) {
    return fail(pp::exit_output, e.what());
  }
  install_signal_handlers();
  const bool progress = !cli.quiet && ::isatty(err_fd) == 1;
  pp::compare_report report;
  try {
    report = pp::run_compare(o, &interrupted, [&](const pp::compare_run& r, int done, int total) {
      if (!progress) return;
      std::fprintf(err_out, "\r[%d/%d] %s %s/%s: %llu underruns, %llu deadline misses\x1b[K", done, total, r.load.c_str(),
                   r.handoff.c_str(), r.wake.c_str(), (unsigned long long)r.report.underrun_events,
                   (unsigned long long)r.report.deadline_misses);
    });
  } catch (const pp::input_error& e) {
    return fail(pp::exit_bad_input, e.what());
  } catch (const pp::device_error& e) {
    return fail(pp::exit_device, e.what());
  }
  if (progress) std::fputs("\r\x1b[K", err_out);
  if (!cli.quiet && cli.json != "-") std::fputs(pp::compare_table(report).c_str(), stdout);
  try {
    if (!cli.json.empty()) pp::write_output_text(cli.json, "--json", pp::compare_json(report));
    if (!cli.html.empty()) pp::write_output_text(cli.html, "--report", pp::render_html(report));
  } catch (const pp::output_error& e) {
    return fail(pp::exit_output, e.what());
  }
  return finish_stdout(interrupted.load() ? 128 + interrupt_signal.load() : pp::exit_ok, !cli.quiet && cli.json != "-");
}

int run_probe_cmd(const lab_cli& cli) {
  pp::probe_options o;
  o.file = cli.file.empty() ? "" : cli.file.front();
  o.device = cli.device == "default" ? "" : cli.device;
  o.duration_s = cli.duration;
  o.load_settings_.stall_ms = cli.stall_ms;
  o.load_settings_.stall_rate_hz = cli.stall_rate;
  try {
    const auto h = pingpong::parse_handoff(cli.handoffs);
    if (!h) throw pp::input_error("--handoff '" + cli.handoffs + "': use one of lockfree, mutex, mutex-pi, trylock");
    o.handoff = *h;
    const auto w = pingpong::parse_wake(cli.wakes);
    if (!w) throw pp::input_error("--wake '" + cli.wakes + "': use semaphore or poll");
    o.wake = *w;
    const auto loads = parse_loads(cli.loads);
    if (loads.size() != 1) throw pp::input_error("probe: give one --load");
    o.load = loads.front();
    if (!cli.json.empty()) check_text_output(cli.json, "--json", cli.file);
  } catch (const pp::input_error& e) {
    return fail(pp::exit_bad_input, e.what());
  } catch (const pp::output_error& e) {
    return fail(pp::exit_output, e.what());
  }
  install_signal_handlers();
  pp::probe_report report;
  try {
    report = pp::run_probe(o, &interrupted, [&](const pp::probe_step& s) {
      if (!cli.quiet && cli.json != "-")
        std::fprintf(err_out, "period %zu half %zu: %s\n", s.period_frames, s.half_frames,
                     s.clean ? "clean" : s.stopped_early ? "fails (stopped early)" : "glitched");
    });
  } catch (const pp::input_error& e) {
    return fail(pp::exit_bad_input, e.what());
  } catch (const pp::device_error& e) {
    return fail(pp::exit_device, e.what());
  }
  if (!cli.quiet && cli.json != "-") std::fputs(pp::probe_text(report).c_str(), stdout);
  try {
    if (!cli.json.empty()) pp::write_output_text(cli.json, "--json", pp::probe_json(report, PINGPONG_VERSION_STRING));
  } catch (const pp::output_error& e) {
    return fail(pp::exit_output, e.what());
  }
  if (interrupted.load()) return 128 + interrupt_signal.load();
  return finish_stdout(report.best >= 0 ? pp::exit_ok : pp::exit_glitched, !cli.quiet && cli.json != "-");
}

}  // namespace

int main(int argc, char** argv) {
  ensure_standard_fds();
  CLI::App app{"pingpong " PINGPONG_VERSION_STRING
               " — real-time double-buffer audio player and glitch lab.\n"
               "Exit codes: 0 ok, 1 glitched (--fail-on-glitch), 2 bad usage/input, 3 device error, 4 output not written,\n"
               "129/130/143 interrupted (SIGHUP/SIGINT/SIGTERM; a second signal stops at once).",
               "pingpong"};
  app.set_version_flag("--version", "pingpong " PINGPONG_VERSION_STRING);
  app.require_subcommand(1);

  // The library's ranges (player.hpp, compare.hpp), checked at parse time.
  const auto frames = [](std::size_t n) { return static_cast<double>(n); };
  const CLI::Validator period_range = number_in(frames(pp::min_period_frames), frames(pp::max_period_frames), "frames", true);
  const CLI::Validator half_range = number_in(frames(pp::min_period_frames), frames(pp::max_half_frames), "frames", true);
  const CLI::Validator half_range_auto =
      number_in(frames(pp::min_period_frames), frames(pp::max_half_frames), "frames", true, false, true);
  const CLI::Validator stall_ms_range = number_in(0, pp::max_stall_ms, "ms", false);
  const CLI::Validator stall_rate_range = number_in(0, pp::max_stall_rate_hz, "per second", false, true);

  play_cli cli;
  auto* play = app.add_subcommand("play", "Play audio files (WAV, AIFF, FLAC, Ogg Vorbis, Opus, MP3, ...) gaplessly");
  play->add_option("files", cli.files, "Files to play, in order");
  play->add_option("-d,--device", cli.device, "Output: name substring or index (pingpong devices), or 'sim'");
  play->add_option("-o,--output", cli.output, "Render offline to FILE (.wav float, .flac, .ogg, .aiff) instead");
  cli.period_option = play->add_option("-p,--period", cli.period, "Frames per callback (JACK: the server's own)")
                          ->capture_default_str()->check(period_range);
  play->add_option("-r,--rate", cli.rate, "Output sample rate (default: the first file's; resampled with soxr)")
      ->check(number_in(pp::min_output_rate, pp::max_output_rate, "Hz", true, false, true));
  play->add_option("--half", cli.half, "Frames per half of the double buffer (default 8 x period, at least 2048)")
      ->check(half_range_auto);
  play->add_option("--handoff", cli.handoff, "lockfree | mutex | mutex-pi | trylock")->capture_default_str();
  play->add_option("--wake", cli.wake, "auto | semaphore | poll (auto: poll on a device, semaphore with -o)")
      ->capture_default_str();
  play->add_option("-g,--gain", cli.gain_db, "Gain in dB")->capture_default_str()->check(number_in(pp::min_gain_db, pp::max_gain_db, "dB", false));
  play->add_option("--start", cli.start, "Start each file here (seconds or mm:ss)");
  play->add_option("--end", cli.end, "End each file here (seconds or mm:ss)");
  play->add_option("--loop", cli.loop, "Play the list N times, or 'inf' until stopped (not with -o)");
  play->add_option("--bits", cli.bits, "Sample format of -o: 16, 24, 32 or float (default: float; FLAC 24)");
  play->add_flag("-q,--quiet", cli.quiet, "No status line and no summary");
  play->add_option("--json", cli.json, "Write the report as JSON to FILE ('-' for stdout)");
  play->add_flag("--fail-on-glitch", cli.fail_on_glitch, "Exit 1 if anything glitched");

  auto* devices = app.add_subcommand("devices", "List output devices (host API, channels, rate, latency)");
  std::vector<std::string> info_files;
  auto* info = app.add_subcommand("info", "Show format, rate, channels and length of files");
  info->add_option("files", info_files, "Files")->required();

  lab_cli lab;
  auto* compare = app.add_subcommand("compare", "Glitch lab: every handoff x wake under the same load, interleaved");
  compare->add_option("file", lab.file, "Input file (default: a generated signal)")->expected(0, 1);
  compare->add_option("--handoffs", lab.handoffs, "Comma list of handoffs")->capture_default_str();
  compare->add_option("--wake", lab.wakes, "Comma list of wakes")->capture_default_str();
  compare->add_option("--load", lab.loads, "none | cpu | io | stall | inversion | all (comma list)")->capture_default_str();
  compare->add_option("-p,--period", lab.period, "Frames per callback")->capture_default_str()->check(period_range);
  compare->add_option("--half", lab.half, "Frames per half")->capture_default_str()->check(half_range);
  compare->add_option("--duration", lab.duration, "Seconds per run")->capture_default_str()
      ->check(number_in(0, pp::max_compare_duration_s, "seconds", false, true));
  compare->add_option("--repeat", lab.repeat, "Runs per combination")->capture_default_str()->check(number_in(1, pp::max_repeats, "", true));
  compare->add_option("-d,--device", lab.device, "sim, 'default', or a device name/index")->capture_default_str();
  compare->add_option("--stall-ms", lab.stall_ms, "stall load: length of each stall (default: half a half)")->check(stall_ms_range);
  compare->add_option("--stall-rate", lab.stall_rate, "stall load: stalls per second")->capture_default_str()->check(stall_rate_range);
  compare->add_option("--json", lab.json, "Write every run and the summary as JSON ('-' for stdout)");
  compare->add_option("--report", lab.html, "Write a self-contained HTML report");
  compare->add_flag("-q,--quiet", lab.quiet, "No table, no progress");

  lab_cli probe_cli;
  probe_cli.handoffs = "lockfree";
  probe_cli.wakes = "poll";
  probe_cli.duration = 3.0;
  auto* probe = app.add_subcommand("probe", "Find the smallest period/half with zero glitches on a device and load");
  probe->add_option("file", probe_cli.file, "Input file (default: a generated signal)")->expected(0, 1);
  probe->add_option("--handoff", probe_cli.handoffs, "Handoff to probe")->capture_default_str();
  probe->add_option("--wake", probe_cli.wakes, "Wake to probe")->capture_default_str();
  probe->add_option("--load", probe_cli.loads, "none | cpu | io | stall | inversion")->capture_default_str();
  probe->add_option("--duration", probe_cli.duration, "Seconds per configuration")->capture_default_str()
      ->check(number_in(0, pp::max_probe_duration_s, "seconds", false, true));
  probe->add_option("-d,--device", probe_cli.device, "sim, 'default', or a device name/index")->capture_default_str();
  probe->add_option("--stall-ms", probe_cli.stall_ms, "stall load: length of each stall")->check(stall_ms_range);
  probe->add_option("--stall-rate", probe_cli.stall_rate, "stall load: stalls per second")->capture_default_str()->check(stall_rate_range);
  probe->add_option("--json", probe_cli.json, "Write the sweep as JSON ('-' for stdout)");
  probe->add_flag("-q,--quiet", probe_cli.quiet, "Only the JSON / exit code");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    if (what.empty()) what = "bad usage";
    return fail(pp::exit_bad_input, what + " (see pingpong --help)");
  }
  if (!devices->parsed()) quiet_library_stderr();
  if (play->parsed()) return run_play(cli);
  if (devices->parsed()) return finish_stdout(run_devices(), true);
  if (info->parsed()) return finish_stdout(run_info(info_files), true);
  if (compare->parsed()) return run_compare_cmd(lab, command_line(argc, argv));
  if (probe->parsed()) return run_probe_cmd(probe_cli);
  return fail(pp::exit_bad_input, "no command (see pingpong --help)");
}
