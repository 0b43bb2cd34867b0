#include "player/report/json_values.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace pingpong::player::json {

value number(double v) {
  if (!std::isfinite(v)) return nullptr;
  // Print at 6 significant digits and read back: the double nearest to that
  // decimal, which nlohmann's shortest round-trip form then prints as it.
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return std::strtod(buf, nullptr);
}

value measured(double v) {
  return v >= 0 ? number(v) : value(nullptr);
}

value percentiles(double p50, double p99, double p999, double max) {
  return {{"p50", number(p50)}, {"p99", number(p99)}, {"p999", number(p999)}, {"max", number(max)}};
}

value latency_with_histogram(const latency_summary& l) {
  value out = percentiles(l.p50, l.p99, l.p999, l.max);
  out["count"] = l.count;
  value bins = value::array();
  for (const auto& b : l.bins) bins.push_back(value::array({number(b.lower_us), number(b.upper_us), b.count}));
  out["histogram"] = std::move(bins);
  return out;
}

value device_brief(const device_info& d) {
  return {
      {"name", d.name}, {"host_api", d.host_api}, {"sample_rate", d.sample_rate}, {"period_frames", d.period_frames}};
}

value underruns(const play_report& r) {
  value log = value::array();
  for (const underrun_entry& u : r.underrun_log)
    log.push_back({{"t_s", number(u.t_s)},
                   {"position_frames", u.position},
                   {"position_s", number(u.position_s)},
                   {"silence_frames", u.silence_frames}});
  return {{"events", r.underrun_events},
          {"frames", r.underrun_frames},
          {"log", std::move(log)},
          {"log_dropped", r.underrun_log_dropped}};
}

namespace {

/// Length of the valid UTF-8 sequence at s[i], or 0 if it is not one
/// (overlong forms, surrogates and code points past U+10FFFF are invalid).
std::size_t utf8_length(const std::string& s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0u; };
  const unsigned c = byte(i);
  const auto cont = [&](std::size_t k) { return (byte(k) & 0xC0u) == 0x80u; };
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    const unsigned c1 = byte(i + 1);
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F)) return 0;
    return cont(i + 1) && cont(i + 2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    const unsigned c1 = byte(i + 1);
    if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F)) return 0;
    return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

}  // namespace

bool valid_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string percent_encoded(const std::string& s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~' || c == '/') {
      out += ch;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string text(const value& document) {
  return document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace pingpong::player::json
