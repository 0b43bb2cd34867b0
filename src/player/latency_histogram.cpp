#include "player/latency_histogram.hpp"

#include <algorithm>
#include <cmath>

namespace pingpong::player {

double latency_histogram::percentile_us(double p) const noexcept {
  const std::uint64_t total = count();
  if (total == 0) return 0.0;
  const std::uint64_t rank = std::clamp<std::uint64_t>(std::uint64_t(std::ceil(p / 100.0 * double(total))), 1, total);
  const double max_ns = double(max_.load());  // relaxed: statistic
  // Read while recording, the min may not have been stored yet.
  const double min_ns = std::min(double(min_.load()), max_ns);
  std::uint64_t below = 0;  // samples in the buckets before this one
  for (int i = 0; i < bucket_count; ++i) {
    const std::uint64_t here = buckets_[std::size_t(i)].load();  // relaxed: statistic
    if (here == 0 || below + here < rank) {
      below += here;
      continue;
    }
    // The rank-th sample is the k-th of `here` in this bucket: place it at
    // the k-th of `here` equal steps across the span they can occupy.
    double lower = std::max(lower_ns(i), min_ns);
    double upper = std::max(lower, std::min(upper_ns(i), max_ns));
    const double mean = double(sums_[std::size_t(i)].load()) / double(here);
    if (mean >= lower && mean <= upper) {  // (read while recording, the sum may lag the count)
      const double half_width = std::min(mean - lower, upper - mean);
      lower = mean - half_width;
      upper = mean + half_width;
    }
    const double k = double(rank - below);
    const double ns = lower + (upper - lower) * (k - 0.5) / double(here);
    return std::clamp(ns, min_ns, max_ns) / 1000.0;
  }
  return max_us();  // the counts ran ahead of the buckets (read while recording)
}

std::uint64_t latency_histogram::count_above(std::int64_t ns) const noexcept {
  std::uint64_t n = 0;
  for (int i = 0; i < bucket_count; ++i)
    if (lower_ns(i) >= double(ns)) n += buckets_[std::size_t(i)].load();
  return n;
}

std::vector<latency_histogram::bin> latency_histogram::bins() const {
  std::vector<bin> out;
  for (int i = 0; i < bucket_count; ++i) {
    const auto n = buckets_[std::size_t(i)].load();  // relaxed: statistic
    if (n > 0) out.push_back({lower_ns(i) / 1000.0, upper_ns(i) / 1000.0, n});
  }
  return out;
}

}  // namespace pingpong::player
