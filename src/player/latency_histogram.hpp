// pingpong::player::latency_histogram — callback durations and intervals,
// recorded on the real-time thread, read by the monitor.
//
// Log-scale buckets: 8 per octave from 64 ns up to ~68 s, so a percentile is
// exact to within 12.5 % (one bucket); the minimum and maximum are exact. Each
// bucket keeps a count and a sum (its mean places percentiles within it).
// Recording is wait-free: relaxed single-writer load+store, no allocation.
#pragma once

#include <pingpong/telemetry.hpp>

#include <array>
#include <atomic>
#include <bit>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace pingpong::player {

class latency_histogram {
 public:
  static constexpr int sub_buckets = 8;                           // per octave
  static constexpr int first_octave = 6;                          // 2^6 = 64 ns
  static constexpr int octaves = 30;                              // up to 2^36 ns ≈ 68 s
  static constexpr int bucket_count = octaves * sub_buckets + 1;  // + one underflow bucket

  /// Thread: the single recording thread (real-time). Wait-free.
  void record(std::int64_t ns) noexcept {
    if (ns < 0) ns = 0;
    const auto i = std::size_t(bucket_of(std::uint64_t(ns)));
    buckets_[i].add();
    sums_[i].add(std::uint64_t(ns));
    count_.add();
    max_.raise_to(ns);
    min_.lower_to(ns);
  }

  /// Thread: any. Interpolated by rank within the bucket that holds it, over
  /// the part of the bucket its samples can occupy: the bucket's edges
  /// narrowed to the exact min and max, then to the widest span centred on
  /// the samples' mean in the bucket. So a distribution narrower than one
  /// bucket (callback intervals at a steady period) reads near its true value,
  /// not the bucket's midpoint or the max; never outside the bucket.
  double percentile_us(double p) const noexcept;
  double max_us() const noexcept { return double(max_.load()) / 1000.0; }
  /// 0 when nothing was recorded.
  double min_us() const noexcept { return count() ? double(min_.load()) / 1000.0 : 0.0; }
  std::uint64_t count() const noexcept { return count_.load(); }
  /// Samples above `ns` (bucket resolution: counts whole buckets whose lower edge is ≥ ns).
  std::uint64_t count_above(std::int64_t ns) const noexcept;

  struct bin {
    double lower_us, upper_us;
    std::uint64_t count;
  };
  /// Non-empty buckets, in order. Thread: any (allocates: not real-time).
  std::vector<bin> bins() const;

  static int bucket_of(std::uint64_t ns) noexcept {
    if (ns < (1u << first_octave)) return 0;
    const int octave = int(std::bit_width(ns)) - 1;  // ≥ first_octave
    if (octave >= first_octave + octaves) return bucket_count - 1;
    const int sub = int((ns >> (octave - 3)) & 7u);  // next 3 bits below the leading one
    return 1 + (octave - first_octave) * sub_buckets + sub;
  }
  static double lower_ns(int bucket) noexcept {
    if (bucket == 0) return 0.0;
    const int octave = (bucket - 1) / sub_buckets + first_octave;
    const int sub = (bucket - 1) % sub_buckets;
    return double(1ull << octave) * (1.0 + sub / 8.0);
  }
  static double upper_ns(int bucket) noexcept {
    return bucket == 0 ? double(1u << first_octave) : lower_ns(bucket) * (1.0 + 1.0 / (8.0 + (bucket - 1) % 8));
  }

 private:
  // Single writer (the recording thread), any reader: pingpong's counter type.
  std::array<single_writer_counter<>, bucket_count> buckets_{};
  std::array<single_writer_counter<>, bucket_count> sums_{};  ///< ns recorded per bucket, for its mean
  single_writer_counter<> count_;
  single_writer_counter<std::int64_t> max_;
  single_writer_counter<std::int64_t> min_{std::numeric_limits<std::int64_t>::max()};
};

}  // namespace pingpong::player
