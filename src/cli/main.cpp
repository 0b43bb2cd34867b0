// pingpong — play audio files through the double buffer and measure glitches.
//
//   pingpong play FILE... [options]     play (see --help)
//   pingpong devices                    list output devices
//   pingpong info FILE...               format, rate, channels, length
//
// Exit codes: 0 ok; 1 glitched with --fail-on-glitch; 2 bad usage or input;
// 3 device or audio server error; 130 interrupted (SIGINT), 143 (SIGTERM).
#include <CLI/CLI.hpp>
#include <pingpong/detail/checks.hpp>
#include <pingpong/version.hpp>

#include <fcntl.h>
#include <signal.h>
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
#include <fstream>
#include <iostream>
#include <string>

#include "player/compare.hpp"
#include "player/player.hpp"
#include "player/source.hpp"

namespace pp = pingpong::player;

namespace {

std::atomic<bool> interrupted{false};
std::atomic<int> interrupt_signal{0};
static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free);  // signal-safe

extern "C" void on_signal(int signal_number) {
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
}

std::string clock_text(double s) {
  if (s < 0) return "--:--";
  char buf[32];
  const int m = int(s / 60);
  std::snprintf(buf, sizeof buf, "%d:%04.1f", m, s - 60.0 * m);
  return buf;
}

void draw_status(const pp::live_status& st) {
  std::string cpu = st.cpu_load >= 0 ? std::to_string(int(std::lround(st.cpu_load * 100))) + "%" : "n/a";
  std::fprintf(stdout, "\r%s / %s  fill %3d%%  underruns %llu  deadline misses %llu  xruns %llu  cpu %s\x1b[K",
               clock_text(st.position_s).c_str(), clock_text(st.duration_s).c_str(), int(std::lround(st.fill * 100)),
               (unsigned long long)st.underruns, (unsigned long long)st.deadline_misses,
               (unsigned long long)st.device_xruns, cpu.c_str());
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

int fail(int code, const std::string& message) {
  std::fprintf(err_out, "pingpong: %s\n", message.c_str());
  return code;
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

bool is_count(const std::string& s) {
  return !s.empty() && s.size() < 10 && s.find_first_not_of("0123456789") == std::string::npos;
}

struct play_cli {
  std::vector<std::string> files;
  std::string device, output, handoff = "lockfree", wake = "auto", start, end, json, loop;
  std::size_t period = 256, half = 0;
  int rate = 0;
  double gain_db = 0.0;
  bool quiet = false, fail_on_glitch = false;
  CLI::Option* loop_option = nullptr;
};

int run_play(play_cli& cli) {
  pp::play_options o;
  o.files = cli.files;
  o.device = cli.device;
  o.output_file = cli.output;
  o.period_frames = cli.period;
  o.half_frames = cli.half;
  o.gain_db = cli.gain_db;
  o.rate = cli.rate;
  const auto handoff = pingpong::parse_handoff(cli.handoff);
  if (!handoff) return fail(pp::exit_bad_input, "--handoff '" + cli.handoff + "': use lockfree, mutex, mutex-pi or trylock");
  o.handoff = *handoff;
  // auto: poll for a device (no system call on the real-time thread);
  // semaphore offline, where there is no real-time thread and a sleeping
  // producer woken at once renders a 60 s WAV 4x faster than a polling one.
  const std::string wake_name = cli.wake == "auto" ? (cli.output.empty() ? "poll" : "semaphore") : cli.wake;
  const auto wake = pingpong::parse_wake(wake_name);
  if (!wake) return fail(pp::exit_bad_input, "--wake '" + cli.wake + "': use auto, semaphore or poll");
  o.wake = *wake;
  if (cli.loop_option->count() > 0) {
    if (cli.loop.empty()) {
      o.loops = 0;
    } else if (is_count(cli.loop) || cli.loop.find_first_not_of("0123456789") == std::string::npos) {
      const char* range = ": use a count from 1 to 999999999, or --loop alone to repeat until stopped";
      if (!is_count(cli.loop)) return fail(pp::exit_bad_input, "--loop '" + cli.loop + "' is out of range" + range);
      o.loops = std::stoi(cli.loop);
      if (o.loops == 0) return fail(pp::exit_bad_input, "--loop 0 is out of range" + std::string(range));
    } else {
      o.files.insert(o.files.begin(), cli.loop);  // `--loop song.wav`: the value was a file
      o.loops = 0;
    }
  }
  if (o.files.empty()) return fail(pp::exit_bad_input, "play: give at least one FILE (see pingpong play --help)");
  try {
    if (!cli.start.empty()) o.start_s = pp::parse_time(cli.start);
    if (!cli.end.empty()) o.end_s = pp::parse_time(cli.end);
    if (o.end_s >= 0 && o.end_s <= o.start_s) return fail(pp::exit_bad_input, "--end must be after --start");
  } catch (const pp::input_error& e) {
    return fail(pp::exit_bad_input, e.what());
  }

  const bool json_stdout = cli.json == "-";
  const bool live = !cli.quiet && !json_stdout && ::isatty(STDOUT_FILENO) == 1;
  std::FILE* human = json_stdout ? err_out : stdout;
  pp::play_hooks hooks;
  hooks.interrupt = &interrupted;
  if (live) hooks.on_tick = draw_status;
  if (!cli.quiet) {
    hooks.on_start = [&](const pp::play_report& r) {
      std::fprintf(human, "playing %zu file%s on '%s' (%s) at %d Hz, %d ch, period %zu, half %zu, %s/%s\n",
                   r.files.size(), r.files.size() == 1 ? "" : "s", r.device.name.c_str(), r.device.host_api.c_str(),
                   r.device.sample_rate, r.device.channels, r.device.period_frames, r.half_frames, r.handoff.c_str(),
                   r.wake.c_str());
      std::fflush(human);  // a pipe or file sees it now, not at exit
    };
  }
  install_signal_handlers();

  pp::play_report report;
  try {
    report = pp::play(o, hooks);
  } catch (const pp::input_error& e) {
    return fail(pp::exit_bad_input, e.what());
  } catch (const pp::device_error& e) {
    return fail(pp::exit_device, e.what());
  } catch (const std::exception& e) {
    return fail(pp::exit_device, e.what());
  }
  if (live) std::fputs("\r\x1b[K", stdout);
  if (!cli.quiet) std::fputs(pp::summary_text(report).c_str(), human);
  if (!cli.json.empty()) {
    const std::string text = pp::to_json(report, PINGPONG_VERSION_STRING);
    if (json_stdout) {
      std::fputs(text.c_str(), stdout);
    } else {
      std::ofstream f(cli.json);
      f << text;
      if (!f) return fail(pp::exit_bad_input, "cannot write --json '" + cli.json + "'");
    }
  }
  if (!report.error.empty()) return fail(report.error_code, report.error);
  if (report.interrupted) return 128 + interrupt_signal.load(std::memory_order_relaxed);  // 130 SIGINT, 143 SIGTERM
  if (cli.fail_on_glitch && report.glitched()) return pp::exit_glitched;
  return pp::exit_ok;
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
      std::printf("%s: %s, %s, %d Hz, %d ch, %lld frames, %s\n", path.c_str(), i.format.c_str(), i.subtype.c_str(),
                  i.sample_rate, i.channels, (long long)i.frames, clock_text(i.duration_s).c_str());
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

bool write_text(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::fputs(text.c_str(), stdout);
    return true;
  }
  std::ofstream f(path);
  f << text;
  return bool(f);
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
  } catch (const pp::input_error& e) {
    return fail(pp::exit_bad_input, e.what());
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
  if (!cli.json.empty() && !write_text(cli.json, pp::compare_json(report)))
    return fail(pp::exit_bad_input, "cannot write --json '" + cli.json + "'");
  if (!cli.html.empty() && !write_text(cli.html, pp::render_html(report)))
    return fail(pp::exit_bad_input, "cannot write --report '" + cli.html + "'");
  return interrupted.load() ? 128 + interrupt_signal.load() : pp::exit_ok;
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
  } catch (const pp::input_error& e) {
    return fail(pp::exit_bad_input, e.what());
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
  if (!cli.json.empty() && !write_text(cli.json, pp::probe_json(report, PINGPONG_VERSION_STRING)))
    return fail(pp::exit_bad_input, "cannot write --json '" + cli.json + "'");
  if (interrupted.load()) return 128 + interrupt_signal.load();
  return report.best >= 0 ? pp::exit_ok : pp::exit_glitched;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pingpong " PINGPONG_VERSION_STRING
               " — real-time double-buffer audio player and glitch lab.\n"
               "Exit codes: 0 ok, 1 glitched (--fail-on-glitch), 2 bad usage/input, 3 device error, 130/143 interrupted (SIGINT/SIGTERM).",
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
  play->add_option("-p,--period", cli.period, "Frames per callback")->capture_default_str()->check(period_range);
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
  cli.loop_option = play->add_option("--loop", cli.loop, "Play the list N times; alone: until Ctrl-C")->expected(0, 1);
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
  if (devices->parsed()) return run_devices();
  if (info->parsed()) return run_info(info_files);
  if (compare->parsed()) return run_compare_cmd(lab, command_line(argc, argv));
  if (probe->parsed()) return run_probe_cmd(probe_cli);
  return fail(pp::exit_bad_input, "no command (see pingpong --help)");
}
