// Names as a terminal or a log should show them: file names are bytes and
// may hold newlines, escapes or invalid UTF-8; one line must stay one line.
#pragma once

#include <cstdio>
#include <string>
#include <system_error>

namespace pingpong::player {

/// `s` with control characters shown as C escapes (\n, \t, \x1b) and
/// backslashes doubled only where they could be mistaken for one; other
/// bytes (UTF-8 or not) are kept. Never contains a newline.
inline std::string printable(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out;
}

/// The system's message for errno value `e`, thread-safe (std::strerror is
/// not: it may return a shared buffer).
inline std::string error_text(int e) {
  return std::generic_category().message(e);
}

}  // namespace pingpong::player
