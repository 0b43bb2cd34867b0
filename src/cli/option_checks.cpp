#include "cli/option_checks.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "cli/process.hpp"
#include "player/output_file.hpp"

namespace pingpong::cli {
namespace pp = pingpong::player;

/// A CLI11 check for a numeric option: rejects non-numbers and values out of
/// [lo, hi] (or (lo, hi] with `open_low`) with the allowed range in the
/// message, e.g. "--period: 'lots' is not a whole number; use 16 to 16384 frames".
/// `zero_ok`: 0 is also allowed (it means "automatic").
CLI::Validator number_in(double lo, double hi, const std::string& unit, bool integer, bool open_low, bool zero_ok) {
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
        const bool parsed =
            end != begin && *end == '\0' && errno == 0 && std::isfinite(v) &&
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

int parse_producer_priority(const std::string& text, int automatic) {
  if (text == "auto") return automatic;
  if (text == "off") return 0;
  if (!text.empty() && text.size() <= 2 && text.find_first_not_of("0123456789") == std::string::npos) {
    const int n = std::stoi(text);
    if (n >= 1 && n <= 98) return n;
  }
  throw pp::input_error("--producer-priority '" + text + "': use auto, off, or a SCHED_FIFO priority from 1 to 98");
}

namespace {

/// "a, b, c or d" from the library's own names.
template <class Kind, std::size_t N>
std::string choices(const Kind (&kinds)[N]) {
  std::string text;
  for (std::size_t i = 0; i < N; ++i)
    text += std::string(i == 0 ? "" : i + 1 == N ? " or " : ", ") + std::string(to_string(kinds[i]));
  return text;
}

constexpr handoff_kind all_handoffs[] = {handoff_kind::lockfree, handoff_kind::mutex, handoff_kind::mutex_pi,
                                         handoff_kind::trylock};
constexpr wake_kind all_wakes[] = {wake_kind::semaphore, wake_kind::poll};

}  // namespace

handoff_kind handoff_named(const std::string& name, const std::string& option) {
  if (const auto kind = parse_handoff(name)) return *kind;
  throw pp::input_error(option + " '" + name + "': use " + choices(all_handoffs));
}

wake_kind wake_named(const std::string& name, const std::string& option, bool auto_allowed) {
  if (const auto kind = parse_wake(name)) return *kind;
  throw pp::input_error(option + " '" + name + "': use " + (auto_allowed ? "auto, " : "") + choices(all_wakes));
}

std::vector<pp::load_kind> parse_loads(const std::string& text) {
  std::vector<pp::load_kind> loads;
  for (const auto& name : split_list(text)) {
    if (name == "all") {
      loads = {pp::load_kind::none, pp::load_kind::cpu, pp::load_kind::io, pp::load_kind::stall,
               pp::load_kind::inversion};
      continue;
    }
    pp::load_kind k;
    if (!pp::parse_load(name, k))
      throw pp::input_error("--load '" + name + "': use none, cpu, io, stall, inversion or all");
    loads.push_back(k);
  }
  if (loads.empty()) throw pp::input_error("--load: give at least one load");
  return loads;
}

/// Checks --json/--report paths before the work, so an unwritable one
/// fails at once, not after minutes of playing or measuring.
void check_text_output(const std::string& path, const std::string& what, const std::vector<std::string>& inputs) {
  if (path == "-" && stdout_was_closed) throw pp::output_error("cannot write " + what + " -: stdout is closed");
  pp::check_output_path(path, what, inputs);
}

}  // namespace pingpong::cli
