// Small rules for measured figures, shared by the aggregation, the verdicts
// and the reports: what counts as measured, sums that saturate instead of
// wrapping, the largest and the median of what was measured.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace pingpong::player::figures {

/// Measured: finite and not negative (negative values mean "not measured").
inline bool usable(double v) noexcept {
  return std::isfinite(v) && v >= 0.0;
}

/// The larger of two figures, ignoring an unmeasured one (NaN if both are).
inline double max_usable(double a, double b) noexcept {
  if (!usable(b)) return a;
  return usable(a) ? std::max(a, b) : b;
}

/// a + b, or the largest count when that would wrap.
inline std::uint64_t sat_add(std::uint64_t a, std::uint64_t b) noexcept {
  constexpr std::uint64_t most = std::numeric_limits<std::uint64_t>::max();
  return a > most - b ? most : a + b;
}

/// The median of the measured values (the mean of the middle two for an even
/// count); NaN if none was measured.
inline double median_of(std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !usable(x); }), v.end());
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

}  // namespace pingpong::player::figures
