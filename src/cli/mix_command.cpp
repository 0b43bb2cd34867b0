// pingpong play --mix: every file at once through pingpong::streamer
// (player/mix.hpp). Options that make no sense for a mix are refused.
#include <pingpong/version.hpp>

#include <cstdio>

#include "cli/commands.hpp"
#include "cli/option_checks.hpp"
#include "cli/process.hpp"
#include "player/mix.hpp"
#include "player/output_file.hpp"
#include "player/playlist.hpp"

namespace pingpong::cli {
namespace pp = pingpong::player;

int run_play_mix(play_cli& cli) {
  pp::mix_options o;
  o.device = cli.device;
  o.output_file = cli.output;
  o.period_frames = cli.period;
  o.half_frames = cli.half;
  o.rate = cli.rate;
  o.gain_db = cli.gain_db;
  o.interrupt = &interrupted;
  try {
    if (cli.files.empty()) throw pp::input_error("play --mix: give the FILEs to mix");
    if (!cli.loop.empty() || !cli.start.empty() || !cli.end.empty() || cli.shuffle || cli.handoff != "lockfree" ||
        cli.wake != "auto")
      throw pp::input_error(
          "--mix plays each file once, whole, on the lockfree streamer: no --loop, --start, --end, "
          "--shuffle, --handoff or --wake");
    pp::playlist_options lists;
    lists.recursive = cli.recursive;
    for (pp::playlist_entry& e : pp::expand_inputs(cli.files, lists)) o.files.push_back(std::move(e.path));
    o.encoding = parse_bits(cli.bits);
    if (!cli.bits.empty() && cli.output.empty()) throw pp::input_error("--bits applies to --output only");
    if (!cli.json.empty()) check_text_output(cli.json, "--json", o.files);
  } catch (const pp::input_error& e) {
    return fail(pp::exit_bad_input, e.what());
  } catch (const pp::output_error& e) {
    return fail(pp::exit_output, e.what());
  }
  install_signal_handlers();
  std::FILE* human = cli.json == "-" ? err_out : stdout;
  pp::mix_report report;
  try {
    report = pp::play_mix(o);
  } catch (const pp::input_error& e) {
    return fail(pp::exit_bad_input, e.what());
  } catch (const pp::output_error& e) {
    return fail(pp::exit_output, e.what());
  } catch (const std::exception& e) {
    return fail(pp::exit_device, e.what());
  }
  if (!cli.quiet) std::fputs(pp::mix_summary_text(report).c_str(), human);
  if (!cli.json.empty()) {
    try {
      pp::write_output_text(cli.json, "--json", pp::mix_json(report, PINGPONG_VERSION_STRING));
    } catch (const pp::output_error& e) {
      return fail(pp::exit_output, e.what());
    }
  }
  if (!report.error.empty()) return fail(report.error_code, report.error);
  int code = pp::exit_ok;
  if (report.interrupted)
    code = 128 + interrupt_signal.load(std::memory_order_relaxed);
  else if (cli.fail_on_glitch && (report.underrun_events() > 0 || report.clipped_in_mix > 0))
    code = pp::exit_glitched;
  return finish_stdout(code);
}

}  // namespace pingpong::cli
