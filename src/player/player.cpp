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

#include "player/engine.hpp"
#include "player/output_file.hpp"
#include "player/source/source.hpp"
#include "player/text.hpp"
#include "player/threads.hpp"

#include <sys/mman.h>

#include <cerrno>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define PINGPONG_SHADOW_MEMORY 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define PINGPONG_SHADOW_MEMORY 1
#endif
#endif

namespace pingpong::player {
namespace {

using namespace std::chrono_literals;

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
  std::vector<double> seconds;      ///< each file's trimmed length; -1 if unknown
  std::vector<std::string> titles;  ///< each file's title: the playlist's, else its tag ("artist – title"), else empty
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
    std::string title = list.titles.size() < o.titles.size() ? o.titles[list.titles.size()] : std::string();
    if (title.empty() && !info.title.empty())
      title = info.artist.empty() ? info.title : info.artist + " – " + info.title;
    list.titles.push_back(std::move(title));
  }
  return list;
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
    throw input_error("--half " + std::to_string(half) + " × " + std::to_string(channels) + " channels needs " +
                      mib(bytes) + " for the two halves; the limit is " + mib(double(max_buffer_bytes)) +
                      ": use a smaller --half");
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
        report.longest_stall_s =
            std::max(report.longest_stall_s, std::chrono::duration<double>(now - last_progress_).count());
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
  report.frames_played = eng.source_frames_played.load();
  report.duration_s = double(report.frames_played) / dev.sample_rate;
  report.underrun_events = c.underrun_events;
  report.underrun_frames = c.underrun_frames;
  report.swaps = c.swaps;
  report.wake_syscalls = c.wake_syscalls;
  report.lock_busy = c.lock_busy;
  report.events_dropped = c.events_dropped;
  report.max_swap_ns = c.max_swap_ns;
  report.min_slack_frames = w.min_slack_frames;
  report.callbacks = eng.callbacks();
  report.deadline_misses = eng.deadline_misses();
  report.output_underflows = eng.underflows.load();
  report.output_overflows = eng.overflows.load();
  report.priming_callbacks = eng.priming.load();
  report.device_xruns = report.output_underflows + report.output_overflows + report.server_stalls;
  report.callback_us = summarize(eng.callback_ns);
  report.interval_us = summarize(eng.interval_ns);
  if (const latency_histogram* late = out.wake_lateness()) report.wake_late_us = summarize(*late);
  report.clipped_samples = out.clipped_samples();
  // The period the device really called back with (JACK: the server's,
  // which may even change while playing).
  if (const std::size_t seen = eng.max_callback_frames.load(std::memory_order_relaxed);
      seen > 0 && dev.host_api != "file")
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
  // Offline, a half is a unit of throughput, not of latency: 64 Ki frames
  // (512 KiB stereo float) makes the two threads meet ~70 times a minute of
  // 48 kHz audio instead of ~180, each meeting a wake-up.
  if (!options.output_file.empty()) return std::max<std::size_t>(device_period, 65536);
  return std::max<std::size_t>(8 * device_period, 2048);
}

namespace {

/// mlockall for one run, undone at its end: a page fault on the callback's
/// path (the halves, the engine, the device's stack) costs a disk read at
/// worst. The halves are already written (zeroed) when this runs, so they
/// are resident and stay so.
class memory_lock {
 public:
  /// Locks if asked and permitted; `state()` says what happened.
  explicit memory_lock(bool wanted) {
    if (!wanted) {
      state_ = "not locked (not asked)";
      return;
    }
#if PINGPONG_SHADOW_MEMORY
    state_ = "not locked: a sanitizer build (its shadow memory cannot be locked)";
#else
    if (::mlockall(MCL_CURRENT | MCL_FUTURE) == 0) {
      locked_ = true;
      state_ = "locked";
    } else {
      state_ = "not locked: " + error_text(errno) + " (raise the memlock limit: ulimit -l, /etc/security/limits.conf)";
    }
#endif
  }
  ~memory_lock() {
    if (locked_) ::munlockall();
  }
  memory_lock(const memory_lock&) = delete;
  memory_lock& operator=(const memory_lock&) = delete;
  const std::string& state() const noexcept {
    return state_;
  }

 private:
  bool locked_ = false;
  std::string state_;
};

/// One play() from open to report, as steps the control thread takes in
/// order: open (files, device, source, engine), start (producer, prime,
/// device), monitor (until the end, an interrupt, a dead device or a
/// limit), stop (bounded), report. Each step is one member function.
class session final : public play_control {
 public:
  session(const play_options& options, const play_hooks& hooks) : options_(options), hooks_(hooks) {}
  ~session() override {
    stop();
    input_.reset();
    release_streams();
  }
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  play_report run() {
    open();
    start();
    monitor();
    stop();
    finish_report();
    // The abandoned stream may still call back (a stalled, not dead, server):
    // the device and the engine it calls must outlive this function.
    if (out_->abandoned()) keep_alive(std::move(out_), std::move(eng_));
    return std::move(report_);
  }

 private:
  void open();
  void open_device_for_files();
  void start();
  void monitor();
  void tick();
  void sample_timeline(std::chrono::steady_clock::time_point now);
  void drain_events();
  void watch_rt_syscalls();
  void measure_rt_syscalls();
  void stop() noexcept;
  void finish_report();
  double fill() const {
    // Queued frames (committed, not yet read) as a share of both halves.
    const double both = 2.0 * double(report_.half_frames);
    const double queued = double(eng_->writer_stats().frames_committed) - double(eng_->buffer_stats().frames_read);
    return std::clamp(queued, 0.0, both) / both;
  }
  std::uint64_t host_xruns() const { return eng_->underflows.load() + eng_->overflows.load(); }

  // play_control (the keys), control thread.
  void toggle_pause() override { eng_->set_paused(!eng_->paused()); }
  bool paused() const override { return eng_->paused(); }
  bool seek(double seconds, std::string& why) override {
    const std::size_t file = eng_->position_now().file;
    if (!input_->seekable(file)) {
      why = "cannot seek in a pipe";
      return false;
    }
    eng_->request_seek({.seconds = seconds, .files = 0});
    return true;
  }
  bool skip(int files, std::string& why) override {
    const std::size_t file = eng_->position_now().file;
    const auto target = static_cast<std::int64_t>(file) + files;
    const bool leaves_pipe = !input_->seekable(file);
    if ((leaves_pipe && files <= 0) || (target >= 0 && target < static_cast<std::int64_t>(options_.files.size()) &&
                                        !input_->seekable(static_cast<std::size_t>(target)))) {
      why = "cannot go back in a pipe";
      return false;
    }
    eng_->request_seek({.seconds = 0.0, .files = files});
    return true;
  }
  void change_volume(double db) override {
    volume_db_ = std::clamp(volume_db_ + db, -60.0, 12.0);
    apply_gain();
  }
  void toggle_mute() override {
    muted_ = !muted_;
    apply_gain();
  }
  void quit() override { quit_ = true; }
  void apply_gain() { eng_->set_gain(muted_ ? 0.0f : static_cast<float>(std::pow(10.0, volume_db_ / 20.0))); }

  const play_options& options_;
  const play_hooks& hooks_;
  const std::int64_t called_ns_ = now_ns();
  playlist list_;
  std::unique_ptr<device> out_;
  device_info dev_;
  std::unique_ptr<source> input_;
  std::unique_ptr<engine_base> eng_;
  std::thread producer_;
  play_report report_;
  std::chrono::steady_clock::time_point started_;
  std::int64_t started_ns_ = 0;
  std::vector<event> events_;  ///< drain_events()' scratch
  double duration_s_ = -1.0;
  std::chrono::steady_clock::time_point next_tick_, next_sample_;
  std::unique_ptr<thread_syscall_counter> rt_syscalls_;
  std::uint64_t rt_callbacks_at_open_ = 0;
  std::unique_ptr<callback_watch> watch_;
  std::unique_ptr<memory_lock> memory_;
  bool stopped_ = false;
  double volume_db_ = 0.0;
  bool muted_ = false, quit_ = false;
};

void session::open_device_for_files() {
  device_request request;
  request.name = options_.device;
  request.output_file = options_.output_file;
  request.preferred_rate = options_.rate > 0 ? options_.rate : list_.first.sample_rate;
  request.require_rate = options_.rate > 0;
  request.period_frames = options_.period_frames;
  request.encoding = options_.encoding;
  request.fifo_priority = options_.device_fifo_priority;
  request.cpu = options_.device_cpu;
  // A real device gets at least stereo (mono plays on both sides); offline
  // and sim keep the files' layout so the output equals the source. The
  // widest file decides, so a later 5.1 file is not folded to the first's stereo.
  const bool hardware = options_.output_file.empty() && options_.device != "sim";
  request.wanted_channels = hardware ? std::max(2, list_.widest_channels) : list_.widest_channels;
  out_ = open_device(request);
  dev_ = out_->info();
  if (dev_.period_fixed && options_.period_given && dev_.period_frames != options_.period_frames)
    report_.notes.push_back("--period " + std::to_string(options_.period_frames) + " does not apply: " + dev_.host_api +
                            " calls back with its server's period, " + std::to_string(dev_.period_frames) +
                            " frames (change it with jack_bufsize N, or scripts/jack.sh start --period N)");
}

void session::open() {
  validate(options_);
  check_output_path(options_.output_file, "--output", options_.files);
  list_ = probe_playlist(options_);
  open_device_for_files();

  const std::size_t half = effective_half_frames(options_, dev_.period_frames);
  if (options_.half_frames != 0 && half != options_.half_frames)
    report_.notes.push_back("--half " + std::to_string(options_.half_frames) + " raised to " + std::to_string(half) +
                            " frames: a half holds at least one device period");
  check_buffer_size(half, std::size_t(dev_.channels));

  source_options so;
  so.files = options_.files;
  so.start_s = options_.start_s;
  so.end_s = options_.end_s;
  so.loops = options_.loops;
  so.gain_db = options_.gain_db;
  so.output_rate = dev_.sample_rate;
  so.output_channels = dev_.channels;
  input_ = std::make_unique<source>(so);

  const wake_kind wake = resolved_wake(options_);
  const config cfg{.half_frames = half,
                   .channels = std::size_t(dev_.channels),
                   .wake = wake,
                   .sample_rate = double(dev_.sample_rate),
                   .event_capacity = 4096};
  const auto period_ns = std::int64_t(1e9 * double(dev_.period_frames) / dev_.sample_rate);
  try {
    eng_ = make_engine(options_.handoff, cfg, period_ns,
                       static_cast<std::size_t>(std::lround(options_.fade_out_ms * 1e-3 * dev_.sample_rate)));
  } catch (const std::bad_alloc&) {
    throw input_error("cannot allocate " + mib(2.0 * double(half) * dev_.channels * sizeof(float)) +
                      " for the two halves (--half " + std::to_string(half) + " × " + std::to_string(dev_.channels) +
                      " channels): use a smaller --half");
  }

  engine_base::seek_map map;
  map.seconds = list_.seconds;
  map.loops = options_.loops;
  map.rate = dev_.sample_rate;
  map.interactive = options_.interactive;
  eng_->set_seek_map(std::move(map));
  eng_->set_gain_ramp(static_cast<std::size_t>(std::lround(options_.volume_ramp_ms * 1e-3 * dev_.sample_rate)));

  memory_ = std::make_unique<memory_lock>(options_.lock_memory);
  report_.memory = memory_->state();
  report_.files = options_.files;
  report_.device = dev_;
  report_.handoff = std::string(to_string(options_.handoff));
  report_.wake = std::string(to_string(wake));
  report_.half_frames = half;
  report_.channel_mapping = input_->channel_mapping();
  report_.resampled = input_->resampling();
  report_.source_rate = list_.first.sample_rate;
  if (hooks_.on_start) hooks_.on_start(report_);
}

void session::start() {
  eng_->want_tid_ = options_.count_rt_syscalls;
  const engine_base::producer_setup setup{options_.stall, options_.producer_fifo_priority, options_.producer_cpu};
  producer_ = std::thread([this, setup] { eng_->produce(*input_, setup); });
  // Prime: both halves full (or the whole, short stream) before the first
  // callback. Not offline: the file device waits for each half itself (it
  // never plays silence), so it starts at once and works beside the producer.
  const auto prime_deadline = std::chrono::steady_clock::now() + 10s;
  while (options_.output_file.empty() && eng_->committed_halves() < 2 && !eng_->producer_done() &&
         std::chrono::steady_clock::now() < prime_deadline)
    std::this_thread::sleep_for(200us);
  started_ = std::chrono::steady_clock::now();
  started_ns_ = now_ns();
  out_->start(*eng_);  // throws device_error; the destructor stops what started
  duration_s_ = options_.loops == 0 || input_->frames_per_pass() < 0
                    ? -1.0
                    : double(input_->frames_per_pass()) * options_.loops / dev_.sample_rate;
  next_tick_ = next_sample_ = started_;
}

void session::monitor() {
  const auto stop_at = options_.stop_after_s > 0
                           ? started_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                            std::chrono::duration<double>(options_.stop_after_s))
                           : std::chrono::steady_clock::time_point::max();
  // Watchdog: a device that stops calling back (the audio server died, the
  // card vanished) must not hang the player; a stalled server is waited out.
  watch_ = std::make_unique<callback_watch>(options_, !options_.output_file.empty());
  while (!out_->finished()) {
    if (hooks_.interrupt && hooks_.interrupt->load(std::memory_order_relaxed)) {  // relaxed: a polled flag
      report_.interrupted = true;
      fade_out(*eng_, *out_, dev_, options_.fade_out_ms);
      break;
    }
    if (quit_) {
      report_.quit = true;
      fade_out(*eng_, *out_, dev_, options_.fade_out_ms);
      break;
    }
    const auto now = std::chrono::steady_clock::now();
    if (!watch_->check(eng_->callbacks(), *out_, report_)) break;
    if (now >= stop_at) break;
    if (options_.stop_after_glitches > 0 &&
        eng_->buffer_stats().underrun_events + eng_->deadline_misses() > options_.stop_after_glitches)
      break;
    watch_rt_syscalls();
    if (options_.collect_timeline && now >= next_sample_) sample_timeline(now);
    drain_events();
    if (hooks_.on_tick && std::chrono::steady_clock::now() >= next_tick_) tick();
    if (hooks_.on_idle && options_.output_file.empty()) {
      hooks_.on_idle(*this);  // the keys: waits on stdin for up to ~10 ms
    } else {
      // An offline render wakes us the moment it ends (no nap to wait out).
      out_->wait_finished(options_.output_file.empty() ? 10ms : 5ms);
    }
  }
  report_.cpu_load = out_->cpu_load();
  measure_rt_syscalls();
}

/// The real-time side's event log into the report: each underrun with its
/// time and its place in the stream. The scratch vector keeps its capacity.
void session::drain_events() {
  events_.clear();
  eng_->drain_events(events_);
  for (const event& e : events_) {
    if (e.kind != event_kind::underrun) continue;
    const std::uint64_t at = e.stream_position;                                    // where in the audio the gap falls
    if (report_.underrun_log.size() >= play_report::underrun_log_limit) continue;  // counted in finish_report()
    report_.underrun_log.push_back({.t_s = double(e.time_ns - started_ns_) / 1e9,
                                    .position = at,
                                    .position_s = double(at) / dev_.sample_rate,
                                    .silence_frames = e.frames});
  }
}

void session::sample_timeline(std::chrono::steady_clock::time_point now) {
  next_sample_ += 50ms;
  report_.timeline.push_back({std::chrono::duration<double>(now - started_).count(), fill(),
                              eng_->buffer_stats().underrun_events, eng_->deadline_misses(), host_xruns()});
}

/// The live status: where in which file, how full, what went wrong so far.
void session::tick() {
  next_tick_ = std::chrono::steady_clock::now() + 200ms;
  live_status st;
  st.position_s = double(eng_->source_frames_played.load()) / dev_.sample_rate;
  st.duration_s = duration_s_;
  st.fill = fill();
  st.underruns = eng_->buffer_stats().underrun_events;
  st.deadline_misses = eng_->deadline_misses();
  st.device_xruns = host_xruns() + report_.server_stalls;
  st.cpu_load = out_->cpu_load();
  st.stalled_s = watch_->stalled_s();
  st.file_count = options_.files.size();
  const engine_base::heard_position at = eng_->position_now();
  st.file_index = std::min(at.file, options_.files.size() - 1);
  st.file_position_s = at.seconds;
  st.file_duration_s = list_.seconds[st.file_index];
  st.file = options_.files[st.file_index];
  st.title = list_.titles[st.file_index];
  st.paused = eng_->paused();
  st.muted = muted_;
  st.volume_db = volume_db_;
  hooks_.on_tick(st);
}

/// Opens the perf counter on the callback thread once it has run.
void session::watch_rt_syscalls() {
  if (!options_.count_rt_syscalls || rt_syscalls_) return;
  // acquire: pairs with the release store at the first callback.
  if (const int tid = eng_->rt_tid.load(std::memory_order_acquire); tid != 0) {
    rt_syscalls_ = std::make_unique<thread_syscall_counter>(tid);
    rt_callbacks_at_open_ = eng_->callbacks();
  }
}

void session::measure_rt_syscalls() {
  if (rt_syscalls_ && rt_syscalls_->available()) {
    const std::uint64_t n = rt_syscalls_->read();
    const std::uint64_t calls = eng_->callbacks() - rt_callbacks_at_open_;
    // The device thread's own calls between callbacks (the sim device's one
    // clock_nanosleep per period) are not the callback's; subtract them
    // where the device knows them. Host threads (JACK) make their own too.
    const double own = out_->own_syscalls_per_callback();
    if (calls > 0) report_.rt_syscalls_per_callback = std::max(0.0, double(n) / double(calls) - std::max(own, 0.0));
    if (own < 0) report_.rt_syscalls_note = "includes the host's own system calls on its callback thread";
  } else if (options_.count_rt_syscalls) {
    report_.rt_syscalls_note = rt_syscalls_ ? rt_syscalls_->why_unavailable() : "the callback never ran";
  }
  rt_syscalls_.reset();
}

/// Stops the device (bounded: a stream the host will not let go of is
/// abandoned), then the producer. Safe to call twice and after a failed step.
void session::stop() noexcept {
  if (stopped_) return;
  stopped_ = true;
  if (out_) {
    if (report_.error_code == exit_device) {
      out_->abandon();  // it stopped calling back: stopping it would wait for it
    } else {
      out_->stop();
    }
  }
  if (eng_) eng_->cancel();
  cancel_streams();  // a producer blocked on a stalled pipe reads its end
  if (producer_.joinable()) producer_.join();
}

void session::finish_report() {
  report_.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  report_.producer_scheduling = eng_->producer_scheduling();
  report_.device_scheduling = out_->scheduling();
  report_.stalls_injected = eng_->stalls.load();
  fill_figures(report_, *eng_, *out_, dev_);
  drain_events();  // what the last callbacks logged
  // Past the limit, or lost to a full event log: the counter has them all.
  report_.underrun_log_dropped =
      report_.underrun_events - std::min<std::uint64_t>(report_.underrun_events, report_.underrun_log.size());
  if (const std::int64_t first_ns = eng_->first_audio_ns.load(std::memory_order_relaxed); first_ns >= 0) {
    report_.first_audio_ms = double(first_ns - started_ns_) / 1e6;
    report_.startup_ms = double(first_ns - called_ns_) / 1e6;
  }
  if (!report_.error.empty()) {
    // set by the watchdog
  } else if (std::string e = eng_->producer_error(); !e.empty()) {
    report_.error = e;
    report_.error_code = exit_bad_input;
  } else if (std::string f = out_->failure(); !f.empty()) {
    report_.error = f;
    report_.error_code = out_->failure_code();
  }
  if (!report_.error.empty()) return;
  // A good (or user-interrupted) render gets its name; a failed one
  // leaves nothing behind (the device's destructor discards it).
  try {
    out_->commit();
  } catch (const output_error& e) {
    report_.error = e.what();
    report_.error_code = exit_output;
  }
}

}  // namespace

wake_kind resolved_wake(const play_options& options) noexcept {
  if (options.wake) return *options.wake;
  // auto: poll on a device (no system call on the real-time thread);
  // semaphore offline, where there is no real-time thread and a sleeping
  // producer woken at once renders a 60 s WAV 4x faster than a polling one.
  return options.output_file.empty() ? wake_kind::poll : wake_kind::semaphore;
}

play_report play(const play_options& options, const play_hooks& hooks) {
  session s(options, hooks);
  return s.run();
}

}  // namespace pingpong::player
