#include "player/report/figure_text.hpp"

#include <cmath>
#include <cstdio>

#include "player/lab/figures.hpp"

namespace pingpong::player::figure_text {

std::string printf1(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string us(double v) {
  if (!figures::usable(v)) return "n/a";
  if (v < 10) return printf1("%.2f", v);
  if (v < 100) return printf1("%.1f", v);
  if (v < 1e7) return printf1("%.0f", v);
  return printf1("%.3g", v);
}

std::string duration(double us) {
  if (!std::isfinite(us)) return "n/a";
  const double a = std::fabs(us);
  if (a < 1000) return printf1("%.3g", us) + " \xC2\xB5s";
  if (a < 1e6) return printf1("%.3g", us / 1e3) + " ms";
  return printf1("%.3g", us / 1e6) + " s";
}

std::string short_count(double v) {
  if (v < 1e3) return printf1("%.0f", v);
  if (v < 1e6) return printf1("%.0f", v / 1e3) + "k";
  if (v < 1e9) return printf1("%.0f", v / 1e6) + "M";
  return printf1("%.0e", v);
}

std::string counted(std::uint64_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string or_dash(const std::string& s) {
  return s.empty() ? std::string("\xE2\x80\x94") : s;
}

}  // namespace pingpong::player::figure_text
