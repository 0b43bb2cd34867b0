// pingpong compare / pingpong probe: the glitch lab's commands.
#include "cli/commands.hpp"

#include <pingpong/version.hpp>

#include <unistd.h>

#include <cstdio>

#include "cli/option_checks.hpp"
#include "cli/process.hpp"
#include "player/lab/compare.hpp"
#include "player/lab/probe.hpp"
#include "player/output_file.hpp"
#include "player/report/html.hpp"
#include "player/report/json.hpp"
#include "player/report/text.hpp"

namespace pingpong::cli {
namespace pp = pingpong::player;

std::string command_line(int argc, char** argv) {
  std::string c = "pingpong";
  for (int i = 1; i < argc; ++i) c += std::string(" ") + argv[i];
  return c;
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
    for (const auto& h : split_list(cli.handoffs)) o.handoffs.push_back(handoff_named(h, "--handoffs"));
    for (const auto& w : split_list(cli.wakes)) o.wakes.push_back(wake_named(w, "--wake"));
    o.loads = parse_loads(cli.loads);
    if (!cli.json.empty()) check_text_output(cli.json, "--json", cli.file);
    if (!cli.html.empty()) check_text_output(cli.html, "--report", cli.file);
    if (!cli.json.empty() && cli.json == cli.html && cli.json != "-")
      throw pp::input_error("--json and --report are the same file");
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
      std::fprintf(err_out, "\r[%d/%d] %s %s/%s: %llu underruns, %llu deadline misses\x1b[K", done, total,
                   r.load.c_str(), r.handoff.c_str(), r.wake.c_str(), (unsigned long long)r.report.underrun_events,
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
    o.handoff = handoff_named(cli.handoffs, "--handoff");
    o.wake = wake_named(cli.wakes, "--wake");
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
                     s.clean           ? "clean"
                     : s.stopped_early ? "fails (stopped early)"
                                       : "glitched");
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

}  // namespace pingpong::cli
