// pingpong — play audio files through the double buffer and measure glitches.
//
//   pingpong play FILE... [options]     play (see --help)
//   pingpong devices                    list output devices
//   pingpong info FILE...               format, rate, channels, length
//   pingpong compare / probe            the glitch lab
//
// Exit codes: 0 ok; 1 glitched with --fail-on-glitch; 2 bad usage or input;
// 3 device or audio server error; 4 an output could not be written;
// 129/130/143 interrupted (SIGHUP/SIGINT/SIGTERM).
//
// This file declares the options (CLI11) and dispatches; each command is in
// a file of its own (commands.hpp).
#include <CLI/CLI.hpp>
#include <pingpong/version.hpp>

#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/option_checks.hpp"
#include "cli/process.hpp"
#include "player/lab/compare.hpp"
#include "player/lab/probe.hpp"
#include "player/player.hpp"
#include "player/report/html.hpp"
#include "player/report/json.hpp"
#include "player/report/text.hpp"

namespace pp = pingpong::player;
using namespace pingpong::cli;

namespace {
int run(int argc, char** argv);
}  // namespace

int main(int argc, char** argv) {
  // Anything that escapes a command is a bug; say so in one line, exit 3.
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    return fail(pp::exit_device, std::string("internal error: ") + e.what());
  } catch (...) {
    return fail(pp::exit_device, "internal error");
  }
}

namespace {

/// The library's ranges (player.hpp, compare.hpp), checked at parse time.
struct option_ranges {
  CLI::Validator period, half, half_or_auto, stall_ms, stall_rate;
  static option_ranges make() {
    const auto frames = [](std::size_t n) { return static_cast<double>(n); };
    return {number_in(frames(pp::min_period_frames), frames(pp::max_period_frames), "frames", true),
            number_in(frames(pp::min_period_frames), frames(pp::max_half_frames), "frames", true),
            number_in(frames(pp::min_period_frames), frames(pp::max_half_frames), "frames", true, false, true),
            number_in(0, pp::max_stall_ms, "ms", false),
            number_in(0, pp::max_stall_rate_hz, "per second", false, true)};
  }
};

constexpr const char* play_help_footer = R"(
Keys (when stdin is a terminal; not with -o or --no-keys):
  Space, p     pause / resume (a few ms fade; the device plays silence, no underrun)
  Left, Right  seek -5 s / +5 s     Down, Up  seek -60 s / +60 s
               (before the start: the start; past the end: the next file)
  9 or /       volume -1 dB         0 or *    volume +1 dB (ramped; -60..+12 dB)
  m            mute / unmute        > or Enter  next file     <  previous file
  q, Esc       quit (fade, summary, exit 0)
  Ctrl-C       stop (exit 130); a second Ctrl-C stops at once. The terminal's mode
               is restored on every way out.
Inputs: '-' reads stdin; /dev/stdin and named pipes work the same way. A pipe is read
  once, front to back: WAV, AU, AIFF, Ogg (Vorbis, Opus) or MP3; FLAC and CAF need a
  seekable file (one line, exit 2). A named pipe waits up to 2 s for its writer.
  No seeking in a pipe (said on the status line);
  an unknown length shows as --:--. Not with --loop, and at most once per list.
Status line: one line fitted to the terminal, e.g.
  ▶ 2/9 name  0:02.8 / 3:41.0  −3 dB  buf ▮▮▯  xruns 0     (⏸ paused)
  colour only on a terminal and without NO_COLOR.
Exit codes: 0 ok (also q); 1 glitched with --fail-on-glitch; 2 bad usage or input
  (incl. a format a pipe cannot carry); 3 device or audio server error; 4 output not
  written; 129/130/143 interrupted (SIGHUP/SIGINT/SIGTERM).)";

CLI::App* add_play(CLI::App& app, play_cli& cli, const option_ranges& r) {
  auto* play = app.add_subcommand("play", "Play audio files (WAV, AIFF, FLAC, Ogg Vorbis, Opus, MP3, ...) gaplessly");
  play->add_option("files", cli.files,
                   "Files, folders (natural order), .m3u/.m3u8/.pls playlists, in order; '-' (stdin), /dev/stdin or a "
                   "named pipe: WAV, AU, AIFF, Ogg or MP3 read once, front to back");
  play->add_option("-d,--device", cli.device, "Output: name substring or index (pingpong devices), or 'sim'");
  play->add_option("-o,--output", cli.output, "Render offline to FILE (.wav float, .flac, .ogg, .aiff) instead");
  cli.period_option = play->add_option("-p,--period", cli.period, "Frames per callback (JACK: the server's own)")
                          ->capture_default_str()
                          ->check(r.period);
  play->add_option("-r,--rate", cli.rate, "Output sample rate (default: the first file's; resampled with soxr)")
      ->check(number_in(pp::min_output_rate, pp::max_output_rate, "Hz", true, false, true));
  play->add_option("--half", cli.half, "Frames per half of the double buffer (default 8 x period, at least 2048)")
      ->check(r.half_or_auto);
  play->add_option("--handoff", cli.handoff, "lockfree | mutex | mutex-pi | trylock")->capture_default_str();
  play->add_option("--wake", cli.wake, "auto | semaphore | poll (auto: poll on a device, semaphore with -o)")
      ->capture_default_str();
  play->add_option("-g,--gain", cli.gain_db, "Gain in dB")
      ->capture_default_str()
      ->check(number_in(pp::min_gain_db, pp::max_gain_db, "dB", false));
  play->add_option("--start", cli.start, "Start each file here (seconds or mm:ss)");
  play->add_option("--end", cli.end, "End each file here (seconds or mm:ss)");
  play->add_option("--loop", cli.loop, "Play the list N times, or 'inf' until stopped (not with -o)");
  play->add_option("--bits", cli.bits, "Sample format of -o: 16, 24, 32 or float (default: float; FLAC 24)");
  play->add_option("--producer-priority", cli.producer_priority,
                   "Producer thread: auto (SCHED_FIFO 1 on a device, if permitted), off, or a priority 1..98")
      ->capture_default_str();
  play->add_flag("--recursive", cli.recursive, "Folders: play their subfolders' audio files too");
  play->add_flag("--shuffle", cli.shuffle, "Play the list in random order");
  play->add_flag("--no-memory-lock", cli.no_memory_lock, "Do not mlockall() while playing on a device");
  play->add_flag("-q,--quiet", cli.quiet, "No status line and no summary");
  play->add_flag("--no-status", cli.no_status, "No status line (the summary stays)");
  play->add_flag("-v,--verbose", cli.verbose, "Open with the technical header (device, period, half, handoff)");
  play->add_flag("--no-keys", cli.no_keys, "Do not read keys from the terminal");
  play->footer(play_help_footer);
  play->add_option("--json", cli.json, "Write the report as JSON to FILE ('-' for stdout)");
  play->add_flag("--fail-on-glitch", cli.fail_on_glitch, "Exit 1 if anything glitched");
  play->add_flag("--mix", cli.mix, "Play every FILE at once, summed (one producer thread; -g applies to each)");

  return play;
}

CLI::App* add_compare(CLI::App& app, lab_cli& lab, const option_ranges& r) {
  auto* compare = app.add_subcommand("compare", "Glitch lab: every handoff x wake under the same load, interleaved");
  compare->add_option("file", lab.file, "Input file (default: a generated signal)")->expected(0, 1);
  compare->add_option("--handoffs", lab.handoffs, "Comma list of handoffs")->capture_default_str();
  compare->add_option("--wake", lab.wakes, "Comma list of wakes")->capture_default_str();
  compare->add_option("--load", lab.loads, "none | cpu | io | stall | inversion | all (comma list)")
      ->capture_default_str();
  compare->add_option("-p,--period", lab.period, "Frames per callback")->capture_default_str()->check(r.period);
  compare->add_option("--half", lab.half, "Frames per half")->capture_default_str()->check(r.half);
  compare->add_option("--duration", lab.duration, "Seconds per run")
      ->capture_default_str()
      ->check(number_in(0, pp::max_compare_duration_s, "seconds", false, true));
  compare->add_option("--repeat", lab.repeat, "Runs per combination")
      ->capture_default_str()
      ->check(number_in(1, pp::max_repeats, "", true));
  compare->add_option("-d,--device", lab.device, "sim, 'default', or a device name/index")->capture_default_str();
  compare->add_option("--stall-ms", lab.stall_ms, "stall load: length of each stall (default: half a half)")
      ->check(r.stall_ms);
  compare->add_option("--stall-rate", lab.stall_rate, "stall load: stalls per second")
      ->capture_default_str()
      ->check(r.stall_rate);
  compare->add_option("--json", lab.json, "Write every run and the summary as JSON ('-' for stdout)");
  compare->add_option("--report", lab.html, "Write a self-contained HTML report");
  compare->add_flag("-q,--quiet", lab.quiet, "No table, no progress");

  return compare;
}

CLI::App* add_probe(CLI::App& app, lab_cli& probe_cli, const option_ranges& r) {
  probe_cli.handoffs = "lockfree";
  probe_cli.wakes = "poll";
  probe_cli.duration = 3.0;
  auto* probe = app.add_subcommand("probe", "Find the smallest period/half with zero glitches on a device and load");
  probe->add_option("file", probe_cli.file, "Input file (default: a generated signal)")->expected(0, 1);
  probe->add_option("--handoff", probe_cli.handoffs, "Handoff to probe")->capture_default_str();
  probe->add_option("--wake", probe_cli.wakes, "Wake to probe")->capture_default_str();
  probe->add_option("--load", probe_cli.loads, "none | cpu | io | stall | inversion")->capture_default_str();
  probe->add_option("--duration", probe_cli.duration, "Seconds per configuration")
      ->capture_default_str()
      ->check(number_in(0, pp::max_probe_duration_s, "seconds", false, true));
  probe->add_option("-d,--device", probe_cli.device, "sim, 'default', or a device name/index")->capture_default_str();
  probe->add_option("--stall-ms", probe_cli.stall_ms, "stall load: length of each stall")->check(r.stall_ms);
  probe->add_option("--stall-rate", probe_cli.stall_rate, "stall load: stalls per second")
      ->capture_default_str()
      ->check(r.stall_rate);
  probe->add_option("--json", probe_cli.json, "Write the sweep as JSON ('-' for stdout)");
  probe->add_flag("-q,--quiet", probe_cli.quiet, "Only the JSON / exit code");
  probe->add_flag("--streams", probe_cli.streams, "How many simultaneous streams of FILE stay glitch-free (streamer)");
  probe_cli.stream_period_option =
      probe->add_option("-p,--period", probe_cli.stream_period, "--streams: frames per callback")
          ->capture_default_str()
          ->check(r.period);
  probe->add_option("--max-streams", probe_cli.max_streams, "--streams: stop doubling here")
      ->capture_default_str()
      ->check(CLI::Range(1, 65536));

  return probe;
}

int run(int argc, char** argv) {
  ensure_standard_fds();
  CLI::App app{
      "pingpong " PINGPONG_VERSION_STRING
      " — real-time double-buffer audio player and glitch lab.\n"
      "Exit codes: 0 ok, 1 glitched (--fail-on-glitch), 2 bad usage/input, 3 device error, 4 output not written,\n"
      "129/130/143 interrupted (SIGHUP/SIGINT/SIGTERM; a second signal stops at once).",
      "pingpong"};
  app.set_version_flag("--version", "pingpong " PINGPONG_VERSION_STRING);
  app.require_subcommand(1);
  const option_ranges ranges = option_ranges::make();
  play_cli cli;
  lab_cli lab, probe_cli;
  CLI::App* play = add_play(app, cli, ranges);
  auto* devices = app.add_subcommand("devices", "List output devices (host API, channels, rate, latency)");
  std::vector<std::string> info_files;
  auto* info = app.add_subcommand("info", "Show format, rate, channels and length of files");
  info->add_option("files", info_files, "Files")->required();

  CLI::App* compare = add_compare(app, lab, ranges);
  CLI::App* probe = add_probe(app, probe_cli, ranges);

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
  if (play->parsed()) return cli.mix ? run_play_mix(cli) : run_play(cli);
  if (devices->parsed()) return finish_stdout(run_devices(), true);
  if (info->parsed()) return finish_stdout(run_info(info_files), true);
  if (compare->parsed()) return run_compare_cmd(lab, command_line(argc, argv));
  if (probe->parsed()) return run_probe_or_streams(probe_cli);
  return fail(pp::exit_bad_input, "no command (see pingpong --help)");
}

}  // namespace
