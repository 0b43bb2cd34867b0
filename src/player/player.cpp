#include "player/player.hpp"

#include <pingpong/pingpong.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "player/output_file.hpp"
#include "player/source.hpp"
#include "player/threads.hpp"

namespace pingpong::player {
namespace {

using namespace std::chrono_literals;

void bump(std::atomic<std::uint64_t>& counter) noexcept {
  // relaxed: single-writer statistic; load+store avoids a locked instruction.
  counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

/// The measuring side shared by all policies.
class engine_base : public render_target {
 public:
  engine_base(std::int64_t period_ns, std::size_t channels, std::size_t fade_frames)
      : period_ns_(period_ns), channels_(channels), fade_frames_(std::max<std::size_t>(fade_frames, 1)) {}

  /// Control thread: fade the output out over fade_frames, then end the
  /// stream (a stop without a click). fade_done() once the last faded frame
  /// has been handed to the device.
  void request_fade() noexcept {
    fade_requested_.store(true, std::memory_order_relaxed);  // relaxed: a polled flag, nothing published with it
  }
  bool fade_done() const noexcept {
    return fade_done_.load(std::memory_order_relaxed);  // relaxed: a polled flag
  }

  struct producer_setup {
    play_options::stall_plan stall;
    int fifo_priority = 0;
    int cpu = -1;
  };
  virtual void produce(source& input, const producer_setup& setup) = 0;  // producer thread body
  virtual void cancel() noexcept = 0;
  virtual counters buffer_stats() const noexcept = 0;
  virtual writer_counters writer_stats() const noexcept = 0;
  virtual std::uint64_t committed_halves() const noexcept = 0;
  virtual void drain_events() = 0;

  bool producer_done() const noexcept override {
    return producer_done_.load(std::memory_order_acquire);  // acquire: pairs with finish_producer()
  }
  std::string producer_error() const {
    std::lock_guard held(error_mutex_);
    return producer_error_;
  }

  std::string producer_scheduling() const {
    std::lock_guard held(error_mutex_);
    return producer_scheduling_;
  }

  latency_histogram callback_ns, interval_ns;
  std::atomic<int> rt_tid{0};  ///< the callback thread, for the syscall counter
  std::atomic<std::uint64_t> stalls{0};
  std::atomic<std::uint64_t> callbacks{0}, deadline_misses{0}, underflows{0}, overflows{0}, priming{0};
  std::atomic<std::int64_t> first_audio_ns{-1};
  std::atomic<std::uint64_t> source_frames_played{0};
  std::atomic<std::size_t> max_callback_frames{0};  ///< the most frames one callback asked for: the device's real period

 protected:
  // Real-time: measure around the read. Wait-free apart from the policy's read.
  template <class Read>
  render_result measured(float* out, std::size_t frames, const callback_status& status, Read&& read) noexcept {
    const std::int64_t start = now_ns();
    if (last_start_ < 0 && want_tid_) {
      // One gettid system call, at the first callback only, so the control
      // thread can count this thread's system calls from the outside.
      rt_tid.store(current_tid(), std::memory_order_release);  // release: pairs with the control thread's acquire
    }
    if (last_start_ >= 0) interval_ns.record(start - last_start_);
    last_start_ = start;
    if (status.output_underflow) bump(underflows);
    if (status.output_overflow) bump(overflows);
    if (status.priming) bump(priming);
    read_result r = read();
    if (fade_requested_.load(std::memory_order_relaxed)) {  // relaxed: see request_fade()
      const faded f = fade(out, frames, r);
      r = read_result{.frames = f.frames, .silence = frames - f.frames, .end_of_stream = f.ended};
    }
    if (frames > max_callback_frames_) {
      max_callback_frames_ = frames;
      // relaxed: a statistic for the control thread.
      max_callback_frames.store(frames, std::memory_order_relaxed);
    }
    const std::int64_t end = now_ns();
    callback_ns.record(end - start);
    bump(callbacks);
    if (end - start > period_ns_) bump(deadline_misses);
    if (r.frames > 0) {
      // relaxed: statistics for the control thread.
      source_frames_played.store(source_frames_played.load(std::memory_order_relaxed) + r.frames,
                                 std::memory_order_relaxed);
      if (first_audio_ns.load(std::memory_order_relaxed) < 0) first_audio_ns.store(end, std::memory_order_relaxed);
    }
    return render_result{.frames = r.frames, .end = r.end_of_stream};
  }
  /// What fade() leaves of a callback: `frames` faded frames of audio (the
  /// rest is silence), and whether the stream ends here.
  struct faded {
    std::size_t frames = 0;
    bool ended = false;
  };
  /// Real-time: a linear ramp from 1 to 0 over fade_frames_, across as many
  /// callbacks as it takes; the stream ends where the ramp reaches 0.
  faded fade(float* out, std::size_t frames, const read_result& r) noexcept {
    std::size_t f = 0;
    for (; f < r.frames && fade_pos_ < fade_frames_; ++f, ++fade_pos_) {
      const float g = 1.0f - static_cast<float>(fade_pos_ + 1) / static_cast<float>(fade_frames_);
      for (std::size_t c = 0; c < channels_; ++c) out[f * channels_ + c] *= g;
    }
    // Silence after the ramp: the read filled the whole period.
    std::fill(out + f * channels_, out + frames * channels_, 0.0f);
    const bool ended = fade_pos_ >= fade_frames_ || r.end_of_stream;
    if (ended) fade_done_.store(true, std::memory_order_relaxed);  // relaxed: a polled flag
    return faded{.frames = f, .ended = ended};
  }
  void setup_producer_thread(const producer_setup& setup) {
    std::string text;
    bool pinned = true;
    if (setup.cpu >= 0) pinned = pin_to_cpu(setup.cpu);
    if (setup.fifo_priority > 0 && !set_fifo_priority(setup.fifo_priority))
      text = "SCHED_FIFO " + std::to_string(setup.fifo_priority) + " not permitted, ";
    text += describe_scheduling();
    if (setup.cpu >= 0) text += pinned ? ", CPU " + std::to_string(setup.cpu) : ", pinning failed";
    std::lock_guard held(error_mutex_);
    producer_scheduling_ = std::move(text);
  }
  /// Stands for a page fault or slow storage in the producer.
  static void stall_for(double ms, bool busy) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double, std::milli>(ms);
    if (!busy) {
      std::this_thread::sleep_until(until);
      return;
    }
    while (std::chrono::steady_clock::now() < until) {
    }
  }
  void finish_producer(std::string error) {
    if (!error.empty()) {
      std::lock_guard held(error_mutex_);
      producer_error_ = std::move(error);
    }
    producer_done_.store(true, std::memory_order_release);  // release: publishes the last commit
  }

 private:
  std::int64_t period_ns_;
  std::int64_t last_start_ = -1;  // real-time thread only
  std::size_t max_callback_frames_ = 0;  // real-time thread only
  std::size_t channels_;
  std::size_t fade_frames_;
  std::size_t fade_pos_ = 0;  // real-time thread only
  std::atomic<bool> fade_requested_{false}, fade_done_{false};

 public:
  bool want_tid_ = false;         // set before start

 private:
  std::string producer_scheduling_;  // under error_mutex_
  std::atomic<bool> producer_done_{false};
  mutable std::mutex error_mutex_;  // control/producer only, never the RT thread
  std::string producer_error_;
};

template <class H>
class engine final : public engine_base {
 public:
  engine(const config& cfg, std::int64_t period_ns, std::size_t fade_frames)
      : engine_base(period_ns, cfg.channels, fade_frames), buffer_(cfg) {}

  render_result render(float* out, std::size_t frames, const callback_status& status) noexcept override {
    return measured(out, frames, status, [&] { return buffer_.reader().read(out, frames); });
  }
  std::size_t available() noexcept override { return buffer_.reader().available(); }

  void produce(source& input, const producer_setup& setup) override {
    setup_producer_thread(setup);
    std::string error;
    const bool stalls_on = setup.stall.rate_hz > 0 && setup.stall.length_ms > 0;
    // Stalls arrive at exponentially distributed intervals (a Poisson
    // process), so they fall at a random phase of the reader's swaps — as a
    // page fault or a slow read would — not just after a half was freed.
    std::mt19937 random(12345);
    std::exponential_distribution<double> gap(stalls_on ? setup.stall.rate_hz : 1.0);
    auto next_stall_after = [&] {
      return std::chrono::steady_clock::now() +
             std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(gap(random)));
    };
    auto next_stall = next_stall_after();
    try {
      for (;;) {
        auto slot = stalls_on ? buffer_.writer().acquire_until(next_stall) : buffer_.writer().acquire();
        if (!slot) {
          if (buffer_.writer_cancelled()) break;
          if (stalls_on && std::chrono::steady_clock::now() >= next_stall) {
            stall(setup.stall);
            next_stall = next_stall_after();
          }
          continue;
        }
        if (stalls_on && std::chrono::steady_clock::now() >= next_stall) {  // due while busy: stall holding the slot
          stall(setup.stall);
          next_stall = next_stall_after();
        }
        const std::size_t want = slot.capacity();
        const std::size_t got = input.read(slot.data(), want);
        // A short read is the end, or an error after the good frames it
        // returned: commit those (they play), then report the error.
        if (got < want) error = input.take_error();
        slot.commit(got, got < want);
        if (got < want) break;
      }
    } catch (const std::exception& e) {
      error = e.what();
      // End the stream where it is, so the device plays out and stops.
      if (auto slot = buffer_.writer().acquire_for(1s)) slot.commit(0, true);
    }
    finish_producer(std::move(error));
  }
  void cancel() noexcept override { buffer_.cancel_writer(); }

  /// Locked policies stall inside the critical section, as real code that
  /// decodes or faults while holding the lock does; lockfree has no lock.
  void stall(const play_options::stall_plan& plan) {
    bump(stalls);
    if constexpr (requires { buffer_.handoff().native_lock(); }) {
      if (plan.inside_lock) {
        auto& lock = buffer_.handoff().native_lock();
        lock.lock();
        stall_for(plan.length_ms, plan.busy);
        lock.unlock();
        return;
      }
    }
    stall_for(plan.length_ms, plan.busy);
  }
  counters buffer_stats() const noexcept override { return buffer_.stats(); }
  writer_counters writer_stats() const noexcept override { return buffer_.writer_stats(); }
  std::uint64_t committed_halves() const noexcept override { return buffer_.writer_stats().halves_committed; }
  void drain_events() override {
    if (auto* log = buffer_.events()) {
      event e;
      while (log->try_pop(e)) {
      }
    }
  }

 private:
  double_buffer<H> buffer_;
};

latency_summary summarize(const latency_histogram& h) {
  latency_summary s;
  s.count = h.count();
  s.p50 = h.percentile_us(50);
  s.p99 = h.percentile_us(99);
  s.p999 = h.percentile_us(99.9);
  s.max = h.max_us();
  s.bins = h.bins();
  return s;
}

void validate(const play_options& o) {
  if (o.files.empty()) throw input_error("no input files");
  if (o.period_frames < min_period_frames || o.period_frames > max_period_frames)
    throw input_error("--period " + std::to_string(o.period_frames) + " is out of range: use " +
                      std::to_string(min_period_frames) + ".." + std::to_string(max_period_frames) + " frames");
  if (o.half_frames != 0 && o.half_frames < o.period_frames)
    throw input_error("--half " + std::to_string(o.half_frames) + " is smaller than --period " +
                      std::to_string(o.period_frames) + ": a half must hold at least one period");
  if (o.half_frames > max_half_frames)
    throw input_error("--half is too large (at most " + std::to_string(max_half_frames) + " frames)");
  if (!std::isfinite(o.gain_db) || o.gain_db < min_gain_db || o.gain_db > max_gain_db)
    throw input_error("--gain must be between -120 and +40 dB");
  if (o.loops < 0) throw input_error("--loop must be ≥ 0");
  if (o.loops == 0 && !o.output_file.empty())
    throw input_error("--loop inf with --output would render forever: give a count (--loop N)");
  if (o.rate != 0 && (o.rate < min_output_rate || o.rate > max_output_rate))
    throw input_error("--rate " + std::to_string(o.rate) + " is out of range: use " + std::to_string(min_output_rate) +
                      ".." + std::to_string(max_output_rate) + " Hz");
}

/// What play() needs to know of the files before it opens the device.
struct playlist {
  file_info first;
  int widest_channels = 1;
  std::vector<double> seconds;  ///< each file's trimmed length; -1 if unknown
};

playlist probe_playlist(const play_options& o) {
  playlist list;
  for (const auto& path : o.files) {
    const file_info info = probe_file(path);
    if (list.seconds.empty()) list.first = info;
    list.widest_channels = std::max(list.widest_channels, info.channels);
    double length = -1.0;
    if (info.duration_s >= 0) {
      const double end = o.end_s >= 0 ? std::min(o.end_s, info.duration_s) : info.duration_s;
      length = std::max(0.0, end - o.start_s);
    }
    list.seconds.push_back(length);
  }
  return list;
}

/// Which file is playing at `played_s` of output, and where in it. The
/// lengths are the files' own (the resampler's rounding is a few frames).
struct file_position {
  std::size_t index = 0;
  double position_s = 0.0, length_s = -1.0;
  bool known = false;
};
file_position locate(const playlist& list, double played_s) {
  double pass = 0.0;
  for (const double s : list.seconds) {
    if (s < 0) return {};
    pass += s;
  }
  if (pass <= 0) return {};
  double t = std::fmod(played_s, pass);
  for (std::size_t i = 0; i < list.seconds.size(); ++i) {
    if (t < list.seconds[i] || i + 1 == list.seconds.size()) return {i, std::min(t, list.seconds[i]), list.seconds[i], true};
    t -= list.seconds[i];
  }
  return {};
}

std::string mib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f MiB", bytes / double(1 << 20));
  return buf;
}

/// Refuses halves the machine cannot hold before trying to allocate them.
void check_buffer_size(std::size_t half, std::size_t channels) {
  const double bytes = 2.0 * double(half) * double(channels) * double(sizeof(float));
  if (bytes > double(max_buffer_bytes))
    throw input_error("--half " + std::to_string(half) + " × " + std::to_string(channels) + " channels needs " + mib(bytes) +
                      " for the two halves; the limit is " + mib(double(max_buffer_bytes)) + ": use a smaller --half");
}

std::chrono::steady_clock::duration ms(double v) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double, std::milli>(v));
}

/// Ends the stream without a click (a cut mid-waveform clicks): the callback
/// ramps to 0 over fade_out_ms and ends the stream. Once the callback has
/// rendered the ramp, the device still has to play it out of its buffers
/// (PortAudio on JACK does not report the end of a completed stream
/// promptly): allow the output latency plus two periods. Both waits are
/// bounded (1 s), so a device that stopped calling back cannot hold up the exit.
void fade_out(engine_base& eng, const device& out, const device_info& dev, double fade_out_ms) {
  eng.request_fade();
  const double period_ms = 1e3 * double(dev.period_frames) / dev.sample_rate;
  const auto give_up = std::chrono::steady_clock::now() + ms(std::min(1000.0, 50.0 + fade_out_ms + 2 * period_ms));
  while (!eng.fade_done() && !out.finished() && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(1ms);
  if (!eng.fade_done()) return;  // no callbacks: nothing to play out
  const double play_out_ms = std::min(1000.0, 1e3 * dev.output_latency_s + 2 * period_ms);
  const auto played_out = std::chrono::steady_clock::now() + ms(play_out_ms);
  while (!out.finished() && std::chrono::steady_clock::now() < played_out) std::this_thread::sleep_for(1ms);
}

/// The control thread's watch over the callbacks: progress, stalls of a
/// live audio server (counted, waited out) and a dead one (an error).
class callback_watch {
 public:
  callback_watch(const play_options& o, bool offline)
      : offline_(offline),
        // A mutex policy may legitimately block the callback for an injected stall.
        dead_after_(std::max<std::chrono::steady_clock::duration>(1000ms, ms(2.0 * o.stall.length_ms))),
        stall_after_(std::max<std::chrono::steady_clock::duration>(200ms, ms(2.0 * o.stall.length_ms))) {}

  /// Returns false once the device is gone (report.error is set).
  bool check(std::uint64_t callbacks, const device& out, play_report& report) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_check_ > stall_after_) {
      // This thread did not run for that long (the whole process was
      // stopped: SIGSTOP, Ctrl-Z, a debugger): the gap is ours, not the
      // server's, and is not held against it.
      last_progress_ = now;
    }
    last_check_ = now;
    if (callbacks != last_callbacks_) {
      if (last_callbacks_ != 0 && now - last_progress_ > stall_after_) {
        // It came back: a stall, not a death. The device ran dry meanwhile.
        ++report.server_stalls;
        report.longest_stall_s = std::max(report.longest_stall_s, std::chrono::duration<double>(now - last_progress_).count());
      }
      last_callbacks_ = callbacks;
      last_progress_ = now;
      stalled_ = false;
      return true;
    }
    if (offline_ || now - last_progress_ <= dead_after_) return true;
    if (now >= next_server_check_) {
      next_server_check_ = now + 100ms;
      server_alive_ = out.server() == device::server_state::alive;
    }
    if (server_alive_) {
      stalled_ = true;  // stopped or starved, not dead: wait for it (Ctrl-C still ends the run)
      return true;
    }
    report.error = "the audio device stopped calling back for " +
                   std::to_string(std::lround(std::chrono::duration<double>(now - last_progress_).count())) +
                   " s and its server is gone";
    report.error_code = exit_device;
    return false;
  }
  double stalled_s() const {
    return stalled_ ? std::chrono::duration<double>(std::chrono::steady_clock::now() - last_progress_).count() : 0.0;
  }

 private:
  bool offline_;
  std::chrono::steady_clock::duration dead_after_, stall_after_;
  std::uint64_t last_callbacks_ = 0;
  std::chrono::steady_clock::time_point last_progress_ = std::chrono::steady_clock::now(), last_check_ = last_progress_;
  std::chrono::steady_clock::time_point next_server_check_{};
  bool server_alive_ = false, stalled_ = false;
};

/// Keeps a device whose stream was left to the host (and the engine it may
/// still call) alive for the rest of the process: never destroyed,
/// reachable from a static (so leak checkers see them as kept).
void keep_alive(std::unique_ptr<device> out, std::unique_ptr<engine_base> eng) {
  struct kept_alive {
    std::mutex mutex;
    std::vector<std::unique_ptr<device>> devices;
    std::vector<std::unique_ptr<engine_base>> engines;
  };
  static kept_alive* const kept = new kept_alive;
  std::lock_guard held(kept->mutex);
  kept->devices.push_back(std::move(out));
  kept->engines.push_back(std::move(eng));
}

void fill_figures(play_report& report, const engine_base& eng, const device& out, const device_info& dev) {
  const counters c = eng.buffer_stats();
  const writer_counters w = eng.writer_stats();
  report.frames_played = eng.source_frames_played.load(std::memory_order_relaxed);
  report.duration_s = double(report.frames_played) / dev.sample_rate;
  report.underrun_events = c.underrun_events;
  report.underrun_frames = c.underrun_frames;
  report.swaps = c.swaps;
  report.wake_syscalls = c.wake_syscalls;
  report.lock_busy = c.lock_busy;
  report.events_dropped = c.events_dropped;
  report.max_swap_ns = c.max_swap_ns;
  report.min_slack_frames = w.min_slack_frames;
  report.callbacks = eng.callbacks.load(std::memory_order_relaxed);
  report.deadline_misses = eng.deadline_misses.load(std::memory_order_relaxed);
  report.output_underflows = eng.underflows.load(std::memory_order_relaxed);
  report.output_overflows = eng.overflows.load(std::memory_order_relaxed);
  report.priming_callbacks = eng.priming.load(std::memory_order_relaxed);
  report.device_xruns = report.output_underflows + report.output_overflows + report.server_stalls;
  report.callback_us = summarize(eng.callback_ns);
  report.interval_us = summarize(eng.interval_ns);
  if (const latency_histogram* late = out.wake_lateness()) report.wake_late_us = summarize(*late);
  report.clipped_samples = out.clipped_samples();
  // The period the device really called back with (JACK: the server's,
  // which may even change while playing).
  if (const std::size_t seen = eng.max_callback_frames.load(std::memory_order_relaxed); seen > 0 && dev.host_api != "file")
    report.device.period_frames = seen;
}

}  // namespace

const char* verdict(const play_report& report) noexcept {
  if (!report.error.empty()) return "error";
  return report.glitched() ? "glitched" : "clean";
}

std::size_t effective_half_frames(const play_options& options) noexcept {
  return effective_half_frames(options, options.period_frames);
}

std::size_t effective_half_frames(const play_options& options, std::size_t device_period) noexcept {
  if (options.half_frames) return std::max(options.half_frames, device_period);
  if (!options.output_file.empty()) return std::max<std::size_t>(device_period, 16384);
  return std::max<std::size_t>(8 * device_period, 2048);
}

play_report play(const play_options& options, const play_hooks& hooks) {
  const std::int64_t called_ns = now_ns();
  validate(options);
  check_output_path(options.output_file, "--output", options.files);
  const playlist list = probe_playlist(options);

  device_request request;
  request.name = options.device;
  request.output_file = options.output_file;
  request.preferred_rate = options.rate > 0 ? options.rate : list.first.sample_rate;
  request.require_rate = options.rate > 0;
  request.period_frames = options.period_frames;
  request.encoding = options.encoding;
  request.fifo_priority = options.device_fifo_priority;
  request.cpu = options.device_cpu;
  // A real device gets at least stereo (mono plays on both sides); offline
  // and sim keep the files' layout so the output equals the source. The
  // widest file decides, so a later 5.1 file is not folded to the first's stereo.
  const bool hardware = options.output_file.empty() && options.device != "sim";
  request.wanted_channels = hardware ? std::max(2, list.widest_channels) : list.widest_channels;
  std::unique_ptr<device> out = open_device(request);
  const device_info dev = out->info();

  play_report report;
  if (dev.period_fixed && options.period_given && dev.period_frames != options.period_frames)
    report.notes.push_back("--period " + std::to_string(options.period_frames) + " does not apply: " + dev.host_api +
                           " calls back with its server's period, " + std::to_string(dev.period_frames) +
                           " frames (change it with jack_bufsize N, or scripts/jack.sh start --period N)");
  const std::size_t half = effective_half_frames(options, dev.period_frames);
  if (options.half_frames != 0 && half != options.half_frames)
    report.notes.push_back("--half " + std::to_string(options.half_frames) + " raised to " + std::to_string(half) +
                           " frames: a half holds at least one device period");
  check_buffer_size(half, std::size_t(dev.channels));

  source_options so;
  so.files = options.files;
  so.start_s = options.start_s;
  so.end_s = options.end_s;
  so.loops = options.loops;
  so.gain_db = options.gain_db;
  so.output_rate = dev.sample_rate;
  so.output_channels = dev.channels;
  source input(so);

  const config cfg{.half_frames = half,
                   .channels = std::size_t(dev.channels),
                   .wake = options.wake,
                   .sample_rate = double(dev.sample_rate),
                   .event_capacity = 4096};
  const auto period_ns = std::int64_t(1e9 * double(dev.period_frames) / dev.sample_rate);
  std::unique_ptr<engine_base> eng;
  try {
    eng = with_handoff(options.handoff, [&](auto policy) -> std::unique_ptr<engine_base> {
      return std::make_unique<engine<typename decltype(policy)::type>>(
          cfg, period_ns, static_cast<std::size_t>(std::lround(options.fade_out_ms * 1e-3 * dev.sample_rate)));
    });
  } catch (const std::bad_alloc&) {
    throw input_error("cannot allocate " + mib(2.0 * double(half) * dev.channels * sizeof(float)) + " for the two halves (--half " +
                      std::to_string(half) + " × " + std::to_string(dev.channels) + " channels): use a smaller --half");
  }

  report.files = options.files;
  report.device = dev;
  report.handoff = std::string(to_string(options.handoff));
  report.wake = std::string(to_string(options.wake));
  report.half_frames = half;
  report.channel_mapping = input.channel_mapping();
  report.resampled = input.resampling();
  report.source_rate = list.first.sample_rate;
  if (hooks.on_start) hooks.on_start(report);

  eng->want_tid_ = options.count_rt_syscalls;
  const engine_base::producer_setup setup{options.stall, options.producer_fifo_priority, options.producer_cpu};
  std::thread producer([&] { eng->produce(input, setup); });
  // Prime: both halves full (or the whole, short stream) before the first callback.
  const auto prime_deadline = std::chrono::steady_clock::now() + 10s;
  while (eng->committed_halves() < 2 && !eng->producer_done() && std::chrono::steady_clock::now() < prime_deadline)
    std::this_thread::sleep_for(200us);

  const auto started = std::chrono::steady_clock::now();
  const std::int64_t started_ns = now_ns();
  try {
    out->start(*eng);
  } catch (...) {
    out->stop();
    eng->cancel();
    producer.join();
    throw;
  }

  const double duration_s =
      options.loops == 0 || input.frames_per_pass() < 0 ? -1.0
                                                         : double(input.frames_per_pass()) * options.loops / dev.sample_rate;
  // Queued frames (committed, not yet read) as a share of both halves.
  const auto fill_of = [both = 2.0 * double(half)](const counters& c, const writer_counters& w) {
    return std::clamp(double(w.frames_committed) - double(c.frames_read), 0.0, both) / both;
  };
  auto next_tick = std::chrono::steady_clock::now();
  auto next_sample = next_tick;
  std::unique_ptr<thread_syscall_counter> rt_syscalls;
  std::uint64_t rt_callbacks_at_open = 0;
  const auto stop_at = options.stop_after_s > 0
                           ? started + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                           std::chrono::duration<double>(options.stop_after_s))
                           : std::chrono::steady_clock::time_point::max();
  // Watchdog: a device that stops calling back (the audio server died, the
  // card vanished) must not hang the player; a stalled server is waited out.
  callback_watch watch(options, !options.output_file.empty());
  while (!out->finished()) {
    if (hooks.interrupt && hooks.interrupt->load(std::memory_order_relaxed)) {  // relaxed: a polled flag
      report.interrupted = true;
      fade_out(*eng, *out, dev, options.fade_out_ms);
      break;
    }
    const auto now = std::chrono::steady_clock::now();
    if (!watch.check(eng->callbacks.load(std::memory_order_relaxed), *out, report)) break;
    if (now >= stop_at) break;
    if (options.stop_after_glitches > 0 &&
        eng->buffer_stats().underrun_events + eng->deadline_misses.load(std::memory_order_relaxed) >
            options.stop_after_glitches)
      break;
    if (options.count_rt_syscalls && !rt_syscalls) {
      // acquire: pairs with the release store at the first callback.
      if (const int tid = eng->rt_tid.load(std::memory_order_acquire); tid != 0) {
        rt_syscalls = std::make_unique<thread_syscall_counter>(tid);
        rt_callbacks_at_open = eng->callbacks.load(std::memory_order_relaxed);
      }
    }
    if (options.collect_timeline && now >= next_sample) {
      next_sample += 50ms;
      const counters c = eng->buffer_stats();
      const writer_counters w = eng->writer_stats();
      report.timeline.push_back(
          {std::chrono::duration<double>(now - started).count(),
           fill_of(c, w),
           c.underrun_events, eng->deadline_misses.load(std::memory_order_relaxed),
           eng->underflows.load(std::memory_order_relaxed) + eng->overflows.load(std::memory_order_relaxed)});
    }
    eng->drain_events();
    if (hooks.on_tick && std::chrono::steady_clock::now() >= next_tick) {
      next_tick = std::chrono::steady_clock::now() + 200ms;
      const counters c = eng->buffer_stats();
      const writer_counters w = eng->writer_stats();
      live_status st;
      st.position_s = double(eng->source_frames_played.load(std::memory_order_relaxed)) / dev.sample_rate;
      st.duration_s = duration_s;
      st.fill = fill_of(c, w);
      st.underruns = c.underrun_events;
      st.deadline_misses = eng->deadline_misses.load(std::memory_order_relaxed);
      st.device_xruns = eng->underflows.load(std::memory_order_relaxed) + eng->overflows.load(std::memory_order_relaxed) +
                        report.server_stalls;
      st.cpu_load = out->cpu_load();
      st.stalled_s = watch.stalled_s();
      st.file_count = options.files.size();
      if (const file_position at = locate(list, st.position_s); at.known) {
        st.file_index = at.index;
        st.file_position_s = at.position_s;
        st.file_duration_s = at.length_s;
      } else {
        st.file_index = std::min(input.current_file(), options.files.size() - 1);
        st.file_position_s = st.position_s;
      }
      st.file = options.files[st.file_index];
      hooks.on_tick(st);
    }
    // Offline renders end at any moment and should not wait out a long nap.
    std::this_thread::sleep_for(options.output_file.empty() ? 10ms : 1ms);
  }
  report.cpu_load = out->cpu_load();
  if (rt_syscalls && rt_syscalls->available()) {
    const std::uint64_t n = rt_syscalls->read();
    const std::uint64_t calls = eng->callbacks.load(std::memory_order_relaxed) - rt_callbacks_at_open;
    // The device thread's own calls between callbacks (the sim device's one
    // clock_nanosleep per period) are not the callback's; subtract them
    // where the device knows them. Host threads (JACK) make their own too.
    const double own = out->own_syscalls_per_callback();
    if (calls > 0) report.rt_syscalls_per_callback = std::max(0.0, double(n) / double(calls) - std::max(own, 0.0));
    if (own < 0) report.rt_syscalls_note = "includes the host's own system calls on its callback thread";
  } else if (options.count_rt_syscalls) {
    report.rt_syscalls_note = rt_syscalls ? rt_syscalls->why_unavailable() : "the callback never ran";
  }
  rt_syscalls.reset();
  if (report.error_code == exit_device) {
    out->abandon();  // it stopped calling back: stopping it would wait for it
  } else {
    out->stop();  // bounded: a stream the host will not let go of is abandoned
  }
  eng->cancel();
  producer.join();
  report.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  report.producer_scheduling = eng->producer_scheduling();
  report.device_scheduling = out->scheduling();
  report.stalls_injected = eng->stalls.load(std::memory_order_relaxed);
  fill_figures(report, *eng, *out, dev);
  if (const std::int64_t first_ns = eng->first_audio_ns.load(std::memory_order_relaxed); first_ns >= 0) {
    report.first_audio_ms = double(first_ns - started_ns) / 1e6;
    report.startup_ms = double(first_ns - called_ns) / 1e6;
  }
  if (!report.error.empty()) {
    // set by the watchdog above
  } else if (std::string e = eng->producer_error(); !e.empty()) {
    report.error = e;
    report.error_code = exit_bad_input;
  } else if (std::string f = out->failure(); !f.empty()) {
    report.error = f;
    report.error_code = out->failure_code();
  }
  if (report.error.empty()) {
    // A good (or user-interrupted) render gets its name; a failed one
    // leaves nothing behind (the device's destructor discards it).
    try {
      out->commit();
    } catch (const output_error& e) {
      report.error = e.what();
      report.error_code = exit_output;
    }
  }
  // The abandoned stream may still call back (a stalled, not dead, server):
  // the device and the engine it calls must outlive this function.
  if (out->abandoned()) keep_alive(std::move(out), std::move(eng));
  return report;
}

}  // namespace pingpong::player
