// pingpong::streamer — many streams, one small producer pool, one wait-free mix.
//
//   pingpong::streamer mixer({.channels = 2, .half_frames = 1024, .max_streams = 256});
//   auto id = mixer.add(pingpong::make_source([](std::span<float> out, std::size_t channels) {
//     return pingpong::fill_result{decode(out.data(), out.size() / channels), at_end};  // pool thread
//   }));
//   mixer.start();                          // the pool (config.threads, default 1)
//   mixer.mix(out, frames);                 // real-time callback: sums every stream into `out`
//   mixer.set_gain(*id, 0.5f); mixer.seek(*id, 0); mixer.remove(*id);   // control, while playing
//
// Each stream is a double_buffer<lockfree> and a stream_source (an abstract
// "fill this span" callback, so the core stays free of any decoder). The
// pool refills the stream that runs out soonest first (earliest deadline
// first: the fewest frames left to play), one half at a time, re-choosing
// after every half. The real-time side learns of streams through a
// preallocated slot array: an atomic high-water count and an atomic state
// per slot; it never takes a lock, never allocates, and makes at most one
// semaphore post per mix() (a futex wake only when the pool's first thread
// sleeps). A woken pool thread that sees more work than one thread does
// wakes the next (from its own thread, never the real-time one).
//
// Roles: one control thread (add/remove/seek/set_gain/stats/collect/start/
// stop), one real-time thread (mix), the pool threads (the sources' fill()
// and seek()). Models: SuperCollider's DiskIn, Ardour's butler.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "detail/realtime.hpp"
#include "double_buffer.hpp"
#include "semaphore.hpp"
#include "telemetry.hpp"

namespace pingpong {

/// What one fill() did.
struct fill_result {
  std::size_t frames = 0;  ///< frames written (≤ the span's frames)
  bool end = false;        ///< the stream ends after these frames
};

/// A stream's input: fills spans of interleaved float frames.
/// Thread: a pool thread, one at a time per stream (it may be a different
/// pool thread from call to call; the pool orders the calls). May block,
/// allocate, do I/O — never runs on the real-time thread.
class stream_source {
 public:
  virtual ~stream_source() = default;
  /// Effects: writes up to out.size() / channels frames into `out`.
  /// Returns: the frames written, and whether the stream ends after them.
  /// Zero frames without `end` means "nothing yet" (retried later). An
  /// exception ends the stream (stream_stats::failed).
  virtual fill_result fill(std::span<float> out, std::size_t channels) = 0;
  /// Effects: the next fill() starts at `frame`. Returns false if the
  /// source cannot seek (the stream then plays on from where it was).
  virtual bool seek(std::uint64_t frame) {
    (void)frame;
    return false;
  }
};

/// A stream_source from a callable `fill_result(std::span<float>, std::size_t channels)`.
template <class Fill>
std::unique_ptr<stream_source> make_source(Fill fill) {
  struct callable_source final : stream_source {
    explicit callable_source(Fill f) : fill_(std::move(f)) {}
    fill_result fill(std::span<float> out, std::size_t channels) override { return fill_(out, channels); }
    Fill fill_;
  };
  return std::make_unique<callable_source>(std::move(fill));
}

/// Sizes fixed when the streamer is built.
struct streamer_config {
  std::size_t channels = 2;        ///< interleaved channels of every stream and of the mix
  std::size_t half_frames = 1024;  ///< frames per half of each stream's double buffer
  std::size_t max_streams = 64;    ///< slots preallocated; add() beyond them is refused
  unsigned threads = 1;            ///< producer pool threads
  std::size_t ramp_frames = 256;   ///< a gain change (and a remove) ramps linearly over this many frames; 0 = at once
  /// A pool thread with nothing to do re-checks after this long even
  /// without a post (a safety net; counted as idle_timeouts).
  std::chrono::milliseconds idle_timeout{100};
  /// Called first on each pool thread with its index (0 .. threads-1): set
  /// its priority, pin it, name it. Must not throw. Empty: nothing.
  std::function<void(unsigned)> on_thread_start{};
};

/// A stream's handle: a slot and that slot's incarnation (no ABA on reuse).
struct stream_id {
  std::uint32_t slot = 0;
  std::uint32_t generation = 0;
  friend bool operator==(const stream_id&, const stream_id&) = default;
};

/// One stream's figures (stats()).
struct stream_stats {
  std::uint64_t frames_played = 0;    ///< source frames mixed (silence not counted)
  std::uint64_t underrun_events = 0;  ///< mix() calls that found the stream starved (after it had started)
  std::uint64_t underrun_frames = 0;  ///< frames of silence those left in the stream's place
  std::uint64_t halves_filled = 0;    ///< halves the pool committed
  bool ended = false;                 ///< the real-time side played the stream's last frame
  bool failed = false;                ///< the source threw; the stream ended there
  bool removing = false;              ///< remove() was called; the ramp-out is not finished
};

/// The whole streamer's figures (totals()).
struct streamer_stats {
  std::uint64_t mix_calls = 0;
  std::uint64_t wake_posts = 0;       ///< semaphore posts by mix(): at most one per call
  std::uint64_t wake_syscalls = 0;    ///< ... of which entered the kernel (the pool's first thread slept)
  std::uint64_t pool_wakeups = 0;     ///< pool thread wake-ups (posts consumed or time-outs)
  std::uint64_t idle_timeouts = 0;    ///< ... of which were time-outs, not posts
  std::uint64_t halves_filled = 0;    ///< halves committed by the pool, all streams
  std::uint64_t underrun_events = 0;  ///< all streams
  std::uint64_t streams_live = 0;     ///< streams the last mix() summed
};

/// What one mix() did.
struct mix_result {
  std::size_t streams = 0;  ///< streams summed (live or ramping out)
  std::size_t starved = 0;  ///< of which had no frames for part of the call (underrun or priming)
  std::size_t frames = 0;   ///< the most frames one stream filled (each fills a prefix of the call)
  bool woke_pool = false;   ///< the call posted the pool's semaphore
};

class streamer {
 public:
  using buffer_type = double_buffer<lockfree, float>;

  /// Allocates every slot (not yet their buffers). Thread: control. Throws
  /// std::invalid_argument on a zero size or zero threads.
  explicit streamer(const streamer_config& cfg);
  /// stop(), then frees everything. Thread: control.
  ~streamer();
  streamer(const streamer&) = delete;
  streamer& operator=(const streamer&) = delete;

  /// Starts the pool threads. Thread: control. Throws std::system_error if
  /// a thread cannot start. Idempotent.
  void start();
  /// Stops and joins the pool (mix() goes on mixing what is queued, then
  /// starves). Thread: control. Idempotent.
  void stop() noexcept;

  /// Effects: makes a stream of `source` (its double buffer allocated here,
  /// on this thread) and publishes it; the pool fills it at once, and the
  /// next mix() includes it (silence until its first half is ready: priming,
  /// not an underrun). Starts at `gain` with no ramp. Reclaims removed
  /// streams first (collect()). Returns: its id, or nullopt if every slot is
  /// taken. Thread: control. Allocates; never waits for the real-time side.
  std::optional<stream_id> add(std::unique_ptr<stream_source> source, float gain = 1.0f);
  /// Effects: ramps the stream out over ramp_frames, then the real-time side
  /// lets it go; its slot is reclaimed by a later add()/collect(). Returns
  /// false for an unknown or already removed id. Thread: control. Wait-free.
  bool remove(stream_id id) noexcept;
  /// Effects: the pool flushes what is queued and calls source.seek(frame);
  /// the real-time side applies the flush at its next mix() (never waits)
  /// and primes again (silence until refilled, not an underrun). A stream
  /// that ended plays again. Returns false for an unknown id. Thread: control.
  bool seek(stream_id id, std::uint64_t frame) noexcept;
  /// Effects: the stream ramps to `gain` over ramp_frames. Thread: control. Wait-free.
  bool set_gain(stream_id id, float gain) noexcept;
  /// Frees the slots of removed streams the real-time side has let go (and
  /// the pool is not filling). Returns how many. Thread: control. Frees;
  /// may wait (yield) for a pool thread to finish a half.
  std::size_t collect();
  /// A stream's figures; nullopt for an unknown id. Thread: control.
  [[nodiscard]] std::optional<stream_stats> stats(stream_id id) const noexcept;
  /// Totals. Thread: any. Wait-free (relaxed loads of single-writer counters).
  [[nodiscard]] streamer_stats totals() const noexcept;
  /// True when every live stream's source has delivered its last frame to
  /// the buffers (what is queued may still be playing). Thread: any. Wait-free.
  [[nodiscard]] bool sources_done() const noexcept;
  /// Streams added and not yet removed. Thread: control.
  [[nodiscard]] std::size_t size() const noexcept { return live_count_; }
  [[nodiscard]] const streamer_config& settings() const noexcept { return config_; }

  /// Effects: overwrites `out` (frames × channels interleaved floats) with
  /// the sum of every live stream, each times its gain (ramped); a stream
  /// without frames adds nothing for them (counted as its underrun once it
  /// has started). Posts the pool's semaphore at most once, if a half was
  /// given back or a stream starved. Thread: the one real-time thread.
  /// Wait-free: bounded by streams × (frames + one peek per half reached); no lock, no
  /// allocation; the only system call is that post's futex wake when the
  /// pool's first thread sleeps.
  mix_result mix(float* out, std::size_t frames) noexcept PINGPONG_NONBLOCKING;
  mix_result mix(std::span<float> out) noexcept PINGPONG_NONBLOCKING {
    return mix(out.data(), out.size() / config_.channels);
  }
  /// Frames every live, unended stream could deliver now without silence
  /// (the least of them; max() if there is none): for offline consumers
  /// that may wait. Thread: the real-time thread. Wait-free.
  [[nodiscard]] std::size_t available() noexcept PINGPONG_NONBLOCKING;
  /// True when no live stream has frames left to play: every stream ended
  /// (or none exists). Thread: the real-time thread. Wait-free.
  [[nodiscard]] bool all_ended() noexcept PINGPONG_NONBLOCKING;

  // ===================================================================
  // implementation detail below
  // ===================================================================
 private:
  // Slot states. empty → live (control, add) → removing (control, remove)
  // → retired (real-time, ramp done) → empty (control, collect).
  static constexpr std::uint32_t slot_empty = 0, slot_live = 1, slot_removing = 2, slot_retired = 3;

  struct real_time_part {  // owned by the real-time thread while the slot is live/removing
    float gain = 1.0f, target = 1.0f, step = 0.0f;
    std::size_t ramp_left = 0;
    bool primed = false;  ///< frames were mixed since the start / the last flush
    bool ended = false;
    std::uint64_t seen_flushes = 0;
  };
  struct producer_part {  // owned by whichever pool thread holds `busy`
    std::uint64_t seeks_done = 0;
    bool source_done = false;
    bool flush_outstanding = false;
  };

  struct alignas(64) slot {
    // --- control-written, read by everyone -----------------------------
    std::atomic<std::uint32_t> state{slot_empty};
    std::atomic<float> gain{1.0f};
    std::atomic<std::uint64_t> seek_requests{0};
    std::atomic<std::uint64_t> seek_frame{0};
    std::uint32_t generation = 0;  // control only
    // Declared before the handles: destroyed after them.
    std::unique_ptr<buffer_type> buffer;
    std::unique_ptr<stream_source> source;

    // --- pool side: `busy` is the claim; the mirrors are for the scan ----
    alignas(64) std::atomic<bool> busy{false};
    buffer_type::producer producer;
    producer_part prod;
    std::atomic<std::uint64_t> halves_committed{0};  ///< writer: the claim holder
    std::atomic<std::uint64_t> seeks_done_mirror{0};
    std::atomic<bool> done_mirror{false};
    std::atomic<bool> flush_mirror{false};
    std::atomic<bool> failed{false};

    // --- real-time side --------------------------------------------------
    alignas(64) buffer_type::consumer consumer;
    real_time_part rt;
    single_writer_counter<> halves_released;  ///< halves mix() gave back (the scan's "free half" hint)
    single_writer_counter<> front_left;       ///< frames left in the front half after the last mix()
    single_writer_counter<> played, underrun_events, underrun_frames;
    std::atomic<bool> ended{false};
  };

  struct alignas(64) pool_thread {
    wake_semaphore wake;
    single_writer_counter<> wakeups, idle_timeouts;
    std::thread thread;
  };

  void worker(unsigned index);
  bool serve(slot& s);
  void reclaim(slot& s);
  slot* find(stream_id id) const noexcept;
  void mix_into(float* out, const float* in, std::size_t frames, real_time_part& r) const noexcept PINGPONG_NONBLOCKING;
  static void advance_ramp(real_time_part& r, std::size_t frames) noexcept PINGPONG_NONBLOCKING;

  const streamer_config config_;
  std::unique_ptr<slot[]> slots_;
  std::unique_ptr<pool_thread[]> pool_;
  std::atomic<std::uint32_t> slots_used_{0};  ///< high-water mark of slots ever live; the real-time loop bound
  std::atomic<bool> stopping_{false};
  bool running_ = false;        // control only
  std::size_t live_count_ = 0;  // control only

  // Real-time side's totals.
  struct alignas(64) real_time_totals {
    single_writer_counter<> mix_calls, wake_posts, wake_syscalls, underrun_events, streams_live;
  } rt_totals_;
};

// ===========================================================================

inline streamer::streamer(const streamer_config& cfg) : config_(cfg) {
  if (cfg.channels == 0 || cfg.half_frames == 0 || cfg.max_streams == 0 || cfg.threads == 0)
    throw std::invalid_argument("pingpong::streamer: channels, half_frames, max_streams and threads must be > 0");
  if (cfg.max_streams > std::numeric_limits<std::uint32_t>::max())
    throw std::invalid_argument("pingpong::streamer: max_streams too large");
  slots_ = std::make_unique<slot[]>(cfg.max_streams);
  pool_ = std::make_unique<pool_thread[]>(cfg.threads);
}

inline streamer::~streamer() {
  stop();
  // The slots (buffers, handles, sources) go with slots_: nobody uses them now.
}

inline void streamer::start() {
  if (running_) return;
  // relaxed: the threads start after this store (thread creation orders it).
  stopping_.store(false, std::memory_order_relaxed);
  unsigned started = 0;
  try {
    for (; started < config_.threads; ++started)
      pool_[started].thread = std::thread([this, started] { worker(started); });
  } catch (...) {
    running_ = true;
    stop();
    throw;
  }
  running_ = true;
}

inline void streamer::stop() noexcept {
  if (!running_) return;
  // release: pairs with the acquire loads in worker(); a thread that sees it exits.
  stopping_.store(true, std::memory_order_release);
  for (unsigned i = 0; i < config_.threads; ++i) (void)pool_[i].wake.post();
  for (unsigned i = 0; i < config_.threads; ++i)
    if (pool_[i].thread.joinable()) pool_[i].thread.join();
  running_ = false;
}

inline std::optional<stream_id> streamer::add(std::unique_ptr<stream_source> source, float gain) {
  if (!source) throw std::invalid_argument("pingpong::streamer::add: no source");
  collect();
  for (std::uint32_t i = 0; i < config_.max_streams; ++i) {
    slot& s = slots_[i];
    // relaxed: only control moves a slot out of `empty` (and into it: collect).
    if (s.state.load(std::memory_order_relaxed) != slot_empty) continue;
    // Everything below is written while neither the real-time thread nor a
    // pool thread reads it (state is empty); the release store of `live`
    // publishes it to both.
    s.buffer = std::make_unique<buffer_type>(config{.half_frames = config_.half_frames,
                                                    .channels = config_.channels,
                                                    .wake = wake_kind::poll,  // the streamer posts, not the buffer
                                                    .spin_before_sleep = std::chrono::microseconds(0)});
    auto [producer, consumer] = s.buffer->connect();
    s.producer = std::move(producer);
    s.consumer = std::move(consumer);
    s.source = std::move(source);
    s.prod = producer_part{};
    s.rt = real_time_part{.gain = gain, .target = gain};
    // relaxed: published by the release store of `state` below.
    s.gain.store(gain, std::memory_order_relaxed);
    s.seek_requests.store(0, std::memory_order_relaxed);
    s.halves_committed.store(0, std::memory_order_relaxed);
    s.seeks_done_mirror.store(0, std::memory_order_relaxed);
    s.done_mirror.store(false, std::memory_order_relaxed);
    s.flush_mirror.store(false, std::memory_order_relaxed);
    s.failed.store(false, std::memory_order_relaxed);
    s.halves_released.set(0);
    s.front_left.set(0);
    s.played.set(0);
    s.underrun_events.set(0);
    s.underrun_frames.set(0);
    s.ended.store(false, std::memory_order_relaxed);
    ++s.generation;
    // release: publishes the buffer, handles, source and the parts above;
    // pairs with the acquire loads of `state` in mix() and the pool's scan.
    s.state.store(slot_live, std::memory_order_release);
    // release: the real-time loop bound; a reader that sees the new bound
    // then loads the slot's state (acquire) itself. Only control writes it.
    if (slots_used_.load(std::memory_order_relaxed) < i + 1) slots_used_.store(i + 1, std::memory_order_release);
    ++live_count_;
    if (running_) (void)pool_[0].wake.post();  // prefill now, not at the next callback
    return stream_id{i, s.generation};
  }
  return std::nullopt;
}

inline auto streamer::find(stream_id id) const noexcept -> slot* {
  if (id.slot >= config_.max_streams) return nullptr;
  slot& s = slots_[id.slot];
  // relaxed: control is the only thread that changes the state to/from live.
  if (s.generation != id.generation || s.state.load(std::memory_order_relaxed) == slot_empty) return nullptr;
  return &s;
}

inline bool streamer::remove(stream_id id) noexcept {
  slot* s = find(id);
  if (s == nullptr) return false;
  std::uint32_t expected = slot_live;
  // release: nothing new to publish, but orders after add()'s writes for the
  // real-time thread's acquire; relaxed on failure (not live: refused).
  if (!s->state.compare_exchange_strong(expected, slot_removing, std::memory_order_release, std::memory_order_relaxed))
    return false;
  --live_count_;
  return true;
}

inline bool streamer::seek(stream_id id, std::uint64_t frame) noexcept {
  slot* s = find(id);
  // relaxed: control's own state.
  if (s == nullptr || s->state.load(std::memory_order_relaxed) != slot_live) return false;
  // relaxed: published by the release increment below.
  s->seek_frame.store(frame, std::memory_order_relaxed);
  // release: publishes seek_frame; pairs with the acquire load in serve().
  s->seek_requests.store(s->seek_requests.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  if (running_) (void)pool_[0].wake.post();
  return true;
}

inline bool streamer::set_gain(stream_id id, float gain) noexcept {
  slot* s = find(id);
  if (s == nullptr) return false;
  // relaxed: a value the real-time side polls; it orders nothing else.
  s->gain.store(gain, std::memory_order_relaxed);
  return true;
}

inline void streamer::reclaim(slot& s) {
  // The claim keeps pool threads out (one may be finishing a half it began
  // while the stream was live): wait for it. acquire: pairs with the release
  // store in serve(); its writes to the buffer and the source are done.
  while (s.busy.exchange(true, std::memory_order_acquire)) std::this_thread::yield();
  s.producer = buffer_type::producer{};
  s.consumer = buffer_type::consumer{};
  s.buffer.reset();
  s.source.reset();
  // relaxed: `empty` publishes nothing; add() overwrites the slot before its release of `live`.
  s.state.store(slot_empty, std::memory_order_relaxed);
  // release: pairs with the acquire exchange of the next claimer.
  s.busy.store(false, std::memory_order_release);
}

inline std::size_t streamer::collect() {
  std::size_t freed = 0;
  // relaxed: control writes the bound.
  const std::uint32_t used = slots_used_.load(std::memory_order_relaxed);
  for (std::uint32_t i = 0; i < used; ++i) {
    // acquire: pairs with the real-time thread's release store of `retired`:
    // it is done with the buffer.
    if (slots_[i].state.load(std::memory_order_acquire) != slot_retired) continue;
    reclaim(slots_[i]);
    ++freed;
  }
  return freed;
}

inline std::optional<stream_stats> streamer::stats(stream_id id) const noexcept {
  slot* s = find(id);
  if (s == nullptr) return std::nullopt;
  stream_stats st;
  st.frames_played = s->played.load();
  st.underrun_events = s->underrun_events.load();
  st.underrun_frames = s->underrun_frames.load();
  st.halves_filled = s->halves_committed.load(std::memory_order_relaxed);  // relaxed: a statistic
  // acquire: pairs with the release store in mix(); the final counters above are then current.
  st.ended = s->ended.load(std::memory_order_acquire);
  st.failed = s->failed.load(std::memory_order_relaxed);                    // relaxed: a flag for display
  st.removing = s->state.load(std::memory_order_relaxed) == slot_removing;  // relaxed: a snapshot
  return st;
}

inline streamer_stats streamer::totals() const noexcept {
  streamer_stats t;
  t.mix_calls = rt_totals_.mix_calls.load();
  t.wake_posts = rt_totals_.wake_posts.load();
  t.wake_syscalls = rt_totals_.wake_syscalls.load();
  t.underrun_events = rt_totals_.underrun_events.load();
  t.streams_live = rt_totals_.streams_live.load();
  for (unsigned i = 0; i < config_.threads; ++i) {
    t.pool_wakeups += pool_[i].wakeups.load();
    t.idle_timeouts += pool_[i].idle_timeouts.load();
  }
  const std::uint32_t used = slots_used_.load(std::memory_order_acquire);  // acquire: see add()
  for (std::uint32_t i = 0; i < used; ++i)
    t.halves_filled += slots_[i].halves_committed.load(std::memory_order_relaxed);  // relaxed: a statistic
  return t;
}

inline bool streamer::sources_done() const noexcept {
  const std::uint32_t used = slots_used_.load(std::memory_order_acquire);  // acquire: see add()
  for (std::uint32_t i = 0; i < used; ++i) {
    const slot& s = slots_[i];
    // acquire: pairs with the release store of `live` in add(); then with
    // the release store of done_mirror in serve().
    if (s.state.load(std::memory_order_acquire) == slot_live && !s.done_mirror.load(std::memory_order_acquire))
      return false;
  }
  return true;
}

// --- the pool ----------------------------------------------------------------

inline void streamer::worker(unsigned index) {
  pool_thread& self = pool_[index];
  if (config_.on_thread_start) config_.on_thread_start(index);
  std::vector<char> skip(config_.max_streams, 0);  // tried and refused this round
  for (;;) {
    // acquire: pairs with the release store in stop().
    if (stopping_.load(std::memory_order_acquire)) return;
    bool woke_next = false;
    for (;;) {
      // Earliest deadline first: the stream with the fewest frames left to play.
      slot* best = nullptr;
      std::uint32_t best_index = 0;
      std::uint64_t best_key = std::numeric_limits<std::uint64_t>::max();
      std::size_t candidates = 0;
      // acquire: pairs with the release store in add(); each slot's state is then loaded itself.
      const std::uint32_t used = slots_used_.load(std::memory_order_acquire);
      for (std::uint32_t i = 0; i < used; ++i) {
        slot& s = slots_[i];
        if (skip[i]) continue;
        // acquire: pairs with the release store of `live` in add().
        if (s.state.load(std::memory_order_acquire) != slot_live) continue;
        // The mirrors and counters are hints (relaxed): serve() re-checks under the claim.
        const bool seek_pending =
            s.seek_requests.load(std::memory_order_relaxed) != s.seeks_done_mirror.load(std::memory_order_relaxed);
        if (!seek_pending && s.done_mirror.load(std::memory_order_relaxed)) continue;  // its source is finished
        std::uint64_t key = 0;  // a seek, or a flush to finish: first
        if (!seek_pending && !s.flush_mirror.load(std::memory_order_relaxed)) {
          const std::uint64_t outstanding =
              s.halves_committed.load(std::memory_order_relaxed) - s.halves_released.load();
          if (outstanding >= 2) continue;  // both halves queued or playing
          key = outstanding == 0 ? 0 : s.front_left.load() + 1;
        }
        ++candidates;
        if (key < best_key) {
          best_key = key;
          best = &s;
          best_index = i;
        }
      }
      if (best == nullptr) break;
      if (candidates > 1 && !woke_next && index + 1 < config_.threads) {
        (void)pool_[index + 1].wake.post();  // more than this thread's next half: share it
        woke_next = true;
      }
      if (!serve(*best)) skip[best_index] = 1;
      if (stopping_.load(std::memory_order_acquire)) return;  // acquire: see stop()
    }
    std::fill(skip.begin(), skip.end(), 0);
    const bool posted = self.wake.wait_for(config_.idle_timeout);
    self.wakeups.add();
    if (!posted) self.idle_timeouts.add();
  }
}

/// Fills one half of `s` if it can. Returns false if it could not (claimed
/// by another pool thread, not live, no free half yet, nothing from the source).
inline bool streamer::serve(slot& s) {
  // acquire: pairs with the release store below (another pool thread's
  // last fill) and in reclaim(); we own the producer side now.
  if (s.busy.exchange(true, std::memory_order_acquire)) return false;
  struct release_claim {
    slot& owner;
    // release: our writes to the half, the source and the producer part
    // happen-before the next claimer's acquire.
    ~release_claim() { owner.busy.store(false, std::memory_order_release); }
  } claim{s};
  // acquire: pairs with the release store of `live` in add().
  if (s.state.load(std::memory_order_acquire) != slot_live) return false;
  producer_part& p = s.prod;

  // acquire: pairs with the release increment in seek(); seek_frame is visible.
  const std::uint64_t seeks = s.seek_requests.load(std::memory_order_acquire);
  if (seeks != p.seeks_done && !p.flush_outstanding) {
    if (s.producer.request_flush()) {
      try {
        (void)s.source->seek(s.seek_frame.load(std::memory_order_relaxed));  // relaxed: see the acquire above
      } catch (...) {
        s.failed.store(true, std::memory_order_relaxed);  // relaxed: a flag for display
      }
      p.source_done = s.failed.load(std::memory_order_relaxed);
      p.flush_outstanding = true;
    }
    p.seeks_done = seeks;
    // relaxed: hints for the scan.
    s.seeks_done_mirror.store(seeks, std::memory_order_relaxed);
    s.flush_mirror.store(p.flush_outstanding, std::memory_order_relaxed);
    s.done_mirror.store(p.source_done, std::memory_order_relaxed);
  }
  if (p.source_done) return false;

  auto half = s.producer.try_acquire();  // empty until the reader applied a flush, or with no free half
  if (!half) return false;
  if (p.flush_outstanding) {
    // The flush dropped every half: none is outstanding. The real-time side
    // released nothing since (nothing was published): restart the hint's
    // count from its count. relaxed: the acquire in try_acquire() (the
    // flush acknowledgement) orders the real-time side's earlier stores.
    s.halves_committed.store(s.halves_released.load(), std::memory_order_relaxed);
    p.flush_outstanding = false;
    s.flush_mirror.store(false, std::memory_order_relaxed);  // relaxed: a hint
  }
  fill_result got;
  try {
    got = s.source->fill(std::span<float>(half.data(), half.capacity() * half.channels()), config_.channels);
  } catch (...) {
    s.failed.store(true, std::memory_order_relaxed);  // relaxed: a flag for display
    got = fill_result{0, true};
  }
  got.frames = std::min(got.frames, half.capacity());
  if (got.frames == 0 && !got.end) return false;  // the half goes back unpublished (slot destructor)
  half.commit(got.frames, got.end);
  // relaxed: the scan's hint and a statistic; one writer at a time (the claim).
  s.halves_committed.store(s.halves_committed.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  if (got.end) {
    p.source_done = true;
    // release: the last half is committed; pairs with the acquire in available().
    s.done_mirror.store(true, std::memory_order_release);
  }
  return true;
}

// --- the real-time side --------------------------------------------------------

inline void streamer::advance_ramp(real_time_part& r, std::size_t frames) noexcept {
  if (r.ramp_left == 0) return;
  if (frames >= r.ramp_left) {
    r.gain = r.target;
    r.ramp_left = 0;
  } else {
    r.gain += r.step * static_cast<float>(frames);
    r.ramp_left -= frames;
  }
}

inline void streamer::mix_into(float* out, const float* in, std::size_t frames, real_time_part& r) const noexcept {
  const std::size_t ch = config_.channels;
  std::size_t f = 0;
  for (; f < frames && r.ramp_left > 0; ++f) {  // the ramp, frame by frame
    --r.ramp_left;
    r.gain = r.ramp_left == 0 ? r.target : r.gain + r.step;
    for (std::size_t c = 0; c < ch; ++c) out[f * ch + c] += r.gain * in[f * ch + c];
  }
  const std::size_t n = (frames - f) * ch;
  float* o = out + f * ch;
  const float* i = in + f * ch;
  if (r.gain == 1.0f) {
    for (std::size_t k = 0; k < n; ++k) o[k] += i[k];  // unity: the exact sum
  } else if (r.gain != 0.0f) {
    const float g = r.gain;
    for (std::size_t k = 0; k < n; ++k) o[k] += g * i[k];
  }
}

inline mix_result streamer::mix(float* out, std::size_t frames) noexcept {
  const std::size_t ch = config_.channels;
  std::fill(out, out + frames * ch, 0.0f);
  mix_result result;
  bool wake = false;
  // acquire: pairs with the release store in add(); slots below it exist.
  const std::uint32_t used = slots_used_.load(std::memory_order_acquire);
  for (std::uint32_t i = 0; i < used; ++i) {
    slot& s = slots_[i];
    // acquire: pairs with the release store of `live` in add() (the buffer,
    // handles and real_time_part are ours from here).
    const std::uint32_t state = s.state.load(std::memory_order_acquire);
    if (state != slot_live && state != slot_removing) continue;
    real_time_part& r = s.rt;
    // relaxed: a polled value (see set_gain()).
    const float target = state == slot_removing ? 0.0f : s.gain.load(std::memory_order_relaxed);
    if (target != r.target) {
      r.target = target;
      r.ramp_left = config_.ramp_frames;
      r.step = r.ramp_left ? (target - r.gain) / static_cast<float>(r.ramp_left) : 0.0f;
      if (r.ramp_left == 0) r.gain = target;
    }
    if (state == slot_removing && r.gain == 0.0f && r.ramp_left == 0) {
      // release: we are done with the buffer; pairs with the acquire load in collect().
      s.state.store(slot_retired, std::memory_order_release);
      continue;
    }
    ++result.streams;
    std::size_t done = 0, left = 0;
    bool starved = false;
    while (done < frames) {  // bounded: each turn consumes ≥ 1 frame, or ends the loop
      const auto view = s.consumer.peek();
      if (!view) {
        if (view.end_of_stream) {
          if (!r.ended) {
            r.ended = true;
            // release: whoever sees `ended` sees the final counters.
            s.ended.store(true, std::memory_order_release);
          }
        } else {
          starved = true;
        }
        break;
      }
      const std::size_t n = std::min(view.frames, frames - done);
      mix_into(out + done * ch, view.data, n, r);
      (void)s.consumer.consume(n);
      done += n;
      if (n == view.frames) {  // played to the half's end: consume() gave it back
        s.halves_released.add();
        wake = true;
        left = 0;
      } else {
        left = view.frames - n;
      }
    }
    result.frames = std::max(result.frames, done);
    if (done > 0) {
      r.primed = true;
      s.played.add(done);
    }
    s.front_left.set(left);
    if (done < frames) {
      advance_ramp(r, frames - done);
      if (starved) {
        ++result.starved;
        wake = true;  // the pool may be behind, or waiting for this flush to apply
        // A flush since the last look (a seek): priming again, not an underrun.
        const std::uint64_t flushes = s.consumer.buffer()->stats().flushes;
        if (flushes != r.seen_flushes) {
          r.seen_flushes = flushes;
          r.primed = done > 0;
          if (r.ended) {
            r.ended = false;
            s.ended.store(false, std::memory_order_relaxed);  // relaxed: the stream plays again
          }
        }
        if (r.primed) {
          s.underrun_events.add();
          s.underrun_frames.add(frames - done);
          rt_totals_.underrun_events.add();
        }
      }
    }
  }
  rt_totals_.mix_calls.add();
  rt_totals_.streams_live.set(result.streams);
  if (wake) {
    result.woke_pool = true;
    rt_totals_.wake_posts.add();
    if (pool_[0].wake.post()) rt_totals_.wake_syscalls.add();
  }
  return result;
}

inline std::size_t streamer::available() noexcept {
  std::size_t least = std::numeric_limits<std::size_t>::max();
  const std::uint32_t used = slots_used_.load(std::memory_order_acquire);  // acquire: see add()
  for (std::uint32_t i = 0; i < used; ++i) {
    slot& s = slots_[i];
    // acquire: see mix().
    const std::uint32_t state = s.state.load(std::memory_order_acquire);
    if (state != slot_live || s.rt.ended) continue;
    // acquire: pairs with the release store in serve(): every frame the
    // stream has left is published, so it cannot hold the others back.
    if (s.done_mirror.load(std::memory_order_acquire)) continue;
    least = std::min(least, s.consumer.available());
  }
  return least;
}

inline bool streamer::all_ended() noexcept {
  const std::uint32_t used = slots_used_.load(std::memory_order_acquire);  // acquire: see add()
  for (std::uint32_t i = 0; i < used; ++i) {
    slot& s = slots_[i];
    const std::uint32_t state = s.state.load(std::memory_order_acquire);  // acquire: see mix()
    if (state == slot_removing) return false;
    if (state == slot_live && !s.rt.ended) return false;
  }
  return true;
}

}  // namespace pingpong
