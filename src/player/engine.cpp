#include "player/engine.hpp"

#include <random>

namespace pingpong::player {
namespace {

using namespace std::chrono_literals;

template <class H>
class engine final : public engine_base {
 public:
  engine(const config& cfg, std::int64_t period_ns, std::size_t fade_frames)
      : engine_base(period_ns, cfg.channels, fade_frames), buffer_(cfg) {
    // The typed roles: the producer thread uses producer_, the device's
    // callback consumer_ (one of each; see double_buffer::connect()).
    auto [producer, consumer] = buffer_.connect();
    producer_ = std::move(producer);
    consumer_ = std::move(consumer);
  }

  render_result render(float* out, std::size_t frames,
                       const callback_status& status) noexcept PINGPONG_NONBLOCKING override {
    return measured(out, frames, status, [&](std::size_t n) { return consumer_.read(out, n); });
  }
  std::size_t available() noexcept PINGPONG_NONBLOCKING override { return consumer_.available(); }

  // Offline: the half's frames in place (zero copy); the fade, if one was
  // asked for, goes through render().
  view peek(std::size_t max_frames) noexcept override {
    if (fade_requested()) return view{.use_render = true};
    const std::int64_t start = now_ns();
    const auto v = consumer_.peek(max_frames);
    if (v.frames > 0) count_in_place(start, v.frames);
    return view{.data = v.data, .frames = v.frames, .end = v.end_of_stream};
  }
  void consume(std::size_t frames) noexcept override { source_frames_played.add(consumer_.consume(frames)); }

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
      return std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                    std::chrono::duration<double>(gap(random)));
    };
    auto next_stall = next_stall_after();
    // Interactive (keys): the producer wakes at least every 10 ms to apply
    // seeks, and after the end waits for one instead of finishing.
    const bool interactive = seek_map_.interactive && !seek_map_.seconds.empty();
    bool ended = false;
    try {
      for (;;) {
        if (interactive && apply_seeks(input)) ended = false;
        if (ended) {
          if (buffer_.writer_cancelled()) break;
          std::this_thread::sleep_for(5ms);
          continue;
        }
        auto deadline = stalls_on ? next_stall : std::chrono::steady_clock::time_point::max();
        if (interactive) deadline = std::min(deadline, std::chrono::steady_clock::now() + 10ms);
        auto slot = producer_.acquire_until(deadline);
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
        notify_audio();
        if (got < want) {
          if (!interactive || !error.empty()) break;
          ended = true;
          at_end_.store(true, std::memory_order_release);  // release: publishes the last commit (producer_done())
        }
      }
    } catch (const std::exception& e) {
      error = e.what();
      // End the stream where it is, so the device plays out and stops.
      if (auto slot = producer_.acquire_for(1s)) slot.commit(0, true);
    }
    finish_producer(std::move(error));
  }
  void cancel() noexcept override { buffer_.cancel_writer(); }

  /// Producer thread: once the callback has faded out for a seek, applies
  /// every command issued so far to the position heard, repositions the
  /// source, flushes the buffer and lets the callback read again. True if
  /// it did (the stream goes on from there).
  bool apply_seeks(source& input) {
    // acquire: pairs with the callback's release (source_frames_played is
    // final: it reads nothing until seek_flushed_ moves).
    const std::uint32_t faded_epoch = seek_faded_.load(std::memory_order_acquire);
    // Serial-number order: nothing new since the last application.
    if (static_cast<std::int32_t>(faded_epoch - seek_done_) <= 0) return false;
    std::vector<seek_command> commands;
    position_base base;
    std::uint32_t issued = 0;
    {
      std::lock_guard held(seek_mutex_);
      commands.swap(seek_commands_);
      issued = seek_issued_;
      base = base_;
    }
    const std::uint64_t played = source_frames_played.load();
    heard_position at = advance(base, played);
    const std::vector<double>& len = seek_map_.seconds;
    bool end = base.ended;
    for (const seek_command& c : commands) {
      if (end) {
        if (c.seconds >= 0 && c.files >= 0) continue;
        end = false;  // back from the end: into the last file
        at = {len.size() - 1, std::max(0.0, len.back())};
      }
      if (c.files != 0) {
        const auto target = static_cast<std::int64_t>(at.file) + c.files;
        at.seconds = 0.0;
        if (target < 0) {
          at.file = 0;
        } else if (target >= static_cast<std::int64_t>(len.size())) {
          if (seek_map_.loops == 1) end = true;
          at.file = seek_map_.loops == 1 ? len.size() - 1 : 0;
        } else {
          at.file = static_cast<std::size_t>(target);
        }
        continue;
      }
      at.seconds = std::max(0.0, at.seconds + c.seconds);
      if (len[at.file] >= 0 && at.seconds >= len[at.file]) {  // past the end: the next file
        at.seconds = 0.0;
        if (at.file + 1 < len.size()) {
          ++at.file;
        } else if (seek_map_.loops == 1) {
          end = true;
        } else {
          at.file = 0;
        }
      }
    }
    try {
      input.seek(end ? len.size() : at.file, std::llround(at.seconds * seek_map_.rate));
    } catch (...) {
      // The target cannot be played (e.g. deleted since the start): end
      // the stream there, the error reported. The callback must read
      // again to play out the end: let it (what it still holds, faded in,
      // then the end).
      seek_done_ = issued;
      seek_flushed_.store(issued, std::memory_order_release);  // release: as below
      throw;
    }
    (void)producer_.request_flush();  // no slot is held here
    {
      std::lock_guard held(seek_mutex_);
      base_ = position_base{at.file, at.seconds, played, end};
    }
    seek_done_ = issued;
    at_end_.store(false, std::memory_order_relaxed);  // relaxed: the producer runs again (observed by polling)
    // release: the flush is requested before the callback reads again;
    // pairs with the acquire load in measured().
    seek_flushed_.store(issued, std::memory_order_release);
    return true;
  }

  /// Locked policies stall inside the critical section, as real code that
  /// decodes or faults while holding the lock does; lockfree has no lock.
  void stall(const play_options::stall_plan& plan) {
    stalls.add();
    const auto stall = [&] { stall_for(plan.length_ms, plan.busy); };
    // The policy's lab interface holds its own lock around the stall (a
    // locked policy); lockfree has no lock and just stalls.
    if (plan.inside_lock) {
      (void)buffer_.handoff().lab_stall_inside(stall);
    } else {
      stall();
    }
  }
  counters buffer_stats() const noexcept override { return buffer_.stats(); }
  writer_counters writer_stats() const noexcept override { return buffer_.writer_stats(); }
  std::uint64_t committed_halves() const noexcept override { return buffer_.writer_stats().halves_committed; }
  void drain_events(std::vector<event>& into) override {
    if (auto* log = buffer_.events()) {
      event e;
      while (log->try_pop(e)) into.push_back(e);
    }
  }

 private:
  double_buffer<H> buffer_;
  typename double_buffer<H>::producer producer_;  // declared after buffer_: released before it
  typename double_buffer<H>::consumer consumer_;
  std::uint32_t seek_done_ = 0;  // producer only: the last seek epoch applied
};

}  // namespace

std::unique_ptr<engine_base> make_engine(handoff_kind kind, const config& cfg, std::int64_t period_ns,
                                         std::size_t fade_frames) {
  return with_handoff(kind, [&](auto policy) -> std::unique_ptr<engine_base> {
    return std::make_unique<engine<typename decltype(policy)::type>>(cfg, period_ns, fade_frames);
  });
}

}  // namespace pingpong::player
