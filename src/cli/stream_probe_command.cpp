// pingpong probe --streams: the most simultaneous streams that stay
// glitch-free (player/lab/stream_probe.hpp).
#include <pingpong/version.hpp>

#include <cstdio>

#include "cli/commands.hpp"
#include "cli/option_checks.hpp"
#include "cli/process.hpp"
#include "player/errors.hpp"
#include "player/lab/stream_probe.hpp"
#include "player/output_file.hpp"

namespace pingpong::cli {
namespace pp = pingpong::player;

namespace {

int run_probe_streams_cmd(const lab_cli& cli) {
  pp::stream_probe_options o;
  o.file = cli.file.empty() ? "" : cli.file.front();
  o.device = cli.device == "default" ? "" : cli.device;
  o.duration_s = cli.duration;
  o.period_frames = cli.stream_period;
  o.max_streams = cli.max_streams;
  try {
    if (cli.handoffs != "lockfree" || cli.wakes != "poll" || cli.loads != "none")
      throw pp::input_error("probe --streams runs the lockfree streamer unloaded: no --handoff, --wake or --load");
    if (!cli.json.empty()) check_text_output(cli.json, "--json", cli.file);
  } catch (const pp::input_error& e) {
    return fail(pp::exit_bad_input, e.what());
  } catch (const pp::output_error& e) {
    return fail(pp::exit_output, e.what());
  }
  install_signal_handlers();
  const bool progress = !cli.quiet && cli.json != "-";
  pp::stream_probe_report report;
  try {
    report = pp::probe_streams(o, &interrupted, [&](const pp::stream_probe_run& r) {
      if (progress)
        std::fprintf(err_out, "%zu stream%s: %s (CPU %.1f%%, %llu underruns)\n", r.streams, r.streams == 1 ? "" : "s",
                     r.clean ? "clean" : "glitched", r.cpu_percent, static_cast<unsigned long long>(r.underrun_events));
    });
  } catch (const pp::input_error& e) {
    return fail(pp::exit_bad_input, e.what());
  } catch (const pp::device_error& e) {
    return fail(pp::exit_device, e.what());
  } catch (const std::exception& e) {
    return fail(pp::exit_device, e.what());
  }
  if (progress) std::fputs(pp::stream_probe_text(report).c_str(), stdout);
  try {
    if (!cli.json.empty())
      pp::write_output_text(cli.json, "--json", pp::stream_probe_json(report, PINGPONG_VERSION_STRING));
  } catch (const pp::output_error& e) {
    return fail(pp::exit_output, e.what());
  }
  if (interrupted.load()) return 128 + interrupt_signal.load();
  return finish_stdout(report.max_streams > 0 ? pp::exit_ok : pp::exit_glitched, progress);
}

}  // namespace

int run_probe_or_streams(const lab_cli& cli) {
  if (cli.streams) return run_probe_streams_cmd(cli);
  if (cli.stream_period_option && cli.stream_period_option->count() > 0)
    return fail(pp::exit_bad_input, "probe: --period applies to --streams (the plain probe sweeps periods itself)");
  return run_probe_cmd(cli);
}

}  // namespace pingpong::cli
