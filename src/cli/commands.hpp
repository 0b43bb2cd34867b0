// The pingpong commands, one file each (play_command.cpp, info_commands.cpp,
// lab_commands.cpp); main.cpp declares their options and dispatches.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace pingpong::cli {

struct play_cli {
  std::vector<std::string> files;
  std::string device, output, handoff = "lockfree", wake = "auto", start, end, json, loop, bits;
  std::string producer_priority = "auto";
  bool recursive = false, shuffle = false;
  bool no_memory_lock = false;
  std::size_t period = 256, half = 0;
  int rate = 0;
  double gain_db = 0.0;
  bool quiet = false, fail_on_glitch = false;
  bool no_keys = false, no_status = false, verbose = false;
  bool mix = false;  ///< --mix: every file at once (mix_command.cpp)
  CLI::Option* period_option = nullptr;
};
int run_play(play_cli& cli);
int run_play_mix(play_cli& cli);

int run_devices();
int run_info(const std::vector<std::string>& files);

struct lab_cli {
  std::vector<std::string> file;
  std::string handoffs = "lockfree,mutex,mutex-pi,trylock", wakes = "semaphore,poll", loads = "none", device = "sim";
  std::string json, html;
  std::size_t period = 64, half = 1024;
  double duration = 5.0, stall_ms = 0.0, stall_rate = 4.0;
  int repeat = 2;
  bool quiet = false;
  // probe --streams (stream_probe_command.cpp)
  bool streams = false;
  std::size_t stream_period = 256, max_streams = 1024;
  CLI::Option* stream_period_option = nullptr;
};
/// The command line as typed, for the report.
std::string command_line(int argc, char** argv);
int run_compare_cmd(const lab_cli& cli, const std::string& command);
int run_probe_cmd(const lab_cli& cli);
/// probe, or probe --streams (whose options the plain probe refuses).
int run_probe_or_streams(const lab_cli& cli);

}  // namespace pingpong::cli
