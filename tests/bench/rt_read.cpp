// pingpong_bench, section 1: what one real-time read costs, next to the
// cost of bouncing one cache line between the two cores.
//
// The reader thread (CPU a) calls buffer.reader().read(out, period) once per
// pacing interval and times each call with steady_clock; the producer thread
// (CPU b) refills halves with writer().acquire() — so it sleeps on the
// policy's wake (futex semaphore, condition variable or poll sleep) exactly as
// a real producer does. With half_frames == 4 × period (the default) every
// fourth read finishes a half: it releases it, takes the next and wakes the
// producer. Those "swap reads" are also reported on their own.
#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include <sys/prctl.h>

#include <pingpong/double_buffer.hpp>

#include "sections.hpp"

namespace ppbench {

// ---- core-to-core round trip ------------------------------------------------

c2c_result run_core_to_core(std::size_t round_trips, const placement& where, std::int64_t timer_ns) {
  struct alignas(64) line {
    std::atomic<std::uint64_t> value{0};
  };
  line ball;
  const std::size_t warm = round_trips / 10 + 1'000;
  // Three phases share one counter: warm-up, individually timed, batch-timed.
  const std::uint64_t bounces = warm + 2 * round_trips;
  c2c_result r;
  r.samples.resize(round_trips);
  r.batch_trips = round_trips;
  start_gate gate;

  run_pair(
      where.cpu_a,
      [&] {
        std::uint64_t k = 1;  // we write odd values, the echo answers with k + 1
        const auto bounce = [&] {
          // release: pairs with the echo's acquire load; orders nothing else
          // here, but it is the order a real handoff would use.
          ball.value.store(k, std::memory_order_release);
          // acquire: pairs with the echo's release store of k + 1.
          while (ball.value.load(std::memory_order_acquire) != k + 1) cpu_relax();
          k += 2;
        };
        gate.arrive_and_wait(2);
        for (std::size_t i = 0; i < warm; ++i) bounce();
        for (std::size_t i = 0; i < round_trips; ++i) {
          const std::int64_t t0 = now_ns();
          bounce();
          r.samples[i] = std::max<std::int64_t>(0, now_ns() - t0 - timer_ns);
        }
        const std::int64_t t0 = now_ns();
        for (std::size_t i = 0; i < round_trips; ++i) bounce();
        r.batch_ns = now_ns() - t0;
      },
      where.cpu_b,
      [&] {
        gate.arrive_and_wait(2);
        for (std::uint64_t i = 0, k = 1; i < bounces; ++i, k += 2) {
          // acquire: pairs with the initiator's release store of k.
          while (ball.value.load(std::memory_order_acquire) != k) cpu_relax();
          // release: pairs with the initiator's acquire load waiting for k + 1.
          ball.value.store(k + 1, std::memory_order_release);
        }
      });

  return r;
}

std::vector<std::int64_t> run_fresh_copy(std::size_t bytes, std::size_t rounds, const placement& where,
                                         std::int64_t timer_ns) {
  struct alignas(64) line {
    std::atomic<std::uint64_t> value{0};
  };
  line ready, done;  // B: "block k written"; A: "block k copied"
  std::vector<unsigned char> shared(bytes + 64), local(bytes + 64);
  const std::size_t warm = rounds / 10 + 100;
  std::vector<std::int64_t> samples(rounds);
  start_gate gate;
  run_pair(
      where.cpu_a,
      [&] {
        gate.arrive_and_wait(2);
        for (std::uint64_t k = 1; k <= warm + rounds; ++k) {
          // acquire: pairs with B's release store of k; B's writes to `shared` are visible.
          while (ready.value.load(std::memory_order_acquire) != k) cpu_relax();
          const std::int64_t t0 = now_ns();
          std::memcpy(local.data(), shared.data(), bytes);
          const std::int64_t t1 = now_ns();
          if (k > warm) samples[k - warm - 1] = std::max<std::int64_t>(0, t1 - t0 - timer_ns);
          // release: our reads of `shared` happen-before B overwrites it; pairs
          // with B's acquire load of k.
          done.value.store(k, std::memory_order_release);
        }
      },
      where.cpu_b,
      [&] {
        gate.arrive_and_wait(2);
        for (std::uint64_t k = 1; k <= warm + rounds; ++k) {
          std::memset(shared.data(), int(k & 0x7f), bytes);
          // release: publishes the bytes just written; pairs with A's acquire load.
          ready.value.store(k, std::memory_order_release);
          // acquire: pairs with A's release store; A is done reading block k.
          while (done.value.load(std::memory_order_acquire) != k) cpu_relax();
        }
      });
  return samples;
}

// ---- real-time read ---------------------------------------------------------

namespace {

constexpr std::uint32_t counter_mask = (1u << 24) - 1;  // exact in a float

template <class H>
void run_rt_read_with(pingpong::wake_kind wake, std::size_t period, const rt_options& o, std::size_t reads,
                      rt_result& r) {
  pingpong::config cfg;
  cfg.half_frames = period * o.half_periods;
  cfg.channels = 2;
  cfg.wake = wake;
  // Poll wake: the producer turns queued frames into sleep time with
  // sample_rate. The paced reader consumes `period` frames per interval, so
  // that is its sample rate; the floor is scaled down the same way.
  cfg.sample_rate = double(period) * 1e9 / double(o.interval_ns);
  cfg.poll_floor = std::chrono::microseconds(1);
  cfg.event_capacity = 0;
  pingpong::double_buffer<H> buffer(cfg);

  r.policy = std::string(pingpong::to_string(H::kind));
  r.wake = std::string(pingpong::to_string(wake));
  r.period = period;

  const std::size_t base = r.samples.size();
  r.samples.resize(base + reads);  // zeroed: pages touched now, not in the timed loop
  r.flags.resize(base + reads);
  std::vector<float> out(period * cfg.channels);
  const std::size_t half = cfg.half_frames;
  start_gate gate;

  run_pair(
      o.where.cpu_a,
      [&] {  // the real-time reader
        if (o.fifo_priority > 0) r.fifo = make_this_thread_fifo(o.fifo_priority) || r.fifo;
        auto reader = buffer.reader();
        std::uint32_t expect = 0;        // next producer counter value (wraps at 2^24 in the samples)
        std::uint64_t expect_total = 0;  // frames delivered so far
        pingpong::counters before{};
        long switches = involuntary_switches();
        long voluntary = 0;
        std::int64_t started = 0;
        gate.arrive_and_wait(2);
        std::int64_t deadline = now_ns();
        const std::size_t total = o.warmup + reads;
        for (std::size_t i = 0; i < total; ++i) {
          const bool timed = i >= o.warmup;
          if (i == o.warmup) {
            before = buffer.stats();
            voluntary = voluntary_switches();
            started = now_ns();
          }
          deadline += o.interval_ns;
          std::int64_t t = now_ns();
          while (t < deadline) {
            cpu_relax();
            t = now_ns();
          }
          // Steady-state playback: the producer is ahead. On a VM a futex
          // wake can take longer than the compressed pacing, so wait
          // (untimed) until the frames this read needs are committed. The
          // gate reads only the producer's counters (writer_stats(), their
          // own cache line), never the handoff word or the samples the read
          // touches. Bounded: after 10 ms the read goes ahead (and may underrun).
          if (buffer.writer_stats().frames_committed < expect_total + period) {
            if (timed) ++r.gated;
            const std::int64_t give_up = t + 10'000'000;
            while (buffer.writer_stats().frames_committed < expect_total + period && now_ns() < give_up) cpu_relax();
            t = now_ns();
          }
          if (t - deadline > o.interval_ns) deadline = t;           // fell behind: do not burst to catch up
          const std::uint64_t swaps_before = buffer.stats().swaps;  // relaxed loads, untimed

          const std::int64_t t0 = now_ns();
          const pingpong::read_result res = reader.read(out.data(), period);
          const std::int64_t t1 = now_ns();

          // Untimed bookkeeping. Preempted since the last check?
          const long now_switches = involuntary_switches();
          // Swapped: took a half, or finished one (and so released it).
          const bool swapped =
              buffer.stats().swaps != swaps_before || (res.frames > 0 && (expect_total + res.frames) % half == 0);
          if (timed) {
            const std::size_t j = base + i - o.warmup;
            r.samples[j] = std::max<std::int64_t>(0, t1 - t0 - o.timer_ns);
            r.flags[j] = static_cast<std::uint8_t>((now_switches != switches ? 1 : 0) | (swapped ? 2 : 0));
            r.underruns += res.underrun ? 1 : 0;
          }
          switches = now_switches;
          if (res.frames > 0) {  // every frame exactly once and in order
            const float first = out[0];
            const float last = out[(res.frames - 1) * cfg.channels];
            if (first != float(expect & counter_mask) ||
                last != float((expect + std::uint32_t(res.frames) - 1) & counter_mask))
              ++r.mismatches;
            expect += std::uint32_t(res.frames);
            expect_total += res.frames;
          }
        }
        r.seconds += double(now_ns() - started) * 1e-9;
        r.voluntary_switches += voluntary_switches() - voluntary;
        const pingpong::counters after = buffer.stats();
        r.swaps += after.swaps - before.swaps;
        r.wake_syscalls += after.wake_syscalls - before.wake_syscalls;
        r.lock_busy += after.lock_busy - before.lock_busy;
        buffer.cancel_writer();  // the producer's acquire() returns empty
      },
      o.where.cpu_b,
      [&] {  // the producer
        // Sleep as precisely as the kernel can: the poll wake's sleeps are
        // a few microseconds at the compressed pacing (default slack: 50 µs).
        prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
        std::uint32_t counter = 0;
        gate.arrive_and_wait(2);
        auto writer = buffer.writer();
        for (;;) {
          auto slot = writer.acquire();
          if (!slot) break;  // cancel_writer(): the reader is done
          float* data = slot.data();
          const std::size_t frames = slot.capacity();
          for (std::size_t f = 0; f < frames; ++f, ++counter) {
            const float v = float(counter & counter_mask);
            data[2 * f] = v;
            data[2 * f + 1] = v;
          }
          slot.commit(frames);
        }
      });
}

}  // namespace

void run_rt_read(pingpong::handoff_kind policy, pingpong::wake_kind wake, std::size_t period, const rt_options& options,
                 std::size_t reads, rt_result& into) {
  pingpong::with_handoff(policy, [&](auto tag) {
    using H = typename decltype(tag)::type;
    run_rt_read_with<H>(wake, period, options, reads, into);
  });
}

void finish_rt(rt_result& r) {
  std::vector<std::int64_t> swap_samples;
  swap_samples.reserve(r.samples.size());
  std::int64_t clean_all = 0, clean_swap = 0;
  r.preempted = r.over_1us_clean = 0;
  for (std::size_t j = 0; j < r.samples.size(); ++j) {
    const bool pre = r.flags[j] & 1;
    const bool swp = r.flags[j] & 2;
    if (pre) ++r.preempted;
    if (swp) swap_samples.push_back(r.samples[j]);
    if (!pre) {
      if (r.samples[j] > 1000) ++r.over_1us_clean;
      clean_all = std::max(clean_all, r.samples[j]);
      if (swp) clean_swap = std::max(clean_swap, r.samples[j]);
    }
  }
  r.max_clean_all = double(clean_all);
  r.max_clean_swap = double(clean_swap);
  r.all = summarize(r.samples);  // sorts: the flags no longer match, so drop them
  r.flags.clear();
  r.swap = summarize(swap_samples);
}

}  // namespace ppbench
