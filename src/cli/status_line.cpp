#include "cli/status_line.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
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
/// from the right, the file name shortened, to fit.
void draw_status(const pp::live_status& st) {
  const std::size_t width = terminal_width() - 1;  // the last column would wrap on some terminals
  std::string head = st.stalled_s > 0 ? "‖ " : "▶ ";
  if (st.file_count > 1) head += std::to_string(st.file_index + 1) + "/" + std::to_string(st.file_count) + " ";
  const std::string clock = clock_text(st.file_position_s) + " / " + clock_text(st.file_duration_s);
  std::vector<std::string> fields;
  if (st.stalled_s > 0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "audio server stalled %.1f s", st.stalled_s);
    fields.emplace_back(buf);
  }
  fields.push_back("buf " + std::to_string(int(std::lround(st.fill * 100))) + "%");
  fields.push_back("underruns " + std::to_string(st.underruns));
  fields.push_back("xruns " + std::to_string(st.device_xruns));
  if (st.deadline_misses > 0) fields.push_back("late " + std::to_string(st.deadline_misses));
  if (st.cpu_load >= 0) fields.push_back("cpu " + std::to_string(int(std::lround(st.cpu_load * 100))) + "%");
  // Name first to go short, then the fields from the right.
  std::string tail = "  " + clock;
  for (const auto& f : fields) {
    if (columns(head) + 8 + columns(tail) + 2 + columns(f) > width) break;
    tail += "  " + f;
  }
  const std::size_t room = width > columns(head) + columns(tail) ? width - columns(head) - columns(tail) : 0;
  const std::string name = st.title.empty() ? base_name(st.file) : st.title;
  std::string line = head + fit(pp::printable(name), room) + tail;
  line = fit(line, width);
  std::fprintf(stdout, "\r%s\x1b[K", line.c_str());
  std::fflush(stdout);
}

}  // namespace pingpong::cli
