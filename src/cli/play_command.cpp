// pingpong play: options → play_options, hooks for the status line, the
// summary, the JSON, the exit code.
#include "cli/commands.hpp"

#include <pingpong/version.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <random>

#include "cli/keys.hpp"
#include "cli/option_checks.hpp"
#include "cli/process.hpp"
#include "cli/status_line.hpp"
#include "player/output_file.hpp"
#include "player/playlist.hpp"
#include "player/report/json.hpp"
#include "player/report/text.hpp"
#include "player/source/source.hpp"
#include "player/text.hpp"

namespace pingpong::cli {
namespace pp = pingpong::player;

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
  if (o.files.empty()) return fail(pp::exit_bad_input, "play: give at least one FILE (see pingpong play --help)");
  try {
    pp::playlist_options lists;
    lists.recursive = cli.recursive;
    lists.shuffle = cli.shuffle;
    lists.seed = std::random_device{}();
    o.files.clear();
    for (pp::playlist_entry& e : pp::expand_inputs(cli.files, lists)) {
      o.files.push_back(std::move(e.path));
      o.titles.push_back(std::move(e.title));
    }
    o.handoff = handoff_named(cli.handoff, "--handoff");
    if (cli.wake != "auto")
      o.wake = wake_named(cli.wake, "--wake", true);  // auto: the library's choice (pp::resolved_wake)
    if (!cli.loop.empty()) o.loops = parse_loops(cli.loop);
    o.encoding = parse_bits(cli.bits);
    // Offline there is no deadline: a real-time producer would only take
    // the machine from everything else. On a device, SCHED_FIFO 1 is above
    // every normal thread (the loads a machine has) and below any audio
    // thread (JACK's, PortAudio's, the sim device's), where permitted.
    const bool on_device = cli.output.empty();
    o.producer_fifo_priority = parse_producer_priority(cli.producer_priority, on_device ? 1 : 0);
    o.lock_memory = on_device && !cli.no_memory_lock;
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
  const bool live = !cli.quiet && !cli.no_status && !json_stdout && ::isatty(STDOUT_FILENO) == 1;
  std::FILE* human = json_stdout ? err_out : stdout;
  pp::play_hooks hooks;
  hooks.interrupt = &interrupted;
  // Keys: a terminal on stdin (in the foreground), a device (not -o), and
  // stdin not the audio itself.
  const bool reads_stdin = std::find(o.files.begin(), o.files.end(), "-") != o.files.end();
  const bool keys = !cli.no_keys && cli.output.empty() && !reads_stdin && keys_possible();
  o.interactive = keys;
  key_reader reader;
  if (keys) hooks.on_idle = [&reader](pp::play_control& c) { reader.poll(c, std::chrono::milliseconds(10)); };
  if (live) {
    const bool colour = colour_wanted();
    hooks.on_tick = [&reader, colour](const pp::live_status& st) {
      pp::live_status shown = st;
      shown.message = reader.message();
      draw_status(shown, colour);
    };
  }
  if (!cli.quiet) {
    hooks.on_start = [&](const pp::play_report& r) {
      for (const auto& note : r.notes) std::fprintf(err_out, "pingpong: note: %s\n", pp::printable(note).c_str());
      if (!cli.verbose) return;  // the technical header: -v
      std::fprintf(human, "playing %zu file%s on '%s' (%s) at %d Hz, %d ch, period %zu, half %zu, %s/%s\n",
                   r.files.size(), r.files.size() == 1 ? "" : "s", pp::printable(r.device.name).c_str(),
                   r.device.host_api.c_str(), r.device.sample_rate, r.device.channels, r.device.period_frames,
                   r.half_frames, r.handoff.c_str(), r.wake.c_str());
      std::fflush(human);  // a pipe or file sees it now, not at exit
    };
  }
  install_signal_handlers();
  // Raw mode for the keys, restored by its destructor, at exit(), and in
  // the second signal's _exit path (process.cpp).
  std::optional<raw_terminal> terminal;
  if (keys) terminal.emplace();

  pp::play_report report;
  try {
    report = pp::play(o, hooks);
  } catch (const pp::input_error& e) {
    // A signal while waiting for a pipe's writer is an interrupt, not bad input.
    if (interrupted.load(std::memory_order_relaxed))
      return 128 + interrupt_signal.load(std::memory_order_relaxed);  // relaxed: polled flags
    return fail(pp::exit_bad_input, e.what());
  } catch (const pp::output_error& e) {
    return fail(pp::exit_output, e.what());
  } catch (const pp::device_error& e) {
    return fail(pp::exit_device, e.what());
  } catch (const std::exception& e) {
    return fail(pp::exit_device, e.what());
  }
  terminal.reset();
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
  if (report.interrupted)
    code = 128 + interrupt_signal.load(std::memory_order_relaxed);  // 129 SIGHUP, 130 SIGINT, 143 SIGTERM
  else if (cli.fail_on_glitch && report.glitched())
    code = pp::exit_glitched;
  // The summary on a closed stdout went to /dev/null (ensure_standard_fds);
  // on a failing one it is an error like any other lost output.
  return finish_stdout(code);
}

}  // namespace pingpong::cli
