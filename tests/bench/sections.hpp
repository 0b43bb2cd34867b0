// pingpong_bench — the measured sections and their results.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <pingpong/handoff.hpp>

#include "bench_util.hpp"

namespace ppbench {

/// Where the two threads of every measurement run.
struct placement {
  int cpu_a = -1;  ///< reader / real-time thread / round-trip initiator
  int cpu_b = -1;  ///< producer / echo thread
};

// ---- 1a. core-to-core atomic ping-pong (the reference) ---------------------

/// Raw samples, so that several interleaved runs can be pooled.
struct c2c_result {
  std::vector<std::int64_t> samples;  ///< one round trip each, timer overhead subtracted
  std::int64_t batch_ns = 0;          ///< wall time of batch_trips round trips, no per-trip timer
  std::size_t batch_trips = 0;
};

c2c_result run_core_to_core(std::size_t round_trips, const placement& where, std::int64_t timer_ns);

/// The least any handoff pays for the samples themselves: B writes `bytes`
/// and signals; A (after the signal, untimed) times one memcpy of them.
/// Returns the raw samples.
std::vector<std::int64_t> run_fresh_copy(std::size_t bytes, std::size_t rounds, const placement& where,
                                         std::int64_t timer_ns);

// ---- 1b. real-time read cost ------------------------------------------------

struct rt_options {
  std::size_t callbacks = 1'000'000;  ///< timed reads per configuration, over all rounds
  std::size_t rounds = 4;             ///< configurations run round-robin, so load drift hits all alike
  std::size_t warmup = 20'000;
  std::int64_t interval_ns = 5'000;  ///< pacing: a read starts every interval (or when the producer is ready)
  std::size_t half_periods = 4;      ///< half_frames = period × this (64 → 256, 256 → 1024)
  int fifo_priority = 0;             ///< > 0: reader thread SCHED_FIFO at this priority
  std::int64_t timer_ns = 0;         ///< subtracted from every sample
  placement where;
};

/// One policy / wake / period, pooled over the interleaved rounds.
struct rt_result {
  std::string policy, wake;
  std::size_t period = 0;
  // Raw, appended by each run_rt_read():
  std::vector<std::int64_t> samples;  ///< every read, timer overhead subtracted
  std::vector<std::uint8_t> flags;    ///< per read: bit 0 preempted, bit 1 swap read
  std::size_t gated = 0;              ///< reads that had to wait (untimed) for the producer
  std::uint64_t underruns = 0;
  std::uint64_t swaps = 0;  ///< halves taken
  std::uint64_t wake_syscalls = 0;
  std::uint64_t lock_busy = 0;
  long voluntary_switches = 0;   ///< reader blocked (mutex policies)
  std::uint64_t mismatches = 0;  ///< frames out of order: a functional failure
  double seconds = 0;            ///< wall time of the timed reads
  bool fifo = false;             ///< the reader really ran SCHED_FIFO
  // Filled by finish_rt():
  summary all;               ///< every read
  summary swap;              ///< reads that released and/or took a half
  double max_clean_all = 0;  ///< max over reads with no involuntary context switch
  double max_clean_swap = 0;
  std::size_t preempted = 0;       ///< reads in an interval with an involuntary context switch
  std::size_t over_1us_clean = 0;  ///< reads over 1 µs with no involuntary context switch
};

/// Runs `reads` timed reads (after options.warmup untimed ones) on a fresh
/// buffer and appends them to `into` (whose policy/wake/period it sets).
void run_rt_read(pingpong::handoff_kind policy, pingpong::wake_kind wake, std::size_t period, const rt_options& options,
                 std::size_t reads, rt_result& into);
/// Computes the summaries from the pooled samples.
void finish_rt(rt_result& r);

// ---- 2. block handoff ---------------------------------------------------------

inline constexpr std::size_t block_frames = 256;
inline constexpr std::size_t block_channels = 2;
inline constexpr std::size_t block_floats = block_frames * block_channels;
inline constexpr std::size_t block_bytes = block_floats * sizeof(float);

struct handoff_options {
  std::size_t capacity = 2;          ///< blocks each queue may hold (the double buffer holds 2)
  std::size_t max_blocks = 200'000;  ///< per throughput trial
  std::size_t min_blocks = 5'000;
  std::size_t max_round_trips = 50'000;
  std::size_t min_round_trips = 10'000;
  double target_seconds = 0.3;    ///< per trial, and for all round trips, sized from a calibration run
  int trials = 5;                 ///< round-robin over the rows; throughput: median of the trials
  std::vector<std::string> rows;  ///< run only rows whose name contains one of these (empty: all)
  std::int64_t timer_ns = 0;
  placement where;
};

struct handoff_result {
  std::string name;
  std::string capacity;     ///< blocks it can really hold (some queues round up)
  double blocks_per_s = 0;  ///< median over trials
  double blocks_per_s_min = 0, blocks_per_s_max = 0;
  std::vector<double> trial_rates;    ///< blocks/s of each trial, in trial order (for paired ratios)
  std::vector<double> trial_rtt_p50;  ///< RTT p50 of each trial, ns, in trial order
  std::size_t blocks = 0;             ///< per trial
  summary rtt;                        ///< send → echo back, timer overhead subtracted
  std::uint64_t mismatches = 0;       ///< blocks that arrived wrong: a functional failure
};

/// Runs every queue; `progress(what)` is called before each run (progress, watchdog).
std::vector<handoff_result> run_handoffs(const handoff_options& options,
                                         const std::function<void(const std::string&)>& progress);

}  // namespace ppbench
