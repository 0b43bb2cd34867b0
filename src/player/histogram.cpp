#include "player/histogram.hpp"

#include <algorithm>
#include <cmath>

namespace pingpong::player {

double latency_histogram::percentile_us(double p) const noexcept {
  const std::uint64_t total = count();
  if (total == 0) return 0.0;
  const auto rank = std::uint64_t(std::ceil(p / 100.0 * double(total)));
  std::uint64_t seen = 0;
  for (int i = 0; i < bucket_count; ++i) {
    seen += buckets_[std::size_t(i)].load(std::memory_order_relaxed);  // relaxed: statistic
    if (seen >= std::max<std::uint64_t>(rank, 1)) {
      const double mid = (lower_ns(i) + upper_ns(i)) / 2.0;
      return std::min(mid / 1000.0, max_us());
    }
  }
  return max_us();
}

std::uint64_t latency_histogram::count_above(std::int64_t ns) const noexcept {
  std::uint64_t n = 0;
  for (int i = 0; i < bucket_count; ++i)
    if (lower_ns(i) >= double(ns)) n += buckets_[std::size_t(i)].load(std::memory_order_relaxed);
  return n;
}

std::vector<latency_histogram::bin> latency_histogram::bins() const {
  std::vector<bin> out;
  for (int i = 0; i < bucket_count; ++i) {
    const auto n = buckets_[std::size_t(i)].load(std::memory_order_relaxed);  // relaxed: statistic
    if (n > 0) out.push_back({lower_ns(i) / 1000.0, upper_ns(i) / 1000.0, n});
  }
  return out;
}

}  // namespace pingpong::player
