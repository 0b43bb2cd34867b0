#include "cli/status_line.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "player/text.hpp"

namespace pingpong::cli {
namespace pp = pingpong::player;

std::string clock_text(double s) {
  if (s < 0) return "--:--";
  char buf[32];
  const int m = int(s / 60);
  std::snprintf(buf, sizeof buf, "%d:%04.1f", m, s - 60.0 * m);
  return buf;
}

/// Display columns of UTF-8 text (code points; wide glyphs count as one).
namespace {

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

}  // namespace

/// One line, redrawn in place, that never wraps: the terminal's width is
/// read at each redraw (so a resize applies at once) and fields are dropped
/// from the right, the file name shortened, to fit. Widths count the text
/// only, never the colour codes.
std::string status_text(const pp::live_status& st, std::size_t width, bool colour) {
  struct field {
    std::string text;
    const char* colour = nullptr;  // an SGR code, e.g. "31"
  };
  const auto paint = [&](const std::string& text, const char* code) {
    return colour && code != nullptr ? "\x1b[" + std::string(code) + "m" + text + "\x1b[0m" : text;
  };
  const char* state = st.stalled_s > 0 ? "‖" : st.paused ? "⏸" : "▶";
  std::string head_text = std::string(state) + " ";
  if (st.file_count > 1) head_text += std::to_string(st.file_index + 1) + "/" + std::to_string(st.file_count) + " ";
  const char* state_colour = st.stalled_s > 0 ? "31" : st.paused ? "33" : "32";
  const std::string clock = clock_text(st.file_position_s) + " / " + clock_text(st.file_duration_s);
  std::vector<field> fields;
  if (!st.message.empty()) fields.push_back({st.message, "33"});
  if (st.stalled_s > 0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "audio server stalled %.1f s", st.stalled_s);
    fields.push_back({buf, "31"});
  }
  if (st.muted) {
    fields.push_back({"muted", "33"});
  } else if (st.volume_db != 0.0) {
    char buf[32];
    const long db = std::lround(st.volume_db);
    std::snprintf(buf, sizeof buf, "%s%ld dB", db < 0 ? "−" : "+", std::labs(db));
    fields.push_back({buf, nullptr});
  }
  const int cells = 3;
  const int full = std::clamp(int(std::lround(st.fill * cells)), 0, cells);
  std::string meter = "buf ";
  for (int i = 0; i < cells; ++i) meter += i < full ? "▮" : "▯";
  fields.push_back({meter, nullptr});
  const std::uint64_t xruns = st.underruns + st.device_xruns;
  fields.push_back({"xruns " + std::to_string(xruns), xruns > 0 ? "31" : nullptr});
  if (st.deadline_misses > 0) fields.push_back({"late " + std::to_string(st.deadline_misses), "31"});
  if (st.cpu_load >= 0) fields.push_back({"cpu " + std::to_string(int(std::lround(st.cpu_load * 100))) + "%", nullptr});
  // Name first to go short, then the fields from the right.
  std::size_t tail_columns = 2 + columns(clock);
  std::string tail = "  " + clock;
  for (const auto& f : fields) {
    if (columns(head_text) + 8 + tail_columns + 2 + columns(f.text) > width) break;
    tail += "  " + paint(f.text, f.colour);
    tail_columns += 2 + columns(f.text);
  }
  const std::size_t used = columns(head_text) + tail_columns;
  if (used > width) return fit(head_text + clock, width);  // very narrow: state and clock, cut
  const std::string name = st.title.empty() ? base_name(st.file) : st.title;
  return paint(std::string(state), state_colour) + head_text.substr(std::string(state).size()) +
         fit(pp::printable(name), width - used) + tail;
}

void draw_status(const pp::live_status& st, bool colour) {
  const std::size_t width = terminal_width() - 1;  // the last column would wrap on some terminals
  std::fprintf(stdout, "\r%s\x1b[K", status_text(st, width, colour).c_str());
  std::fflush(stdout);
}

bool colour_wanted() {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read at start-up; nothing in pingpong calls setenv
  const char* no_colour = std::getenv("NO_COLOR");
  return ::isatty(STDOUT_FILENO) == 1 && (no_colour == nullptr || *no_colour == '\0');
}

}  // namespace pingpong::cli
