// Option values the CLI checks itself, each with one message naming the
// allowed values (CLI11 validators where CLI11 parses the value).
#pragma once

#include <CLI/CLI.hpp>
#include <pingpong/handoff.hpp>

#include <string>
#include <vector>

#include "player/device/device.hpp"
#include "player/lab/load.hpp"

namespace pingpong::cli {

/// A CLI11 check for a numeric option: rejects non-numbers and values out of
/// [lo, hi] (or (lo, hi] with `open_low`) with the allowed range in the
/// message, e.g. "--period: 'lots' is not a whole number; use 16 to 16384 frames".
/// `zero_ok`: 0 is also allowed (it means "automatic").
CLI::Validator number_in(double lo, double hi, const std::string& unit, bool integer, bool open_low = false,
                         bool zero_ok = false);
/// `--loop N` (1..999999999) or `--loop inf` (0); throws input_error.
int parse_loops(const std::string& text);
/// `--bits 16|24|32|float` (empty: automatic); throws input_error.
player::output_encoding parse_bits(const std::string& text);
/// `--producer-priority N` (1..98), `off` (0) or `auto` (`automatic`); throws input_error.
int parse_producer_priority(const std::string& text, int automatic);
/// "a, b,c" → {"a", "b", "c"}.
std::vector<std::string> split_list(const std::string& text);
/// A handoff or wake by name, or input_error "OPTION 'x': use lockfree,
/// mutex, mutex-pi or trylock" (the names come from the library).
handoff_kind handoff_named(const std::string& name, const std::string& option);
wake_kind wake_named(const std::string& name, const std::string& option, bool auto_allowed = false);
/// "none,cpu" or "all"; throws input_error.
std::vector<player::load_kind> parse_loads(const std::string& text);
/// --json/--report paths, checked before the work (an unwritable one fails
/// at once, not after minutes of playing or measuring). Throws
/// input_error / output_error.
void check_text_output(const std::string& path, const std::string& what, const std::vector<std::string>& inputs);

}  // namespace pingpong::cli
