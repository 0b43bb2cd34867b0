// The two JSON helpers the reports share: string escaping and numbers.
#pragma once

#include <cmath>
#include <cstdio>
#include <string>

namespace pingpong::player::json {

/// A JSON string body: quotes, backslashes and control characters escaped.
inline std::string escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out;
}

/// A JSON number (6 significant digits), or null when not finite.
inline std::string number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace pingpong::player::json
